"""A text progress bar for the command line: one line on a terminal, rewritten in place."""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["ProgressBar"]


class ProgressBar:
    """Call with ``(done, total)``; draws ``[#####.....]  120/300  40%  85/s`` on ``stream``.

    On a terminal the line is redrawn at most ten times a second; elsewhere
    (a log file, CI) a line is printed at each tenth of the work.
    """

    def __init__(self, label: str, *, stream: TextIO | None = None, width: int = 30) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self._tty = self.stream.isatty()
        self._started = time.monotonic()
        self._last_draw = 0.0
        self._last_tenth = -1

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        tenth = (10 * done) // total if total else 10
        finished = done >= total
        if self._tty:
            if not finished and now - self._last_draw < 0.1:
                return
        elif tenth == self._last_tenth and not finished:
            return
        self._last_draw, self._last_tenth = now, tenth
        filled = (self.width * done) // total if total else self.width
        rate = done / max(now - self._started, 1e-9)
        percent = (100 * done) // total if total else 100
        line = (
            f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] "
            f"{done}/{total} {percent:3d}% {rate:,.0f}/s"
        )
        if self._tty:
            self.stream.write("\r" + line + ("\n" if finished else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
