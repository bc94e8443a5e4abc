"""Documentation that talks about deployment."""

from __future__ import annotations

import re

from kubealign.model.inventory import DocsInfo

_TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("argocd", re.compile(r"\bargo\s?cd\b|\bargocd\b", re.IGNORECASE)),
    ("compose", re.compile(r"\bdocker[- ]compose\b|\bcompose\.ya?ml\b", re.IGNORECASE)),
    ("deployment", re.compile(r"\bdeploy(?:ment|ing|s|ed)?\b", re.IGNORECASE)),
    ("helm", re.compile(r"\bhelm\b", re.IGNORECASE)),
    ("kubernetes", re.compile(r"\bkubernetes\b|\bk8s\b|\bkubectl\b", re.IGNORECASE)),
    ("kustomize", re.compile(r"\bkustomiz(?:e|ation)\b", re.IGNORECASE)),
    ("swarm", re.compile(r"\bswarm\b|\bdocker stack\b", re.IGNORECASE)),
)


def docs_info(text: str) -> DocsInfo | None:
    """The deployment topics a document mentions, or None when it mentions none."""
    topics = tuple(name for name, regex in _TOPICS if regex.search(text))
    return DocsInfo(topics=topics) if topics else None
