"""No orphans: worker processes die with their parent, and a stop signal stops everything.

A spawned worker does not notice on its own that its parent is gone (it holds both ends of
its task queue's pipe), so it would keep solving, and keep multiprocessing's resource
tracker alive, forever. Two independent ways end it: on Linux the kernel sends it SIGKILL
when the parent dies (prctl PR_SET_PDEATHSIG); everywhere, a thread waits on a pipe whose
only writer is the parent and ends the worker when the pipe closes, which happens however
the parent ends, SIGKILL included.

In the parent, SIGINT and SIGTERM raise Interrupted (a BaseException, like
KeyboardInterrupt, so no `except Exception` in sympy swallows it); the build kills its
workers, removes its staging folder and exits 1 with a one-line message. Workers ignore
SIGINT: a Ctrl-C reaches the whole process group, and only the parent decides.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from multiprocessing.connection import Connection
from types import FrameType

from generator.errors import SolgenError

_PR_SET_PDEATHSIG = 1
STOPS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """SIGINT or SIGTERM reached the build."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


@contextmanager
def interruptible() -> Iterator[None]:
    """In the block, SIGINT and SIGTERM raise Interrupted once (later ones are ignored,
    so the clean-up they started is not cut short)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    raised: list[int] = []

    def stop(signum: int, frame: FrameType | None) -> None:
        if not raised:
            raised.append(signum)
            raise Interrupted(signum)

    previous = {s: signal.signal(s, stop) for s in STOPS}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


@contextmanager
def quiet_children() -> Iterator[None]:
    """Processes started in the block have SIGINT blocked from their first instruction.

    A Ctrl-C reaches the whole process group; a worker still importing solgen (before
    guard_worker runs) would print a KeyboardInterrupt traceback. A blocked signal mask is
    inherited through fork and exec; here a SIGINT only waits until the block ends.
    """
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def guard_worker(parent: int, lifeline: Connection) -> None:
    """Called first in each worker: die with `parent`, ignore Ctrl-C (the parent decides)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the pipe below still ends the worker
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch, args=(lifeline,), daemon=True,
                     name="solgen-lifeline").start()


def _watch(lifeline: Connection) -> None:
    try:
        while True:
            lifeline.recv_bytes()  # the parent never writes: this returns only at EOF
    except (EOFError, OSError):
        pass
    os._exit(1)


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Kill every worker of `pool` now (a running task is not waited for) and reap them."""
    workers = list((getattr(pool, "_processes", None) or {}).values())
    for worker in workers:
        worker.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.join(timeout=1)


@contextmanager
def supervised(pool: ProcessPoolExecutor, *pipe: Connection) -> Iterator[None]:
    """The block's work on `pool`: on any failure or interrupt every worker is killed (none
    may outlive the build), a worker that died is an error; the lifeline's ends are closed."""
    try:
        yield
    except BrokenProcessPool:
        stop_pool(pool)
        raise SolgenError("a worker process ended unexpectedly (killed, or out of memory); "
                          "nothing was written", hint="build again, or with fewer --jobs"
                          ) from None
    except BaseException:
        stop_pool(pool)
        raise
    else:
        pool.shutdown()
    finally:
        for end in pipe:
            end.close()
