"""``kubealign.yaml`` as people read and edit it: short sections, each decision explained in
a comment right above it, the doubtful files listed at the end."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from kubealign.emit.values_yaml import dump_yaml
from kubealign.model.plan import Plan
from kubealign.transform.plan.codec import plan_to_data

HEADER = (
    "kubealign.yaml: the environments of this repository, as `kubealign plan` found them.",
    "Edit it freely (`kubealign convert` reads it; comments are only explanations). "
    "Paths are relative to the repository: "
    "`root`, itself relative to this file (absent: this file's folder). Running `kubealign "
    "plan` again merges with your edits. Each environment is converted alone; the `base` "
    "environment's values become chart/values.yaml and each other environment's differences "
    "chart/values-<env>.yaml.",
)

_SECTION_HELP = {
    "migrationOrder": "Order to move environments to Kubernetes.",
    "gpu": "Node label that selects a GPU pool (`gpu-type` keeps what `kubectl label` sets; use "
           "`nvidia.com/gpu.product` to select GPU Feature Discovery labels, then give each pool "
           "its product as `label`).",
    "gitops": "Where Argo CD finds the generated chart (flags --repo-url/--revision win).",
    "environments": "One entry per environment: the compose chain a script, Makefile, CI job "
                    "or doc runs (files in `-f` order, project directory, `--env-file`, "
                    "profiles; `invokedBy` says where), the GPU node pool (`servicePools` pins "
                    "one service to another pool) and `status`: deployed (Argo CD syncs it), "
                    "documented, referenced (a live script names the file) or dead (nothing "
                    "runs it); only deployed environments are synced automatically.",
    "nodePools": "GPU node pools: `kubealign cluster` prints the labels and taints they need.",
    "services": "One service under different names: `names` maps environment -> compose name "
                "converted under the entry's name. Delete an entry to keep the names apart.",
    "components": "Compose projects in other folders that belong to the platform: their "
                  "services are added to every environment.",
    "separateReleases": "Compose projects that are not part of the platform (not converted).",
    "ambiguous": "Files detection was not sure about: check them, then delete this list.",
}


def _comment(lines: Sequence[str], indent: int) -> list[str]:
    pad = " " * indent
    out: list[str] = []
    for line in lines:
        for piece in textwrap.wrap(line, width=96 - indent, break_long_words=False,
                                   break_on_hyphens=False) or [""]:
            out.append(f"{pad}# {piece}".rstrip())
    return out


# Scalars are never folded: a folded line depends on its indentation, and the plan must come
# back byte for byte when rewritten by a comment-keeping YAML library (emit/plan_document.py).
UNFOLDED = 4096


def _block(key: str, value: Any, indent: int) -> list[str]:
    text = dump_yaml({key: value}, width=UNFOLDED).rstrip("\n")
    pad = " " * indent
    return [pad + line if line.strip() else line for line in text.splitlines()]


def render_plan(plan: Plan, notes: Mapping[str, Sequence[str]] | None = None) -> str:
    """The plan file text; ``notes`` maps a plan pointer to the comment above it."""
    notes = notes or {}
    data = plan_to_data(plan)
    out = _comment(HEADER, 0)
    for key, value in data.items():
        help_text = _SECTION_HELP.get(key)
        own = notes.get(f"/{key}", ())
        if isinstance(value, Mapping) and key in ("environments", "nodePools", "services"):
            out.append("")
            out.extend(_comment([help_text] if help_text else [], 0))
            if not value:
                out.append(f"{key}: {{}}")
                continue
            out.append(f"{key}:")
            for name, entry in value.items():
                out.extend(_comment(notes.get(f"/{key}/{name}", ()), 2))
                out.extend(_block(name, entry, 2))
            continue
        if isinstance(value, list | Mapping) or help_text or own:
            out.append("")
        out.extend(_comment([*own, *([help_text] if help_text else [])], 0))
        if isinstance(value, list) and not value:
            out.append(f"{key}: []")
        else:
            out.extend(_block(key, value, 0))
    return "\n".join(out) + "\n"
