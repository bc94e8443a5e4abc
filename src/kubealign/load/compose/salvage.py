"""Turn a resolved project that breaks the Compose specification into the typed model anyway.

A migration must not refuse a repository because one service of one file is written wrong;
the file as written never deployed (Docker Compose refuses it too), and that is a finding, not
a reason to lose the environment. In order:

1. mistakes whose meaning is clear are read as meant: ``generic_resources`` written directly
   under ``deploy.resources`` (one level too high, seen in GPU stacks) becomes a reservation;
   a healthcheck ``test`` list without ``CMD``/``CMD-SHELL`` runs as ``CMD``;
2. every other value the specification rejects is set aside, each with a finding naming its
   file and line (all at once, not one per run);
3. image references left incomplete by unset variables (``${REGISTRY}/app:${TAG}`` ->
   ``/app:``) are repaired to what can be read (``app``) with a finding, never kept broken;
4. a value the typed model still cannot read is set aside the same way, and normalisation is
   tried again.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from kubealign.errors import ComposeError
from kubealign.load.compose.interpolate import name_variables, naming_variables
from kubealign.load.compose.loader import RawProject
from kubealign.load.compose.normalize import normalize_data
from kubealign.load.compose.schema import validate_compose
from kubealign.load.compose.tolerance import (
    IMAGE_REPAIRED,
    NO_IMAGE,
    SCHEMA_SALVAGED,
    VALUE_DROPPED,
    Tolerance,
)
from kubealign.model.compose import Project
from kubealign.model.findings import Finding, Severity
from kubealign.model.source import SourceMap, pointer

_MAX_ROUNDS = 50
_HEALTHCHECK_KEYWORDS = frozenset({"NONE", "CMD", "CMD-SHELL"})


def salvage_project(raw: RawProject) -> tuple[Project, list[Finding]]:
    """The typed project of ``raw`` and the findings of what was salvaged or set aside
    (errors and findings name interpolated variables, never their values)."""
    with naming_variables(raw.expansions):
        project, findings = _salvage(raw)
    return project, [dataclasses.replace(
        f, message=name_variables(f.message, raw.expansions),
        fix=name_variables(f.fix, raw.expansions) if f.fix else f.fix) for f in findings]


def _salvage(raw: RawProject) -> tuple[Project, list[Finding]]:
    tolerance = Tolerance()
    data: dict[str, Any] = copy.deepcopy(raw.data)
    fallback = str(raw.files[0]) if raw.files else None
    _read_as_meant(data, raw.sources, tolerance)
    _set_aside_violations(data, raw.sources, tolerance, fallback)
    _repair_images(data, raw.sources, tolerance)
    for _ in range(_MAX_ROUNDS):
        try:
            project = normalize_data(data, name=raw.name, sources=raw.sources,
                                     project_directory=raw.project_directory, files=raw.files)
        except ComposeError as exc:
            if exc.pointer is None or not exc.pointer.startswith("/services/") or not _drop(
                    data, exc.pointer):
                raise
            tolerance.record_error(VALUE_DROPPED, Severity.HIGH, exc,
                                   "the value is left out (Docker Compose refuses it too)")
            continue
        return project, tolerance.findings
    raise ComposeError("too many values kubealign cannot read", path=fallback)


def _services(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    services = data.get("services")
    if not isinstance(services, dict):
        return {}
    return {k: v for k, v in services.items() if isinstance(v, dict)}


def _where(sources: SourceMap, ptr: str) -> tuple[str | None, int | None]:
    span = sources.nearest(ptr)
    return (span.path, span.line) if span is not None else (None, None)


def _read_as_meant(data: dict[str, Any], sources: SourceMap, tolerance: Tolerance) -> None:
    for name, service in _services(data).items():
        deploy = service.get("deploy")
        resources = deploy.get("resources") if isinstance(deploy, dict) else None
        if isinstance(resources, dict) and "generic_resources" in resources:
            reservations = resources.setdefault("reservations", {})
            if isinstance(reservations, dict) and "generic_resources" not in reservations:
                reservations["generic_resources"] = resources.pop("generic_resources")
                path, line = _where(sources, pointer("services", name, "deploy", "resources",
                                                     "generic_resources"))
                tolerance.record(
                    SCHEMA_SALVAGED, Severity.HIGH,
                    f"service {name}: `generic_resources` is written directly under "
                    "deploy.resources, where the Compose specification does not allow it: this "
                    "file as written never deployed (Docker Compose refuses it); read as "
                    "deploy.resources.reservations.generic_resources, what it clearly means",
                    path=path, line=line,
                    fix="move generic_resources under deploy.resources.reservations")
        health = service.get("healthcheck")
        test = health.get("test") if isinstance(health, dict) else None
        if isinstance(test, list) and test and str(test[0]) not in _HEALTHCHECK_KEYWORDS:
            assert isinstance(health, dict)
            health["test"] = ["CMD", *test]
            path, line = _where(sources, pointer("services", name, "healthcheck", "test"))
            tolerance.record(
                SCHEMA_SALVAGED, Severity.MEDIUM,
                f"service {name}: healthcheck test list does not start with CMD, CMD-SHELL or "
                "NONE (Docker Compose refuses it); read as CMD",
                path=path, line=line, fix="start the test list with \"CMD\"")


def _set_aside_violations(data: dict[str, Any], sources: SourceMap, tolerance: Tolerance,
                          fallback: str | None) -> None:
    for _ in range(_MAX_ROUNDS):
        violations = validate_compose(data, sources)
        if not violations:
            return
        dropped = False
        for violation in sorted(violations, key=lambda v: _sort_key(v.pointer), reverse=True):
            if _drop(data, violation.pointer):
                dropped = True
                span = violation.span
                tolerance.record(
                    SCHEMA_SALVAGED if "unknown key" in violation.message else VALUE_DROPPED,
                    Severity.HIGH,
                    f"{violation.path}: {violation.message}; the value is left out (Docker "
                    "Compose refuses the file as written)",
                    path=span.path if span else fallback, line=span.line if span else None)
        if not dropped:
            raise violations[0].to_error(fallback)
    raise ComposeError("too many values outside the Compose specification", path=fallback)


def _sort_key(ptr: str) -> tuple[tuple[int, int | str], ...]:
    tokens = ptr.split("/")[1:]
    return tuple((0, int(t)) if t.isdigit() else (1, t) for t in tokens)


def _drop(data: dict[str, Any], ptr: str) -> bool:
    """Remove the value at ``ptr``; False when there is nothing there."""
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in ptr.split("/")[1:]]
    if len(tokens) < 2:
        return False
    node: Any = data
    for token in tokens[:-1]:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return False
    last = tokens[-1]
    if isinstance(node, dict) and last in node:
        del node[last]
        return True
    if isinstance(node, list) and last.isdigit() and int(last) < len(node):
        del node[int(last)]
        return True
    return False


_EMPTY_PARTS = re.compile(r"^/+|(?<=/)/+|[:@]+$|:(?=@)")


def repaired_image(image: str) -> str:
    """An image reference with the gaps unset variables left taken out (``/app:`` -> ``app``,
    ``reg//app:`` -> ``reg/app``); unchanged when there is no gap."""
    text = image.strip()
    previous = None
    while previous != text:
        previous = text
        text = _EMPTY_PARTS.sub("", text)
    return text


def _repair_images(data: dict[str, Any], sources: SourceMap, tolerance: Tolerance) -> None:
    for name, service in _services(data).items():
        image = service.get("image")
        ptr = pointer("services", name, "image")
        if isinstance(image, str):
            fixed = repaired_image(image)
            if fixed != image:
                path, line = _where(sources, ptr)
                if fixed:
                    service["image"] = fixed
                else:
                    del service["image"]
                tolerance.record(
                    IMAGE_REPAIRED, Severity.HIGH,
                    f"service {name}: image reference {image!r} is incomplete (variables in it "
                    f"are unset); " + (f"read as {fixed!r}" if fixed else "no image is left"),
                    path=path, line=line,
                    fix="set the variables (registry, tag) or the environment's image values")
        if "image" not in service and "build" not in service:
            path, line = _where(sources, pointer("services", name))
            tolerance.record(
                NO_IMAGE, Severity.HIGH,
                f"service {name} has neither an image nor a build section: nothing says what "
                "it runs", path=path, line=line,
                fix="give it an image (or a build) in the compose file")
