"""A plain text progress bar on stderr that also reads well in a log file.

On a terminal it redraws one line; without one (scheduled task, redirected output) it writes
the bar once when the transfer is complete, so logs do not fill with carriage returns.
"""

from __future__ import annotations

import sys
from typing import TextIO

WIDTH = 30


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB"
    return f"{max(count, 0) / 1024:.0f} kB"


class Bar:
    def __init__(self, label: str, stream: TextIO | None = None):
        self.label = label
        self.stream = stream or sys.stderr
        self.interactive = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_shown = -1
        self._done = False

    def line(self, done: int, total: int) -> str:
        fraction = 1.0 if total <= 0 else min(1.0, done / total)
        filled = round(fraction * WIDTH)
        bar = "#" * filled + "-" * (WIDTH - filled)
        return f"{self.label} [{bar}] {fraction * 100:3.0f}% {_size(done)}/{_size(total)}"

    def __call__(self, done: int, total: int) -> None:
        """Progress callback for the transport: ``done`` of ``total`` bytes sent."""
        complete = done >= total
        if self.interactive:
            percent = 100 if total <= 0 else int(done * 100 / total)
            if percent != self._last_shown:
                self._last_shown = percent
                end = "\n" if complete else ""
                self.stream.write("\r" + self.line(done, total) + end)
                self.stream.flush()
        elif complete and not self._done:
            self.stream.write(self.line(done, total) + "\n")
            self.stream.flush()
        self._done = self._done or complete
        if not complete:
            self._done = False
