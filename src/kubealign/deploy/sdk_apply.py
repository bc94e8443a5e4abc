"""The embedded Helm SDK's cluster writes (install, upgrade, rollback) in a child process.

Helm applies objects server-side under a field manager it names after ``os.Args[0]`` unless
the program sets one (``helm.sh/helm/v4/pkg/kube``: ``ManagedFieldsManager``; the ``helm`` CLI
sets ``"helm"``, the install/upgrade/rollback actions have no setting of their own). In the
embedded SDK ``os.Args[0]`` is the Python interpreter (``python3``), so a release installed by
one engine could not be upgraded by the other: every field conflicted between the two
managers. The SDK's shared library reads ``os.Args`` when it is loaded, so the parent runs
these actions in a Python child whose ``argv[0]`` is ``<bin>/helm`` (the interpreter itself
is the same executable): both engines then apply as ``helm``.

Protocol: one JSON request on stdin, one JSON answer on stdout: ``{"release": {...}}`` or
``{"error": message}``. Nothing here prints values or secrets (the values travel on stdin).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

# The field manager the helm CLI applies as; the child's argv[0] is named so.
FIELD_MANAGER = "helm"


def child_argv0() -> str:
    """A path whose base name is the field manager, beside the interpreter.

    Beside it, so the child's interpreter still finds its own ``pyvenv.cfg`` and prefix
    (CPython derives them from ``argv[0]`` when it contains a slash); no file is needed there.
    """
    return str(Path(sys.executable).parent / FIELD_MANAGER)


def run_in_child(request: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Send ``request`` to a child running :func:`main`; its JSON answer."""
    done = subprocess.run(
        [child_argv0(), "-m", "kubealign.deploy.sdk_apply"],
        executable=sys.executable,
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    try:
        answer = json.loads(done.stdout)
    except json.JSONDecodeError:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return {"error": f"the Helm SDK process failed (exit {done.returncode}): {tail[0]}"}
    if not isinstance(answer, dict):
        return {"error": "the Helm SDK process answered no JSON object"}
    return answer


def _perform(config: Any, request: dict[str, Any]) -> Any:
    import helm_python

    op = request["op"]
    kwargs: dict[str, Any] = request.get("kwargs") or {}
    if op == "upgrade_install":
        release = request["release"]
        try:
            config.history(release, max_revisions=1)
        except helm_python.HelmNotFoundError:
            return config.install(request["chart"], release, request["values"],
                                  create_namespace=request["create_namespace"], **kwargs)
        return config.upgrade(request["chart"], release, request["values"], **kwargs)
    if op == "rollback":
        config.rollback(request["release"], **kwargs)
        return {}
    raise ValueError(f"unknown operation {op!r}")


def main() -> int:
    import helm_python

    request = json.loads(sys.stdin.read())
    try:
        with helm_python.Config(
            kubeconfig_path=request.get("kubeconfig"),
            kube_context=request.get("kube_context"),
            namespace=request["namespace"],
        ) as config:
            release = _perform(config, request)
    except helm_python.HelmError as exc:
        answer: dict[str, Any] = {"error": str(exc)}
    else:
        answer = {"release": dict(release) if release else {}}
    sys.stdout.write(json.dumps(answer, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
