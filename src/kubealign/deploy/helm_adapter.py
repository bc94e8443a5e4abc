"""The Helm adapter for deploys: one protocol, two implementations (binary, embedded SDK).

The binary client builds exact command lines (tested verbatim) and speaks Helm 3 or Helm 4:
Helm 4 renamed ``--atomic`` to ``--rollback-on-failure`` and gave ``--wait`` a strategy.
Every Helm failure becomes a :class:`HelmDeployError` whose ``reason`` says which of the
known situations happened (cluster unreachable, forbidden, release pending, timeout, not
found) and whose message keeps Helm's own words on one line.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from kubealign.deploy.sdk_apply import run_in_child
from kubealign.errors import DeployError, UsageError
from kubealign.validate.helm_support import choose_backend

Reason = Literal["unreachable", "forbidden", "pending", "timeout", "not-found", "helm"]

# Extra time beyond Helm's own --timeout before the process is considered hung.
_PROCESS_GRACE_SECONDS = 60
_VERSION = re.compile(r"v(\d+)\.(\d+)")

# Order matters: the first matching situation wins ("i/o timeout" on dial is unreachable).
_SITUATIONS: tuple[tuple[Reason, re.Pattern[str]], ...] = (
    (
        "pending",
        re.compile(
            r"another operation \(install/upgrade/rollback\) is in progress|"
            r"pending-(install|upgrade|rollback)|has no deployed releases"
        ),
    ),
    ("forbidden", re.compile(r"forbidden|unauthorized|\bcannot (get|list|create|patch|update)")),
    (
        "unreachable",
        re.compile(
            r"cluster unreachable|connection refused|no such host|dial tcp|"
            r"context \".*\" does not exist|no configuration has been provided|"
            r"couldn't get current server api group list|network is unreachable"
        ),
    ),
    ("timeout", re.compile(r"timed out|deadline exceeded|timeout")),
    ("not-found", re.compile(r"release: not found|not found")),
)


class HelmDeployError(DeployError):
    """A Helm operation failed; ``reason`` names the situation for callers to act on."""

    def __init__(self, message: str, *, reason: Reason) -> None:
        super().__init__(message)
        self.reason: Reason = reason


@dataclass(frozen=True, slots=True)
class Target:
    """Where a release lives: namespace and kube context (``None`` = current context)."""

    release: str
    namespace: str
    kube_context: str | None = None

    def describe(self) -> str:
        context = f"context {self.kube_context!r}" if self.kube_context else "the current context"
        return f"{context}, namespace {self.namespace!r}"


@dataclass(frozen=True, slots=True)
class UpgradeOptions:
    """How ``upgrade --install`` runs; the defaults are the safe ones for a real deploy."""

    timeout: int = 300
    wait: bool = True
    rollback_on_failure: bool = True
    dry_run: bool = False
    create_namespace: bool = False


@dataclass(frozen=True, slots=True)
class ReleaseInfo:
    name: str
    namespace: str
    revision: int
    status: str
    chart: str
    updated: str = ""
    description: str = ""
    manifest: str = ""


@dataclass(frozen=True, slots=True)
class ReleaseRevision:
    revision: int
    status: str
    chart: str
    updated: str = ""
    description: str = ""


def fold_message(message: str) -> str:
    """Helm's message on one line, without its ``Error:`` prefixes."""
    lines = (line.strip().removeprefix("Error: ") for line in message.strip().splitlines())
    return " ".join(line for line in lines if line) or "helm failed without a message"


def classify_failure(message: str, target: Target, timeout: int | None = None) -> HelmDeployError:
    """Map a Helm message to a :class:`HelmDeployError` with a message users can act on."""
    said = fold_message(message)
    lowered = said.lower()
    reason: Reason = next(
        (name for name, pattern in _SITUATIONS if pattern.search(lowered)), "helm"
    )
    where = target.describe()
    text = {
        "unreachable": f"no Kubernetes cluster reachable through {where}: {said}",
        "forbidden": f"permission denied for release {target.release!r} in {where}: {said}",
        "pending": (
            f"release {target.release!r} is stuck in a pending state (an earlier operation "
            f"was interrupted); roll it back first (kubealign rollback, or helm rollback "
            f"{target.release} -n {target.namespace}): {said}"
        ),
        "timeout": (
            f"timed out{f' after {timeout}s' if timeout else ''} waiting for release "
            f"{target.release!r} in {where}: {said}"
        ),
        "not-found": f"release {target.release!r} not found in {where}",
        "helm": f"helm failed for release {target.release!r}: {said}",
    }[reason]
    return HelmDeployError(text, reason=reason)


class HelmClient(Protocol):
    """What deploy, status and rollback need from Helm."""

    def upgrade_install(
        self,
        target: Target,
        chart: Path,
        value_files: Sequence[Path],
        options: UpgradeOptions,
    ) -> ReleaseInfo: ...

    def status(self, target: Target, *, revision: int | None = None) -> ReleaseInfo: ...

    def history(self, target: Target) -> list[ReleaseRevision]: ...

    def rollback(
        self, target: Target, revision: int | None, *, timeout: int, wait: bool
    ) -> None: ...


def _chart_label(name: Any, version: Any) -> str:
    return f"{name}-{version}" if name and version else str(name or "")


def release_from_binary(data: Mapping[str, Any]) -> ReleaseInfo:
    """``helm status|upgrade -o json`` (a stored release) to :class:`ReleaseInfo`."""
    info = data.get("info") or {}
    metadata = (data.get("chart") or {}).get("metadata") or {}
    return ReleaseInfo(
        name=str(data.get("name", "")),
        namespace=str(data.get("namespace", "")),
        revision=int(data.get("version", 0)),
        status=str(info.get("status", "")),
        chart=_chart_label(metadata.get("name"), metadata.get("version")),
        updated=str(info.get("last_deployed", "")),
        description=str(info.get("description", "")),
        manifest=str(data.get("manifest", "")),
    )


def release_from_sdk(data: Mapping[str, Any]) -> ReleaseInfo:
    """The SDK's release summary to :class:`ReleaseInfo`."""
    return ReleaseInfo(
        name=str(data.get("name", "")),
        namespace=str(data.get("namespace", "")),
        revision=int(data.get("revision", 0)),
        status=str(data.get("status", "")),
        chart=_chart_label(data.get("chart_name"), data.get("chart_version")),
        updated=str(data.get("deployed_at", "")),
        description=str(data.get("description", "")),
        manifest=str(data.get("manifest", "")),
    )


class BinaryHelmClient:
    """Runs the ``helm`` executable. ``major`` is detected with ``helm version --short``."""

    def __init__(self, executable: str = "helm", *, major: int | None = None) -> None:
        self.executable = executable
        self._major = major

    @property
    def major(self) -> int:
        if self._major is None:
            done = self._run([self.executable, "version", "--short"], None, 30)
            match = _VERSION.search(done)
            if match is None:
                raise HelmDeployError(
                    f"cannot tell the Helm version from {done.strip()!r}", reason="helm"
                )
            self._major = int(match.group(1))
        return self._major

    def _scope(self, target: Target) -> list[str]:
        scope = ["--namespace", target.namespace]
        if target.kube_context:
            scope += ["--kube-context", target.kube_context]
        return scope

    def _wait_flag(self) -> str:
        # Helm 4's bare --wait means "watcher"; spelling it out keeps the line unambiguous.
        return "--wait=watcher" if self.major >= 4 else "--wait"

    def upgrade_command(
        self,
        target: Target,
        chart: Path,
        value_files: Sequence[Path],
        options: UpgradeOptions,
    ) -> list[str]:
        command = [self.executable, "upgrade", target.release, str(chart), "--install"]
        command += self._scope(target)
        if options.create_namespace:
            command.append("--create-namespace")
        for path in value_files:
            command += ["--values", str(path)]
        command += ["--timeout", f"{options.timeout}s"]
        if options.wait:
            command.append(self._wait_flag())
        if options.rollback_on_failure:
            command.append("--rollback-on-failure" if self.major >= 4 else "--atomic")
        if options.dry_run:
            command.append("--dry-run=client" if self.major >= 4 else "--dry-run")
        command += ["--output", "json"]
        return command

    def status_command(self, target: Target, revision: int | None = None) -> list[str]:
        at = ["--revision", str(revision)] if revision is not None else []
        return [self.executable, "status", target.release, *at, *self._scope(target),
                "--output", "json"]

    def history_command(self, target: Target) -> list[str]:
        return [
            self.executable, "history", target.release, *self._scope(target), "--output", "json",
        ]  # fmt: skip

    def rollback_command(
        self, target: Target, revision: int | None, *, timeout: int, wait: bool
    ) -> list[str]:
        command = [self.executable, "rollback", target.release]
        if revision is not None:
            command.append(str(revision))
        command += self._scope(target)
        command += ["--timeout", f"{timeout}s"]
        if wait:
            command.append(self._wait_flag())
        return command

    def _run(self, command: list[str], target: Target | None, timeout: int) -> str:
        scope = target or Target(release="", namespace="")
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=timeout + _PROCESS_GRACE_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise classify_failure("helm process timed out", scope, timeout) from None
        except OSError as exc:
            raise HelmDeployError(
                f"cannot run {command[0]}: {exc.strerror}", reason="helm"
            ) from None
        if done.returncode != 0:
            raise classify_failure(done.stderr or done.stdout, scope, timeout)
        return done.stdout

    def _json(self, command: list[str], target: Target, timeout: int) -> Any:
        output = self._run(command, target, timeout)
        try:
            return json.loads(output)
        except json.JSONDecodeError:
            raise HelmDeployError(
                f"helm printed something other than JSON: {fold_message(output)[:200]}",
                reason="helm",
            ) from None

    def upgrade_install(
        self,
        target: Target,
        chart: Path,
        value_files: Sequence[Path],
        options: UpgradeOptions,
    ) -> ReleaseInfo:
        command = self.upgrade_command(target, chart, value_files, options)
        return release_from_binary(self._json(command, target, options.timeout))

    def status(self, target: Target, *, revision: int | None = None) -> ReleaseInfo:
        return release_from_binary(self._json(self.status_command(target, revision), target,
                                              60))

    def history(self, target: Target) -> list[ReleaseRevision]:
        rows = self._json(self.history_command(target), target, 60) or []
        return [
            ReleaseRevision(
                revision=int(row.get("revision", 0)),
                status=str(row.get("status", "")),
                chart=str(row.get("chart", "")),
                updated=str(row.get("updated", "")),
                description=str(row.get("description", "")),
            )
            for row in rows
        ]

    def rollback(self, target: Target, revision: int | None, *, timeout: int, wait: bool) -> None:
        self._run(
            self.rollback_command(target, revision, timeout=timeout, wait=wait), target, timeout
        )


def _sdk_values(value_files: Sequence[Path]) -> dict[str, Any]:
    """Values files read by Helm's YAML reader, merged as ``-f a -f b`` merges them."""
    import helm_python

    def deep(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
        for key, value in top.items():
            below = base.get(key)
            base[key] = (
                deep(dict(below), value)
                if isinstance(below, dict) and isinstance(value, Mapping)
                else value
            )
        return base

    merged: dict[str, Any] = {}
    for path in value_files:
        try:
            text = path.read_text(encoding="utf-8")
            merged = deep(merged, helm_python.values_from_yaml(text) if text.strip() else {})
        except OSError as exc:
            raise DeployError(f"cannot read values file: {exc.strerror}", path=path) from None
        except helm_python.HelmError as exc:
            raise DeployError(fold_message(str(exc)), path=path) from None
    return merged


class SdkHelmClient:
    """The embedded Helm 4 SDK (``helm-python-sdk``): no binary needed.

    ``kubeconfig`` defaults to Helm's usual resolution (``KUBECONFIG``, ``~/.kube/config``).
    """

    def __init__(self, kubeconfig: Path | None = None) -> None:
        self.kubeconfig = kubeconfig

    def _call(self, target: Target, timeout: int | None, action: Any) -> Any:
        import helm_python

        try:
            with helm_python.Config(
                kubeconfig_path=self.kubeconfig,
                kube_context=target.kube_context,
                namespace=target.namespace,
            ) as config:
                return action(config)
        except helm_python.HelmError as exc:
            raise classify_failure(str(exc), target, timeout) from None

    def upgrade_install(
        self,
        target: Target,
        chart: Path,
        value_files: Sequence[Path],
        options: UpgradeOptions,
    ) -> ReleaseInfo:
        values = _sdk_values(value_files)
        common: dict[str, Any] = {
            "namespace": target.namespace,
            "timeout": options.timeout,
            "wait": "watcher" if options.wait else None,
            "rollback_on_failure": options.rollback_on_failure,
        }

        if options.dry_run:
            # A client-side dry run needs no cluster: it renders what would be installed.
            return release_from_sdk(self._call(
                target, options.timeout,
                lambda c: c.install(str(chart), target.release, values, dry_run="client",
                                    **common)))
        return release_from_sdk(self._apply(target, options.timeout, {
            "op": "upgrade_install", "release": target.release, "chart": str(chart),
            "values": values, "create_namespace": options.create_namespace, "kwargs": common,
        }))

    def _apply(self, target: Target, timeout: int, request: dict[str, Any]) -> Mapping[str, Any]:
        """Install, upgrade or rollback in a child process that applies as field manager
        ``helm``, as the binary does (deploy/sdk_apply.py says why)."""
        request = {**request, "namespace": target.namespace, "kube_context": target.kube_context,
                   "kubeconfig": str(self.kubeconfig) if self.kubeconfig else None}
        try:
            answer = run_in_child(request, timeout + _PROCESS_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            raise classify_failure("helm process timed out", target, timeout) from None
        if "error" in answer:
            raise classify_failure(str(answer["error"]), target, timeout)
        release = answer.get("release")
        return release if isinstance(release, Mapping) else {}

    def status(self, target: Target, *, revision: int | None = None) -> ReleaseInfo:
        return release_from_sdk(self._call(
            target, None, lambda c: c.status(target.release, revision=revision)))

    def history(self, target: Target) -> list[ReleaseRevision]:
        rows = self._call(target, None, lambda c: c.history(target.release))
        return [
            ReleaseRevision(
                revision=info.revision,
                status=info.status,
                chart=info.chart,
                updated=info.updated,
                description=info.description,
            )
            for info in (release_from_sdk(row) for row in rows or [])
        ]

    def rollback(self, target: Target, revision: int | None, *, timeout: int, wait: bool) -> None:
        self._apply(target, timeout, {"op": "rollback", "release": target.release, "kwargs": {
            "version": revision, "timeout": timeout, "wait": "watcher" if wait else None}})


def select_helm_client() -> HelmClient:
    """The binary when ``helm`` is on PATH, else the SDK; ``KUBEALIGN_HELM`` forces one."""
    if choose_backend() == "sdk":
        return SdkHelmClient()
    executable = shutil.which("helm")
    if executable is None:  # choose_backend checked it; the PATH changed meanwhile
        raise UsageError("no helm executable is on PATH")
    return BinaryHelmClient(executable)
