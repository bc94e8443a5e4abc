"""Kubernetes label selector semantics, shared by the checks that need to know what a
selector selects (a workload's own pods, a PodDisruptionBudget's or NetworkPolicy's pods)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def selects(selector: Any, labels: Any) -> bool:
    """Whether ``selector`` (``matchLabels`` and ``matchExpressions`` with In, NotIn, Exists,
    DoesNotExist) selects ``labels``. No selector (not a mapping) selects nothing."""
    if not isinstance(selector, Mapping):
        return False
    labels = labels if isinstance(labels, Mapping) else {}
    match = selector.get("matchLabels")
    for key, value in (match if isinstance(match, Mapping) else {}).items():
        if labels.get(key) != value:
            return False
    expressions = selector.get("matchExpressions")
    for expression in expressions if isinstance(expressions, list) else ():
        if not isinstance(expression, Mapping):
            continue
        key, operator = expression.get("key"), expression.get("operator")
        values = expression.get("values") or ()
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and key in labels and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True
