"""What a rule is: metadata, documentation (its docstring) and a ``check`` generator."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import ClassVar

from kubealign.model.findings import Finding, Severity
from kubealign.rules.context import AuditContext

#: Rule categories (kept in step with kubealign.model.audit.CATEGORIES).
RULE_CATEGORIES = frozenset(
    {
        "strategy", "compose", "swarm", "secrets", "service-discovery", "resources", "gpu",
        "networking", "dockerfile", "kubernetes", "scripts", "debt",
    }
)  # fmt: skip


class Rule:
    """Base class. Subclasses set the class attributes and write a docstring whose first
    paragraph is the summary and which has a ``Why`` and a ``Fix`` section."""

    id: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    category: ClassVar[str]
    #: Artifact kinds the rule reads (documentation and ``rules list``).
    targets: ClassVar[tuple[str, ...]] = ()
    #: What one finding of the rule stands for, the root cause its ``key`` names ("hard-coded
    #: IP address"); every place it shows up is an occurrence (``docs/rules/``).
    root_cause: ClassVar[str] = "place (file and line)"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        raise NotImplementedError

    def finding(
        self,
        message: str,
        path: str | None,
        line: int | None = None,
        *,
        fix: str | None = None,
        severity: Severity | None = None,
        key: str = "",
        detail: str = "",
    ) -> Finding:
        """One place of a finding. ``key`` names its root cause (see :attr:`root_cause`;
        "" = the place itself): places sharing a key become one finding, ``message`` is the
        root cause's and ``detail`` what is at this place."""
        return Finding(
            rule=self.id,
            severity=severity if severity is not None else self.severity,
            message=message,
            path=path,
            line=line,
            fix=fix if fix is not None else self.fix_hint(),
            category=self.category,
            key=key,
            detail=detail,
        )

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        return cls.documentation().split("\n\n", 1)[0].replace("\n", " ").strip()

    @classmethod
    def section(cls, title: str) -> str:
        """The text of a ``Title:`` section of the docstring ("" when absent)."""
        lines = cls.documentation().splitlines()
        collected: list[str] = []
        inside = False
        for line in lines:
            if line.strip() in {f"{t}:" for t in ("Why", "Fix", "Example")}:
                inside = line.strip() == f"{title}:"
                continue
            if inside:
                collected.append(line)
        return "\n".join(collected).strip()

    @classmethod
    def fix_hint(cls) -> str:
        cached = _FIX_HINTS.get(cls)
        if cached is None:
            cached = _FIX_HINTS[cls] = " ".join(cls.section("Fix").split())
        return cached


_FIX_HINTS: dict[type[Rule], str] = {}
