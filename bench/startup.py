"""Start-up: `kubealign --help` and `--version` against a bare interpreter and the peers.

    .venv/bin/python bench/startup.py [--repeat 10]

The baseline measured in the same run is `python -c pass` (the interpreter alone) and
`python -c "import typer"` (the CLI framework alone); kubeconform and kompose are shown
when `make bench-tools` installed them.
"""

from __future__ import annotations

import argparse
import sys

from bench_common import print_table
from peer_tools import find_tool, kubealign_command, time_process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    kubealign = kubealign_command()
    cases: list[tuple[str, list[str]]] = [
        ("python -c pass (baseline)", [sys.executable, "-c", "pass"]),
        ("python -c 'import typer'", [sys.executable, "-c", "import typer"]),
        ("kubealign --version", [*kubealign, "--version"]),
        ("kubealign --help", [*kubealign, "--help"]),
        ("kubealign convert --help", [*kubealign, "convert", "--help"]),
    ]
    for tool, argv in (("kubeconform", ["-v"]), ("kompose", ["version"])):
        try:
            cases.append((f"{tool} {' '.join(argv)}", [str(find_tool(tool)), *argv]))
        except SystemExit as missing:
            print(f"skipped: {missing}")
    timings = [(label, time_process(argv, repeat=args.repeat)) for label, argv in cases]
    baseline = timings[0][1]
    print_table(
        ("command", "best s", "x python -c pass"),
        [(label, f"{seconds:.3f}", f"{seconds / baseline:.1f}x") for label, seconds in timings],
    )


if __name__ == "__main__":
    main()
