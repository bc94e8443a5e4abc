"""GPU models as people write them (file names, comments, labels, env values, docs).

Each model has a short pool id (what Swarm labels and env files already use: ``gh200``,
``rtx6000``), a display name, and the ``nvidia.com/gpu.product`` value GPU Feature Discovery
reports for the common board of that model (a starting point to check with
``kubectl get nodes -L nvidia.com/gpu.product``; boards differ, e.g. SXM vs PCIe).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class GpuModel:
    id: str
    display: str
    product: str
    pattern: re.Pattern[str]


def _model(model_id: str, display: str, product: str, pattern: str) -> GpuModel:
    return GpuModel(model_id, display, product, re.compile(pattern, re.IGNORECASE))


# Order matters where one name contains another: A100 before A10, RTX A6000 before RTX 6000.
GPU_MODELS: tuple[GpuModel, ...] = (
    _model("gh200", "GH200", "NVIDIA-GH200-480GB", r"(?<![A-Za-z0-9])GH200(?![0-9])"),
    _model("h200", "H200", "NVIDIA-H200", r"(?<![A-Za-z0-9])H200(?![0-9])"),
    _model("h100", "H100", "NVIDIA-H100-80GB-HBM3", r"(?<![A-Za-z0-9])H100(?![0-9])"),
    _model("b200", "B200", "NVIDIA-B200", r"(?<![A-Za-z0-9])B200(?![0-9])"),
    _model("a100", "A100", "NVIDIA-A100-SXM4-80GB", r"(?<![A-Za-z0-9])A100(?![0-9])"),
    _model("a6000", "RTX A6000", "NVIDIA-RTX-A6000",
           r"(?<![A-Za-z0-9])(?:RTX[ -]?)?A6000(?![0-9])"),
    _model("rtx6000", "RTX 6000 Ada", "NVIDIA-RTX-6000-Ada-Generation",
           r"(?<![A-Za-z0-9])RTX[ -]?6000(?![0-9])(?:[ -]?Ada)?"),
    _model("a40", "A40", "NVIDIA-A40", r"(?<![A-Za-z0-9])A40(?![0-9])"),
    _model("a10", "A10", "NVIDIA-A10", r"(?<![A-Za-z0-9])A10G?(?![0-9])"),
    _model("l40s", "L40S", "NVIDIA-L40S", r"(?<![A-Za-z0-9])L40S(?![0-9])"),
    _model("l4", "L4", "NVIDIA-L4", r"(?<![A-Za-z0-9])L4(?![0-9A-Za-z])"),
    _model("v100", "V100", "Tesla-V100-SXM2-16GB", r"(?<![A-Za-z0-9])V100(?![0-9])"),
    _model("t4", "T4", "Tesla-T4", r"(?<![A-Za-z0-9])T4(?![0-9A-Za-z])"),
)

_BY_ID = {m.id: m for m in GPU_MODELS}
# Substrings every model's name contains (lower case), to rule a text out before the model
# patterns run: most lines of a repository name no GPU, and trying each pattern on every line
# of every script and doc was a fifth of a large repository's migrate (erlmcp: 538,000
# lines). tests/plan/test_gpus.py checks each model is covered.
NEEDLES = ("200", "100", "6000", "40", "a10", "l4", "t4")
_COUNT = r"(?P<count>[0-9]+)\s*[x×]\s*"


def model_by_id(model_id: str) -> GpuModel | None:
    return _BY_ID.get(model_id.lower())


def find_models(text: str) -> list[tuple[GpuModel, int | None]]:
    """GPU models named in ``text`` (first mention first), with an ``Nx`` count if written."""
    lowered = text.lower()
    if not any(needle in lowered for needle in NEEDLES):
        return []
    found: list[tuple[int, GpuModel, int | None]] = []
    taken: list[tuple[int, int]] = []
    for model in GPU_MODELS:
        for match in model.pattern.finditer(text):
            span = match.span()
            if any(start < span[1] and span[0] < end for start, end in taken):
                continue
            taken.append(span)
            before = text[max(0, span[0] - 8) : span[0]]
            written = re.search(_COUNT + r"$", before)
            found.append((span[0], model, int(written.group("count")) if written else None))
    found.sort(key=lambda item: item[0])
    seen: set[str] = set()
    out: list[tuple[GpuModel, int | None]] = []
    for _, model, count in found:
        if model.id not in seen:
            seen.add(model.id)
            out.append((model, count))
    return out


def model_of_value(value: str) -> GpuModel | None:
    """The model a label or variable value names exactly (``gh200``, ``RTX6000``)."""
    models = find_models(value)
    return models[0][0] if len(models) == 1 else None
