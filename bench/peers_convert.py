"""`kubealign convert` next to `kompose convert` on the same compose files.

    .venv/bin/python bench/peers_convert.py [--corpus ../shared/corpus/awesome-compose]
                                            [--repeat 3]

For every stack of the corpus folder (one compose file each), times three whole processes
on a copy of the stack: `kompose convert -f FILE -o DIR` (plain manifests), `kubealign
convert -f FILE --no-render` (chart and values, no Helm render) and `kubealign convert -f
FILE` (also renders each environment with Helm and validates it strictly). A stack either
tool refuses is listed with its exit code and left out of the totals for both.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench_common import print_table
from peer_tools import REPO_ROOT, find_tool, kubealign_command


def _timed(argv: list[str], cwd: Path, repeat: int) -> tuple[float, int]:
    best, code = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
        best = min(best, time.perf_counter() - started)
        code = done.returncode
    return best, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path,
                        default=REPO_ROOT.parent / "shared" / "corpus" / "awesome-compose")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    kompose = find_tool("kompose")
    kubealign = kubealign_command()
    stacks = sorted(p for p in args.corpus.iterdir() if p.is_dir() and any(p.glob("compose.y*ml")))
    if not stacks:
        raise SystemExit(f"no compose stacks under {args.corpus}")
    rows: list[tuple[str, ...]] = []
    totals = [0.0, 0.0, 0.0]
    counted = 0
    with tempfile.TemporaryDirectory() as scratch:
        for stack in stacks:
            work = Path(scratch) / stack.name
            shutil.copytree(stack, work, symlinks=True)
            compose = sorted(work.glob("compose.y*ml"))[0].name
            runs = [
                ([str(kompose), "convert", "-f", compose, "-o", "kompose-out"], (0,)),
                ([*kubealign, "convert", "-f", compose, "--out", "ka-norender", "--no-render"],
                 (0, 1)),
                ([*kubealign, "convert", "-f", compose, "--out", "ka-out"], (0, 1)),
            ]
            measured = [(*_timed(argv, work, args.repeat), ok) for argv, ok in runs]
            fine = all(code in ok for _, code, ok in measured)
            if fine:
                counted += 1
                for index, (seconds, _, _) in enumerate(measured):
                    totals[index] += seconds
            rows.append((stack.name, *(
                f"{seconds:.2f}" + ("" if code in ok else f" (exit {code})")
                for seconds, code, ok in measured)))
    headers = ("stack", "kompose convert", "kubealign --no-render", "kubealign convert")
    print_table(headers, rows)
    print(f"totals over the {counted} stacks both convert: kompose {totals[0]:.1f} s, "
          f"kubealign --no-render {totals[1]:.1f} s ({totals[1] / totals[0]:.1f}x), "
          f"kubealign with render+validate {totals[2]:.1f} s ({totals[2] / totals[0]:.1f}x)")


if __name__ == "__main__":
    main()
