"""Progress of a long step on stderr: a live status line on a terminal, plain lines in logs.

``audit``, ``plan``, ``convert`` and ``migrate`` take seconds on a large repository. On a
terminal (outside CI) a spinner shows the current stage and disappears when the step ends.
When stderr is a file, a pipe or a CI log, a step that is still running after
:data:`QUIET_SECONDS` says so in plain lines (``convert: rendering… (12 s)``), one when a
stage starts and one every :data:`EVERY_SECONDS`, then ``done in N s``; a step that ends
sooner prints nothing, so quick runs and one-line errors stay one line. Nothing goes to
stdout: results stay pipeable. ``KUBEALIGN_PROGRESS=off`` silences both forms,
``KUBEALIGN_PROGRESS=plain`` writes the plain lines even on a terminal.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from kubealign.cli.base import err

Progress = Callable[[str], None]

QUIET_SECONDS = 10.0
EVERY_SECONDS = 15.0


def interactive() -> bool:
    """A person watches stderr: a terminal, and not a CI runner (CI logs keep every frame)."""
    return err.is_terminal and os.environ.get("CI", "").lower() not in {"1", "true", "yes"}


class _PlainLines:
    """Stage lines for logs, written by a daemon thread once the step has run long enough."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.started = time.monotonic()
        self.stage = ""
        self.spoke = False
        self._said = ""
        self._said_at = 0.0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kubealign-progress",
                                        daemon=True)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def _say(self) -> None:
        """A line when a new stage started, or when the last line is EVERY_SECONDS old."""
        with self._lock:
            now = self.elapsed()
            stale = now - self._said_at >= EVERY_SECONDS
            if now < QUIET_SECONDS or (self.stage == self._said and not stale):
                return
            stage = f": {self.stage}…" if self.stage else "…"
            err.print(f"{self.label}{stage} ({now:.0f} s)", markup=False, highlight=False)
            self._said, self._said_at, self.spoke = self.stage, now, True

    def update(self, stage: str) -> None:
        self.stage = stage
        self._say()

    def _run(self) -> None:
        if self._stop.wait(QUIET_SECONDS):
            return
        self._said_at = -EVERY_SECONDS  # the first line is due now
        self._say()
        while not self._stop.wait(1.0):
            self._say()

    def __enter__(self) -> _PlainLines:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        if self.spoke and exc[0] is None:
            err.print(f"{self.label}: done in {self.elapsed():.0f} s", markup=False,
                      highlight=False)


@contextmanager
def progress(label: str, *, quiet: bool = False) -> Iterator[Progress]:
    """``with progress("audit") as step: step("running the rules")``; ``quiet``: nothing."""
    mode = os.environ.get("KUBEALIGN_PROGRESS", "auto").strip().lower()
    if quiet or mode == "off":
        yield lambda _stage: None
        return
    if mode != "plain" and interactive():
        with err.status(f"{label}…") as status:
            yield lambda stage: status.update(f"{label}: {stage}…")
        return
    with _PlainLines(label) as lines:
        yield lines.update
