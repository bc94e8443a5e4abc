"""``kubealign migrate`` on each real repository of the corpus: the table of
docs/real-repositories.md, measured in one run.

    .venv/bin/python bench/real_repositories.py [CORPUS] [--json results.json]

For every repository folder of CORPUS (default ``../shared/corpus/sprawl``) it runs the whole
job as a user does (``kubealign migrate REPO --out TMP --format json``, a process of its own,
Helm included), then reads what migrate wrote: the kept plan's environments and their status,
the services of ``chart/values.yaml``, the audit's findings by severity, the loading problems
migrate recovered from (each a file:line finding of ``conversion/<env>.json``, counted once
however many environments share it) and how many environments rendered and validated.

Times: wall seconds, and CPU seconds of the migrate process and its children (what the run
costs on an idle machine); the baseline is a bare PyYAML parse of the compose files the plan
names, measured in the same run, so the ratio says what the job costs beyond reading them.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from bench_common import bare_parse, best_of, print_table
from kubealign.load.compose import tolerance

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "sprawl"

# What each tolerant-load finding recovered, in the words of the table.
RECOVERED = {
    tolerance.ENV_FILE_MISSING: "missing env files",
    tolerance.ENV_FILE_LINE: "unparsable env lines",
    tolerance.ENV_FILE_UNREADABLE: "unreadable env files",
    tolerance.REQUIRED_VARIABLE: "required variables without a value",
    tolerance.INTERPOLATION: "broken interpolations",
    tolerance.SCHEMA_SALVAGED: "spec violations salvaged",
    tolerance.VALUE_DROPPED: "invalid values set aside",
    tolerance.IMAGE_REPAIRED: "image references with unset variables repaired",
    tolerance.NO_IMAGE: "services without image",
    tolerance.INCLUDE_MISSING: "missing includes",
    tolerance.DEPENDENCY_DROPPED: "depends_on on a service the environment lacks",
}
SEVERITIES = ("critical", "high", "medium", "low", "info")


@dataclass
class RepositoryRun:
    name: str
    exit_code: int
    wall_s: float
    cpu_s: float
    baseline_s: float
    environments: int
    statuses: dict[str, int]
    services: int
    findings: dict[str, int]
    recovered: dict[str, int]
    rendered: int
    failed_steps: list[str]


def _statuses(plan: dict[str, Any]) -> dict[str, int]:
    counts = Counter(str(env.get("status", "deployed"))
                     for env in (plan.get("environments") or {}).values())
    return dict(sorted(counts.items()))


def _recovered(out: Path) -> dict[str, int]:
    seen: set[tuple[str, str, int]] = set()
    for report in sorted((out / "conversion").glob("*.json")):
        for finding in json.loads(report.read_text(encoding="utf-8")).get("findings", ()):
            rule = finding.get("rule", "")
            if rule in RECOVERED:
                seen.add((rule, str(finding.get("path")), int(finding.get("line") or 0)))
    counts = Counter(RECOVERED[rule] for rule, _path, _line in seen)
    return dict(sorted(counts.items()))


def _compose_files(repo: Path, plan: dict[str, Any]) -> list[Path]:
    files = {repo / name for env in (plan.get("environments") or {}).values()
             for name in env.get("files") or ()}
    return sorted(path for path in files if path.is_file())


def _document(path: Path, parse: Callable[[str], Any]) -> dict[str, Any]:
    """What migrate wrote at ``path``, parsed; empty when the step that writes it failed."""
    if not path.is_file():
        return {}
    data: dict[str, Any] = parse(path.read_text(encoding="utf-8")) or {}
    return data


def run_one(repo: Path, out: Path) -> RepositoryRun:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "kubealign", "migrate", str(repo), "--out", str(out),
         "--format", "json"],
        capture_output=True, text=True, check=False,
        env={"PATH": "/usr/bin:/bin", "KUBEALIGN_PROGRESS": "off"})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = json.loads(done.stdout) if done.stdout.strip().startswith("{") else {}
    plan = _document(out / "kubealign.yaml", yaml.safe_load)
    values = _document(out / "chart" / "values.yaml", yaml.safe_load)
    audit = _document(out / "audit.json", json.loads)
    by_severity = (audit.get("summary") or {}).get("by_severity") or {}
    compose = _compose_files(repo, plan)
    return RepositoryRun(
        name=repo.name, exit_code=done.returncode, wall_s=wall, cpu_s=cpu,
        baseline_s=best_of(lambda: bare_parse(compose)) if compose else 0.0,
        environments=len(plan.get("environments") or {}),
        statuses=_statuses(plan),
        services=len(values.get("services") or {}),
        findings={severity: int(by_severity.get(severity, 0)) for severity in SEVERITIES},
        recovered=_recovered(out),
        rendered=_rendered(summary),
        failed_steps=[step["name"] for step in summary.get("steps", ())
                      if step.get("status") == "failed"],
    )


def _rendered(summary: dict[str, Any]) -> int:
    """Environments that rendered with Helm and whose objects all validate (migrate's JSON
    summary: ``refused`` by Helm, ``invalid`` objects)."""
    bad = {env["environment"] for env in summary.get("refused") or ()}
    bad |= {obj["environment"] for obj in summary.get("invalid") or ()}
    return len([name for name in summary.get("environments") or () if name not in bad])


def _row(run: RepositoryRun) -> list[str]:
    statuses = ", ".join(f"{count} {status}" for status, count in run.statuses.items())
    recovered = ", ".join(f"{count} {what}" for what, count in run.recovered.items()) or "-"
    return [run.name, str(run.exit_code), f"{run.environments}: {statuses}", str(run.services),
            " / ".join(str(run.findings[s]) for s in SEVERITIES), recovered,
            f"{run.rendered}/{run.environments}", f"{run.wall_s:.1f}", f"{run.cpu_s:.1f}",
            f"{run.cpu_s / run.baseline_s:,.0f}x" if run.baseline_s else "-"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=CORPUS)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--markdown", action="store_true",
                        help="print the table as Markdown (docs/real-repositories.md)")
    args = parser.parse_args()
    repos = sorted(p for p in args.corpus.iterdir() if p.is_dir())
    if not repos:
        sys.exit(f"no repository folders in {args.corpus}")
    with tempfile.TemporaryDirectory(prefix="kubealign-real-") as tmp:
        runs = [run_one(repo, Path(tmp) / repo.name) for repo in repos]
    headers = ["repository", "exit", "environments found", "services",
               "audit findings (crit/high/med/low/info)", "recovered while loading",
               "rendered + valid", "wall s", "CPU s", "CPU / bare parse"]
    rows = [_row(run) for run in runs]
    if args.markdown:
        print("| " + " | ".join(headers) + " |")
        print("|" + "|".join("---" if i in (0, 2, 4, 5) else "---:" for i in range(len(headers)))
              + "|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
    else:
        print_table(headers, rows)
    slowest = max(runs, key=lambda run: run.wall_s)
    print(f"slowest: {slowest.name} {slowest.wall_s:.1f} s wall; "
          f"finished (exit 0 or 1): {sum(run.exit_code in (0, 1) for run in runs)}/{len(runs)}")
    if args.json:
        args.json.write_text(json.dumps([asdict(run) for run in runs], indent=2) + "\n",
                             encoding="utf-8")


if __name__ == "__main__":
    main()
