"""Swarm's task templates in environment values (``NODE_NAME=core-{{.Task.Slot}}``).

Swarm expands ``{{.Service.Name}}``, ``{{.Node.Hostname}}``, ``{{.Task.Slot}}``… per task;
passed on as text, every replica got the same literal value (an Erlang cluster whose nodes
all call themselves ``core-{{.Task.Slot}}``). Kubernetes has the same facts in the pod's own
fields: each becomes a variable read with the downward API (``fieldEnv``, rendered first)
and referenced as ``$(VAR)``, which Kubernetes expands in the variables after it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

#: ``{{.Task.Slot}}``, ``{{ .Node.Hostname }}``: the placeholders Swarm documents.
_PLACEHOLDER = re.compile(r"\{\{\s*\.(Service|Node|Task)\.([A-Za-z.]+)\s*\}\}")

POD_NAME = ("KUBEALIGN_POD_NAME", "metadata.name")
POD_UID = ("KUBEALIGN_POD_UID", "metadata.uid")
NODE_NAME = ("KUBEALIGN_NODE_NAME", "spec.nodeName")
#: Set by the StatefulSet controller on each pod (Kubernetes 1.28 and later).
POD_INDEX = ("KUBEALIGN_POD_INDEX", "metadata.labels['apps.kubernetes.io/pod-index']")


@dataclass
class Expanded:
    """Environment values with their placeholders replaced, and what that took."""

    env: dict[str, str]
    #: Variable -> the pod field it reads (``fieldRef.fieldPath``).
    field_env: dict[str, str] = field(default_factory=dict)
    #: Variable -> how its placeholders were replaced (for the ledger).
    approximated: dict[str, list[str]] = field(default_factory=dict)
    #: Variable -> placeholders with no pod field (left as written).
    unconverted: dict[str, list[str]] = field(default_factory=dict)


def has_task_template(value: str) -> bool:
    """A value holding one of Swarm's documented placeholders."""
    return _PLACEHOLDER.search(value) is not None


def is_task_template(name: str) -> bool:
    """A name written as a Go template (``{{.Service.Name}}.{{.Task.Slot}}``): one name per
    task, and never a DNS name, whichever placeholders it uses."""
    return "{{" in name


def _replacement(scope: str, name: str, service: str, stateful: bool
                 ) -> tuple[str, tuple[str, str] | None, str] | None:
    """(text, the field variable it needs, what differs) or None when no pod field fits."""
    placeholder = f"{{{{.{scope}.{name}}}}}"
    if (scope, name) == ("Service", "Name"):
        return service, None, f"{placeholder} -> {service!r} (Swarm's is <stack>_<service>)"
    if (scope, name) == ("Task", "Name"):
        return f"$({POD_NAME[0]})", POD_NAME, f"{placeholder} -> the pod's name"
    if (scope, name) == ("Task", "ID"):
        return f"$({POD_UID[0]})", POD_UID, f"{placeholder} -> the pod's UID"
    if scope == "Node" and name in ("Hostname", "ID"):
        return f"$({NODE_NAME[0]})", NODE_NAME, f"{placeholder} -> the node's name"
    if (scope, name) == ("Task", "Slot") and stateful:
        return (f"$({POD_INDEX[0]})", POD_INDEX,
                f"{placeholder} -> the StatefulSet pod's index (from 0; Swarm's slots count "
                "from 1)")
    if (scope, name) == ("Task", "Slot"):
        return (f"$({POD_NAME[0]})", POD_NAME,
                f"{placeholder} -> the pod's name: unique per pod, but no small stable number "
                "(only a StatefulSet numbers its pods)")
    return None


def expand_task_templates(env: Mapping[str, str], service: str, *, stateful: bool) -> Expanded:
    """``env`` with every placeholder a pod field can stand for replaced by a reference."""
    result = Expanded(env=dict(env))
    for variable, value in env.items():
        if not has_task_template(value):
            continue

        def substitute(match: re.Match[str], variable: str = variable) -> str:
            found = _replacement(match.group(1), match.group(2), service, stateful)
            if found is None:
                result.unconverted.setdefault(variable, []).append(match.group(0))
                return match.group(0)
            text, needs, note = found
            if needs is not None:
                result.field_env[needs[0]] = needs[1]
            result.approximated.setdefault(variable, []).append(note)
            return text

        result.env[variable] = _PLACEHOLDER.sub(substitute, value)
    return result
