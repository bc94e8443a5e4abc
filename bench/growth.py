"""Growth: parse, resolve and convert at 100, 1,000 and 5,000 services (near-linear?).

    .venv/bin/python bench/growth.py [--sizes 100 1000 5000] [--repeat 3]

For each size, generates the synthetic repository (bench/gen_compose_repo.py, one
variant), then times a bare ``yaml.load`` (C loader) of ``docker-compose.yml`` +
``docker-compose.development.yml``, the resolve of the same files (the typed model), and the
conversion to chart values with its ledger (no rendering, no writes). Prints the time per
service of each stage and its growth relative to the smallest size: 1.0 means linear.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench_common import bare_parse, best_of, print_table
from gen_compose_repo import generate
from kubealign.actions.resolve import ResolveOptions, load_project
from kubealign.transform.convert import ConversionOptions, convert_project

STAGES = ("yaml.load", "resolve", "convert")


def measure(root: Path, services: int, repeat: int) -> dict[str, float]:
    files = tuple(generate(root, services, 1))
    options = ResolveOptions(files=files, project_directory=root, environ={})
    project, _ = load_project(options)
    conversion = ConversionOptions(release="synthetic")
    return {
        "yaml.load": best_of(lambda: bare_parse(files), repeat),
        "resolve": best_of(lambda: load_project(options), repeat),
        "convert": best_of(lambda: convert_project(project, conversion), repeat),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="kubealign-bench-") as tmp:
        for size in args.sizes:
            results[size] = measure(Path(tmp) / f"repo-{size}", size, args.repeat)
    smallest = min(results)
    rows = []
    for size, times in sorted(results.items()):
        row = [str(size)]
        for stage in STAGES:
            per_service = times[stage] / size
            growth = per_service / (results[smallest][stage] / smallest)
            row += [f"{times[stage] * 1000:.0f}", f"{per_service * 1e6:.0f}", f"{growth:.2f}"]
        row.append(f"{times['resolve'] / times['yaml.load']:.2f}x")
        row.append(f"{times['convert'] / times['yaml.load']:.2f}x")
        rows.append(row)
    headers = ["services"]
    for stage in STAGES:
        headers += [f"{stage} ms", "us/svc", "growth"]
    headers += ["resolve/parse", "convert/parse"]
    print(f"growth (best of {args.repeat}; growth = cost per service / cost per service at "
          f"{smallest}; 1.00 is linear)")
    print_table(headers, rows)


if __name__ == "__main__":
    main()
