"""One build at a time per output folder: an advisory lock on a file beside OUT.

The lock file `.OUT.solgen-lock` lives beside OUT, not in it, since a build swaps OUT for a
new folder (generator/staging.py). It is held (flock) for the whole build and released by
the kernel however the process ends, even by SIGKILL; it names its holder so a second build
can say who has it. The file itself is never removed: removing a lock file races with a
build that has just opened it.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.build.filesystem import explain
from generator.errors import SolgenError


class Busy(SolgenError):
    """Another build holds the output folder's lock."""


def lock_path(out: Path) -> Path:
    real = Path(os.path.realpath(out))
    return real.parent / f".{real.name}.solgen-lock"


@contextmanager
def hold(out: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold OUT's lock for the block; wait up to `wait` seconds for another build to end."""
    path = lock_path(out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except OSError as exc:
        raise explain(exc, "cannot create the build lock", path) from None
    try:
        _acquire(fd, out, path, wait)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {time.time():.0f}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _acquire(fd: int, out: Path, path: Path, wait: float) -> None:
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise explain(exc, "cannot lock the output folder", path) from None
        if time.monotonic() >= deadline:
            raise Busy(f"another solgen build is writing this folder{_holder(fd)}",
                       where=str(out),
                       hint="wait for it to finish, or give --wait SECONDS to wait for it")
        time.sleep(0.05)


def _holder(fd: int) -> str:
    """` (process 1234, for 12 s)` from what the holder wrote, or nothing."""
    try:
        pid, since = os.pread(fd, 64, 0).decode().split()
        return f" (process {int(pid)}, for {time.time() - float(since):.0f} s)"
    except (OSError, ValueError):
        return ""
