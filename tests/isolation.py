"""Run one test in a forked child that cannot eat the machine.

Hostile problems (tests/hostile/, tests/test_hostile*.py) are the inputs most likely to run
away, and an in-process limit is not enough: solgen's one-shot SIGALRM was once swallowed
inside a gc callback hypothesis installs, nothing stopped the squaring chain, and the kernel
killed the run at 24 GB. So such a test runs in a fork whose address space is capped with
RLIMIT_AS (an allocation past it is a MemoryError in the child) and which the parent kills
with SIGKILL, process group and all, at a deadline (nothing in the child can catch that).

Fork, not a fresh interpreter: a fork costs milliseconds, a fresh `python -m pytest` a
second or two per case. Forking is only safe while the parent has one thread (typst's
rayon pool, once started, is not there in a fork and a compile in the child hangs), so
conftest runs the isolated tests first and `run_isolated` refuses a threaded parent.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import resource
import select
import signal
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import pytest

# numpy (through matplotlib, for pictures) starts an OpenBLAS thread pool when it is
# imported: a second OS thread in the parent, which may then not fork. conftest imports this
# module before any test module is collected, so one BLAS thread is set in time.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

# Seconds before the child is killed; generous, since two cores are shared by several
# people. SOLGEN_TEST_TIMEOUT raises it for a big hypothesis batch.
TIMEOUT = float(os.environ.get("SOLGEN_TEST_TIMEOUT", "180"))
# Address space the child may add to what the parent already maps at the fork.
HEADROOM = 2 * 1024**3


class ChildError(Exception):
    """An exception raised in the child that could not be sent back as itself."""


def run_isolated(call: Callable[[], object], timeout: float = TIMEOUT,
                 headroom: int = HEADROOM) -> None:
    """Run `call` in a fork with RLIMIT_AS and a hard deadline; re-raise what it raised."""
    threads = len(os.listdir("/proc/self/task"))
    if threads != 1:
        pytest.fail(f"cannot fork safely: this process has {threads} threads (a fixture's "
                    "server, typst's pool); mark the test `in_process`, or make sure it "
                    "runs before anything starts a thread", pytrace=False)
    limit = _address_space() + headroom
    sys.stdout.flush()
    sys.stderr.flush()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child leaves through os._exit
        os.close(read)
        _child(call, write, limit)
    os.close(write)
    with contextlib.suppress(PermissionError, ProcessLookupError):
        os.setpgid(pid, pid)  # also done in the child: whichever runs first wins the race
    try:
        data, status = _collect(pid, read, timeout)
    except BaseException:  # Ctrl-C in the parent must not leave the child running
        _kill(pid)
        raise
    if data is None:
        pytest.fail(f"killed after {timeout:g} s: the test ran past its hard time limit",
                    pytrace=False)
    if not data:
        pytest.fail(f"the child died without a result ({_describe(status)}); "
                    f"memory cap {limit / 1024**3:.1f} GiB", pytrace=False)
    _reraise(pickle.loads(data))


def _address_space() -> int:
    """Bytes this process maps now (VmSize), so the cap does not depend on its size."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize in /proc/self/status")


def _child(call: Callable[[], object], fd: int, limit: int) -> None:  # pragma: no cover
    os.setpgid(0, 0)  # its own group: the hard kill takes typst/pandoc children too
    outcome: tuple[str, object] = ("passed", None)
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
        call()
    except BaseException as error:  # everything goes back to the parent, even SystemExit
        outcome = _portable(error)
    code = 70  # no outcome sent: the parent says the child died without a result
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        with os.fdopen(fd, "wb") as pipe:
            pipe.write(pickle.dumps(outcome))
        code = 0
    finally:
        os._exit(code)


def _portable(error: BaseException) -> tuple[str, object]:
    """What the parent needs to report `error` as pytest would have in-process."""
    text = "".join(traceback.format_exception(error))
    for kind, outcome in (("skipped", pytest.skip.Exception), ("xfailed", pytest.xfail.Exception),
                          ("failed", pytest.fail.Exception)):
        if isinstance(error, outcome):
            return kind, str(error.msg)
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return "error", ChildError(f"{type(error).__name__}: {error}")
    return "raised", (error, text)


def _collect(pid: int, fd: int, timeout: float) -> tuple[bytes | None, int]:
    """The child's pickled outcome (None when it had to be killed) and its wait status."""
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    with os.fdopen(fd, "rb", buffering=0) as pipe:
        while True:
            left = deadline - time.monotonic()
            ready = select.select([pipe], [], [], max(left, 0))[0] if left > 0 else []
            if not ready:
                _kill(pid)
                return None, os.waitpid(pid, 0)[1]
            chunk = pipe.read(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks), os.waitpid(pid, 0)[1]


def _kill(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except ProcessLookupError:
            continue


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


def _reraise(outcome: tuple[str, object]) -> None:
    kind, detail = outcome
    if kind == "passed":
        return
    if kind == "skipped":
        pytest.skip(str(detail))
    if kind == "xfailed":
        pytest.xfail(str(detail))
    if kind == "failed":
        pytest.fail(str(detail), pytrace=False)
    if kind == "error":
        raise detail if isinstance(detail, BaseException) else ChildError(str(detail))
    error, text = detail  # type: ignore[misc]
    error.add_note(f"--- in the isolated child ---\n{text}")
    raise error
