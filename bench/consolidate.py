"""Consolidation time for 1,000 services x 6 variants, next to converting one variant.

Run: .venv/bin/python bench/consolidate.py [--services N] [--variants K] [--repeat R]

Six compose variants of one generated project (tags, replicas, memory, env values and GPU
counts differ; a few services exist only in some variants) are loaded and converted, then
consolidated into a base and six overlays. Prints the best of R runs for: converting one
variant (load + convert + plain values), consolidating all variants, and their ratio. The law
is checked on the result so the benchmark cannot measure a broken consolidation.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from kubealign.actions.convert import default_values
from kubealign.actions.resolve import ResolveOptions, load_project
from kubealign.transform.consolidate import consolidate, deep_merge, expected_merge
from kubealign.transform.convert import ConversionOptions, convert_project
from kubealign.transform.values_model import to_values


def compose_text(services: int, variant: int) -> str:
    lines = ["name: bench", "services:"]
    for index in range(services):
        if index % 50 == variant and variant:  # a few services only some variants run
            continue
        tag = f"1.{index % 7}.{variant if index % 3 == 0 else 0}"
        lines += [
            f"  svc-{index:04d}:",
            f"    image: registry.example.com/team/svc-{index:04d}:{tag}",
            f"    command: [serve, --port, '{8000 + index % 100}']",
            "    environment:",
            "      LOG_LEVEL: " + ("debug" if variant == 0 else "info"),
            f"      SHARD: '{index % 16}'",
            f"      REGION: {'eu' if variant % 2 else 'us'}",
            f"    ports: ['{8000 + index % 100}']",
            "    deploy:",
            f"      replicas: {1 + (variant if index % 5 == 0 else 0)}",
            "      resources:",
            "        limits:",
            f"          memory: {256 * (1 + (variant if index % 4 == 0 else 0))}M",
        ]
        if index % 100 == 0:
            lines += ["        reservations:", "          devices:",
                      f"            - {{driver: nvidia, count: {1 + variant % 2}, "
                      "capabilities: [gpu]}"]
    return "\n".join(lines) + "\n"


def convert_variant(path: Path) -> dict[str, Any]:
    project, _ = load_project(ResolveOptions(files=(path,), project_directory=path.parent,
                                             environ={}))
    result = convert_project(project, ConversionOptions(release="bench"))
    return deep_merge(default_values(), to_values(result.values))


def best(runs: list[float]) -> float:
    return min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--variants", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kubealign-bench-") as tmp:
        paths = []
        for variant in range(args.variants):
            path = Path(tmp) / f"v{variant}" / "compose.yaml"
            path.parent.mkdir()
            path.write_text(compose_text(args.services, variant))
            paths.append(path)
        convert_times: list[float] = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            convert_variant(paths[0])
            convert_times.append(time.perf_counter() - start)
        variants = {f"v{i}": convert_variant(p) for i, p in enumerate(paths)}
        consolidate_times: list[float] = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = consolidate(variants, prefer="v0")
            consolidate_times.append(time.perf_counter() - start)
        for name, values in variants.items():
            assert result.merged(name) == expected_merge(values, result.base), name
    one, all_ = best(convert_times), best(consolidate_times)
    print(f"services: {args.services}, variants: {args.variants}, best of {args.repeat}")
    print(f"convert one variant (load + convert): {one * 1000:9.1f} ms")
    print(f"consolidate {args.variants} variants:          {all_ * 1000:9.1f} ms")
    print(f"ratio consolidate / convert one:       {all_ / one:9.2f}")


if __name__ == "__main__":
    main()
