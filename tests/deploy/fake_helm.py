"""A stand-in ``helm`` executable for deploy tests: records its argv and answers like Helm.

Installed on PATH as ``helm`` by the ``fake_helm`` fixture. Each call appends its argv
(JSON, one line) to ``$FAKE_HELM_LOG``. ``version`` prints ``$FAKE_HELM_VERSION``;
``template`` renders for real with the embedded Helm engine (so pre-flight sees real
objects); ``upgrade``/``status``/``history``/``rollback`` print what Helm prints, from a
small state file next to the log. ``$FAKE_HELM_FAIL`` (``subcommand:message``) makes that
subcommand print ``Error: message`` on stderr and exit 1, as Helm does.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path


def option(argv: list[str], name: str, default: str = "") -> str:
    return argv[argv.index(name) + 1] if name in argv else default


def release(name: str, namespace: str, revision: int, status: str) -> dict[str, object]:
    return {
        "name": name,
        "namespace": namespace,
        "version": revision,
        "info": {
            "status": status,
            "last_deployed": "2025-01-01T00:00:00Z",
            "description": "Upgrade complete" if revision > 1 else "Install complete",
        },
        "chart": {"metadata": {"name": "sophia", "version": "0.1.0"}},
        "manifest": os.environ.get("FAKE_HELM_MANIFEST", ""),
    }


def template(argv: list[str]) -> None:
    from kubealign.validate.helm import render_chart

    values = [Path(argv[i + 1]) for i, word in enumerate(argv) if word == "--values"]
    rendered = render_chart(
        Path(argv[3]),
        values,
        release=argv[2],
        namespace=option(argv, "--namespace", "default"),
        kube_version=option(argv, "--kube-version") or None,
        backend="sdk",
    )
    # Like helm: every document under its own "# Source:" header.
    for path, text in rendered.texts.items():
        for document in re.split(r"(?m)^---[ \t]*$", text):
            if document.strip():
                sys.stdout.write(f"---\n# Source: {path}\n{document.strip(chr(10))}\n")


def main() -> int:
    argv = sys.argv
    log = Path(os.environ["FAKE_HELM_LOG"])
    with log.open("a", encoding="utf-8") as stream:
        stream.write(json.dumps(argv[1:]) + "\n")
    command = argv[1] if len(argv) > 1 else ""
    failing, _, message = os.environ.get("FAKE_HELM_FAIL", "").partition(":")
    if failing == command:
        sys.stderr.write(f"Error: {message}\n")
        return 1
    state_file = log.with_suffix(".state.json")
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    namespace = option(argv, "--namespace", "default")
    if command == "version":
        print(os.environ.get("FAKE_HELM_VERSION", "v4.0.4+g8650e1d"))
    elif command == "template":
        template(argv)
    elif command == "upgrade":
        state["revision"] = state.get("revision", 0) + 1
        state_file.write_text(json.dumps(state))
        print(json.dumps(release(argv[2], namespace, state["revision"], "deployed")))
    elif command == "status":
        if not state:
            sys.stderr.write("Error: release: not found\n")
            return 1
        print(json.dumps(release(argv[2], namespace, state["revision"], "deployed")))
    elif command == "history":
        rows = [
            {"revision": n, "status": "deployed" if n == state.get("revision") else "superseded",
             "chart": "sophia-0.1.0", "updated": "2025-01-01", "description": f"rev {n}"}
            for n in range(1, state.get("revision", 0) + 1)
        ]
        print(json.dumps(rows))
    elif command == "rollback":
        state["revision"] = state.get("revision", 0) + 1
        state_file.write_text(json.dumps(state))
        print("Rollback was a success! Happy Helming!")
    else:
        sys.stderr.write(f"Error: unknown command {command!r}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
