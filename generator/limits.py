"""Budgets for the sympy work of one problem, so a hostile or unlucky file cannot hang a build.

A wall-clock budget per problem (SIGALRM, main thread only) and caps on expression size.
The alarm raises a BaseException subclass on purpose: sympy has `except Exception` blocks
that would otherwise swallow it and keep going.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from generator.errors import SolgenError

DEFAULT_SECONDS = 60.0
MAX_NODE_OPS = 5_000  # operations in one node's expression after parsing


class LimitError(SolgenError):
    """A problem that needs more time or size than it is allowed."""


class Alarm(BaseException):
    """Raised by `alarm`'s timer; a BaseException, so no `except Exception` swallows it."""


@contextmanager
def alarm(seconds: float, unless_running: bool = False) -> Iterator[None]:
    """Raise `Alarm` when the block runs longer than `seconds` (0: no limit).

    Only the main thread gets signals, so elsewhere there is no timer. `unless_running`:
    leave an outer timer (a problem's --time-limit) running and let it be the one to ring.
    """
    usable = seconds > 0 and threading.current_thread() is threading.main_thread()
    if usable and unless_running:
        usable = signal.getitimer(signal.ITIMER_REAL)[0] == 0
    if not usable:
        yield
        return

    def ring(signum: int, frame: FrameType | None) -> None:
        raise Alarm

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def time_limit(seconds: float, what: str) -> Iterator[None]:
    """Raise LimitError naming `what` when the block runs longer than `seconds` (0: no limit)."""
    try:
        with alarm(seconds):
            yield
    except Alarm:
        raise LimitError(f"gave up after {seconds:g} s of symbolic work", where=what,
                         hint="simplify the problem, or raise the budget with "
                         "--time-limit SECONDS") from None
