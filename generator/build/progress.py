"""Build progress on standard error: a bar on a terminal, plain lines elsewhere (CI logs).

Nothing is shown during the first second, so a quick build prints only its summary.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from typing import TextIO

BAR = 24  # characters of the bar between its brackets

# What a long task reports: (units finished, all units, what it is doing or just did).
Tick = Callable[[int, int, str], None]


class Progress:
    """Called with (finished units, all units, what was just finished)."""

    def __init__(self, stream: TextIO, tty: bool, delay: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.tty = tty
        self.delay = delay
        self.clock = clock
        self.start = clock()
        self.drawn = False

    def __call__(self, done: int, total: int, label: str) -> None:
        elapsed = self.clock() - self.start
        if elapsed < self.delay:
            return
        if not self.tty:
            self.stream.write(f"[{done}/{total}] {label} ({elapsed:.1f} s)\n")
            self.stream.flush()
            return
        filled = BAR * done // max(total, 1)
        line = f"[{'#' * filled}{'-' * (BAR - filled)}] {done}/{total} {elapsed:.0f} s {label}"
        # One screen line, however narrow the terminal: a wrapped line cannot be redrawn.
        width = shutil.get_terminal_size().columns - 1
        self.stream.write("\r\033[K" + line[:width])
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        """Clear the bar, so the summary starts on a clean line."""
        if self.drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.drawn = False


def count(n: int, noun: str) -> str:
    """`1 problem`, `2 problems`: summaries read as sentences."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
