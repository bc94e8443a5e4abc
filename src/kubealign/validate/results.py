"""Result types of a validation run: per object, per violation, and the whole report."""

from __future__ import annotations

from dataclasses import dataclass, field

from kubealign.validate.schema_compiler import Path


def dotted(path: Path) -> str:
    """``("spec", "containers", 0, "image")`` -> ``spec.containers[0].image``."""
    text = ""
    for token in path:
        if isinstance(token, int):
            text += f"[{token}]"
        else:
            text += ("." if text else "") + token
    return text or "(object)"


@dataclass(frozen=True, slots=True, order=True)
class Violation:
    """One problem in one object, found by one check."""

    check: str  # "schema", "crd", or a policy rule id
    path: Path
    message: str
    line: int | None = None

    @property
    def where(self) -> str:
        return dotted(self.path)


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """Which object and where it came from (file or chart template, document index)."""

    source: str
    document: int
    api_version: str
    kind: str
    name: str
    namespace: str = ""
    environment: str = ""

    def label(self) -> str:
        return f"{self.kind or '?'}/{self.name or '?'}"


@dataclass(frozen=True, slots=True)
class ObjectResult:
    ref: ObjectRef
    violations: tuple[Violation, ...] = ()
    # Set when no schema knows the kind: the object was not validated, which is not an error.
    skipped: str = ""

    @property
    def valid(self) -> bool:
        return not self.violations


@dataclass(frozen=True, slots=True)
class ValidationReport:
    kube_version: str
    strict: bool
    results: tuple[ObjectResult, ...]
    # Things worth telling the user that are not object results (skipped files, envs…).
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def invalid(self) -> tuple[ObjectResult, ...]:
        return tuple(r for r in self.results if r.violations)

    @property
    def skipped(self) -> tuple[ObjectResult, ...]:
        return tuple(r for r in self.results if r.skipped and not r.violations)

    @property
    def ok(self) -> bool:
        return not self.invalid

    def summary(self) -> str:
        total = len(self.results)
        return (
            f"{total} object(s): {total - len(self.invalid) - len(self.skipped)} valid, "
            f"{len(self.invalid)} invalid, {len(self.skipped)} without schema "
            f"(Kubernetes {self.kube_version}{', strict' if self.strict else ''})"
        )
