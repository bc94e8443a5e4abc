"""Swarm placement to Kubernetes scheduling.

Constraints are AND-ed in Swarm, which is exactly one ``nodeSelectorTerm`` with several
``matchExpressions``. ``node.labels.*`` maps one to one; platform keys map to the well-known
``kubernetes.io/*`` labels; ``node.role`` and engine labels have no portable equivalent and
come back as notes instead of being dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Operator = Literal["In", "NotIn"]

_CONSTRAINT = re.compile(r"^\s*(?P<key>[A-Za-z0-9_.\-/]+)\s*(?P<op>==|!=)\s*(?P<value>.+?)\s*$")

_WELL_KNOWN = {
    "node.hostname": "kubernetes.io/hostname",
    "node.platform.os": "kubernetes.io/os",
    "node.platform.arch": "kubernetes.io/arch",
}


@dataclass(frozen=True, slots=True)
class NodeRequirement:
    key: str
    operator: Operator
    values: tuple[str, ...]

    def as_match_expression(self) -> dict[str, object]:
        return {"key": self.key, "operator": self.operator, "values": list(self.values)}


@dataclass(frozen=True, slots=True)
class PlacementTranslation:
    requirements: tuple[NodeRequirement, ...]
    spread_keys: tuple[str, ...]
    notes: tuple[str, ...]


def translate_constraint(text: str) -> tuple[NodeRequirement | None, str | None]:
    """One Swarm constraint -> a node requirement, or a note saying why not."""
    match = _CONSTRAINT.match(text)
    if match is None:
        return None, f"placement constraint {text!r} does not parse (expected key==value or !=)"
    key, op, value = match.group("key"), match.group("op"), match.group("value").strip("'\"")
    operator: Operator = "In" if op == "==" else "NotIn"
    if not value.strip():
        # Usually a variable unset at conversion time; an empty selector value matches no
        # node that was labelled on purpose, so the pod would never schedule.
        return None, f"placement constraint {text!r} compares with an empty value; dropped"
    if key.startswith("node.labels."):
        return NodeRequirement(key[len("node.labels.") :], operator, (value,)), None
    if key in _WELL_KNOWN:
        req = NodeRequirement(_WELL_KNOWN[key], operator, (_platform_value(key, value),))
        if key == "node.hostname":
            return req, (
                f"constraint {text!r} pins a host by name: kept as kubernetes.io/hostname, "
                "which only holds if node names match Swarm hostnames"
            )
        return req, None
    if key == "node.role":
        if value == "manager" and operator == "In":
            return None, (
                f"constraint {text!r}: Kubernetes keeps workloads off control-plane nodes; "
                "dropped (use a node label if the service really needs a specific node)"
            )
        return None, f"constraint {text!r} is what Kubernetes does by default; dropped"
    if key.startswith("engine.labels."):
        return None, f"constraint {text!r}: Docker engine labels have no Kubernetes equivalent"
    if key == "node.id":
        return None, f"constraint {text!r}: Swarm node ids do not exist in Kubernetes"
    return None, f"constraint {text!r}: unknown placement key {key!r}"


def _platform_value(key: str, value: str) -> str:
    if key == "node.platform.arch":
        # Swarm reports uname names; Kubernetes uses Go's GOARCH names.
        return {"x86_64": "amd64", "aarch64": "arm64"}.get(value, value)
    return value


def translate_placement(
    constraints: tuple[str, ...], preferences: tuple[str, ...]
) -> PlacementTranslation:
    requirements: list[NodeRequirement] = []
    notes: list[str] = []
    for constraint in constraints:
        requirement, note = translate_constraint(constraint)
        if requirement is not None:
            requirements.append(requirement)
        if note is not None:
            notes.append(note)
    spread: list[str] = []
    for preference in preferences:
        if preference.startswith("node.labels."):
            spread.append(preference[len("node.labels.") :])
        else:
            notes.append(f"placement preference spread={preference!r} has no Kubernetes label")
    return PlacementTranslation(tuple(requirements), tuple(spread), tuple(notes))
