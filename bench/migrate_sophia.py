"""``kubealign migrate`` on examples/sophia end to end, with the time of each step.

    .venv/bin/python bench/migrate_sophia.py [--repeat 3]

Copies the example to a temporary folder (migrate writes the detected plan into the
repository while it converts), runs the whole job (inventory, plan, audit, convert every
environment with Helm rendering and the base + overlay proof, validate every environment),
and prints the best total and the step times of that run, with the number of objects.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from bench_common import print_table
from kubealign.actions.migrate import MigrateOutcome, MigrateRequest, migrate
from kubealign.validate.helm import helm_backend

SOPHIA = Path(__file__).resolve().parents[1] / "examples" / "sophia"


def timed_run(repo: Path, out: Path) -> tuple[float, dict[str, float], MigrateOutcome]:
    marks: list[tuple[str, float]] = []
    start = time.perf_counter()
    outcome = migrate(MigrateRequest(path=repo, out=out, environ={}),
                      progress=lambda step: marks.append((step, time.perf_counter())))
    end = time.perf_counter()
    steps = {}
    for (name, began), (_, ended) in zip(marks, [*marks[1:], ("end", end)], strict=True):
        steps[name] = ended - began
    return end - start, steps, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kubealign-bench-") as tmp:
        repo = Path(tmp) / "sophia"
        shutil.copytree(SOPHIA, repo)
        runs = [timed_run(repo, Path(tmp) / f"out-{i}") for i in range(args.repeat)]
    total, steps, outcome = min(runs, key=lambda run: run[0])
    objects = len(outcome.report.results)
    print(f"migrate examples/sophia: best of {args.repeat} = {total:.2f} s "
          f"(Helm backend: {helm_backend()}); {len(outcome.environments)} environments, "
          f"{objects} rendered objects validated")
    print_table(["step", "seconds", "share"],
                [[name, f"{seconds:.2f}", f"{seconds / total:.0%}"]
                 for name, seconds in steps.items()])
    print(f"all runs: {', '.join(f'{run[0]:.2f}' for run in runs)} s")


if __name__ == "__main__":
    main()
