"""Budgets for the sympy work of one problem, so a hostile or unlucky file cannot hang a build.

A wall-clock budget per problem (SIGALRM, main thread only) and caps on expression size.
The alarm raises a BaseException subclass on purpose: sympy has `except Exception` blocks
that would otherwise swallow it and keep going.
"""

from __future__ import annotations

import resource
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from generator.errors import SolgenError

DEFAULT_SECONDS = 60.0
DEFAULT_MEGABYTES = 4096  # a build of every built-in problem grows solgen by ≈ 200 MB
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


@contextmanager
def memory_limit(megabytes: int) -> Iterator[None]:
    """Let this process grow by at most `megabytes` (0: no limit) while the block runs.

    The cap is on the address space (RLIMIT_AS): past it an allocation fails, which Python
    raises as MemoryError, and every process started meanwhile (pandoc, the typst child,
    xelatex, --jobs workers) inherits the same cap. It is counted from the process's size
    now, so what solgen itself takes at start (or a test runner's own size) is not charged
    to the problem. A stricter limit set from outside (`ulimit -v`) is kept; the previous
    limit is restored after the block.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if megabytes <= 0:
        yield
        return
    cap = _address_space() + megabytes * 2**20
    for outer in (soft, hard):
        if outer != resource.RLIM_INFINITY:
            cap = min(cap, outer)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    _budgets.append(megabytes)
    try:
        yield
    finally:
        _budgets.pop()
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


_budgets: list[int] = []  # the memory_limit blocks this process is in, for messages


def memory_budget() -> int:
    """The megabytes of the innermost memory_limit block (0: none in this process)."""
    return _budgets[-1] if _budgets else 0


def _address_space() -> int:
    """This process's address space in bytes (Linux: /proc; elsewhere 0, the cap is then
    `megabytes` of the whole process)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def out_of_memory(what: str, megabytes: int) -> LimitError:
    """The error for a problem that ran out of its memory budget."""
    return LimitError("ran out of memory" + (f" (the budget is {megabytes} MB)"
                                             if megabytes > 0 else ""), where=what,
                      hint="simplify the problem, or raise the budget with "
                      "--memory-limit MB")
