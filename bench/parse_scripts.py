"""Time the script, Dockerfile, Makefile and workflow loaders on examples/sophia.

    .venv/bin/python bench/parse_scripts.py [REPEAT]

Prints files per second for each loader; the audit of a 2,000-file repository must
stay under five seconds, so these loaders should parse well over a thousand files a second.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from kubealign.load.ci_workflow import load_workflow
from kubealign.load.dockerfile import load_dockerfile
from kubealign.load.makefile import load_makefile
from kubealign.load.python_script import load_python_script
from kubealign.load.shell_script import load_shell_script

ROOT = Path(__file__).resolve().parents[1] / "examples" / "sophia"


def _loaders() -> dict[str, tuple[Callable[[Path], object], list[Path]]]:
    files = sorted(p for p in ROOT.rglob("*") if p.is_file())
    return {
        "shell": (load_shell_script, [p for p in files if p.suffix == ".sh"]),
        "python": (load_python_script, [p for p in files if p.suffix == ".py"]),
        "dockerfile": (load_dockerfile, [p for p in files if p.name.startswith("Dockerfile")]),
        "makefile": (load_makefile, [p for p in files if p.name == "Makefile"]),
        "workflow": (load_workflow, [p for p in files if ".github/workflows" in p.as_posix()]),
    }


def main() -> None:
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    for name, (loader, paths) in _loaders().items():
        if not paths:
            continue
        start = time.perf_counter()
        for _ in range(repeat):
            for path in paths:
                loader(path)
        elapsed = time.perf_counter() - start
        count = repeat * len(paths)
        print(f"{name:<11} {count:>6} files  {count / elapsed:>9.0f} files/s")


if __name__ == "__main__":
    main()
