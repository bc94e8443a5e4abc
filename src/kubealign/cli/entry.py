"""The console script: Ctrl-C while the command modules are still importing exits 130 too.

``cli.app`` imports every command module (Helm adapter, schemas, tree-sitter) before its own
error handling can run; an interrupt during that start-up would print a traceback.
"""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from kubealign.cli.app import main as run
    except KeyboardInterrupt:
        if "--debug" in sys.argv[1:]:
            raise
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    run()
