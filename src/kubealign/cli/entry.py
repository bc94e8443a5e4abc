"""The console script: Ctrl-C while the command modules are still importing exits 130 too.

``cli.app`` imports every command module (Helm adapter, schemas, tree-sitter) before its own
error handling can run; an interrupt during that start-up would print a traceback.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    try:
        from kubealign.cli.app import main as run
    except KeyboardInterrupt:
        if "--debug" in sys.argv[1:]:
            raise
        sys.stderr.write("interrupted\n")
        sys.stderr.flush()
        # Not sys.exit: CPython 3.11 remembers a KeyboardInterrupt that crossed an
        # exec("...") (dataclasses and attrs generate methods that way) and, even once it
        # is caught, ends the process by SIGINT instead of the exit code. Nothing is
        # written yet at start-up, so skipping the interpreter's clean-up loses nothing.
        os._exit(130)
    run()
