"""What solgen says when the operating system refuses: every OSError becomes a SolgenError.

A build touches many paths (problem files, the roster, the output folder, its lock and its
staging folder); whichever fails, the user sees the path, what went wrong in words and what
to do, never a Python traceback. Reads are bounded: the size is checked before the bytes are
read, so a huge or sparse file costs nothing before it is refused.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from generator.errors import SolgenError

# errno → (what happened, what to do). Messages name the cause a user can act on.
_CAUSES: dict[int, tuple[str, str]] = {
    errno.EROFS: ("the file system is read-only",
                  "choose an --out folder on a writable disk"),
    errno.ENOSPC: ("the disk is full",
                   "free some space, or choose an --out folder on another disk"),
    errno.EDQUOT: ("the disk quota is used up",
                   "free some space, or choose an --out folder on another disk"),
    errno.EACCES: ("permission denied",
                   "check the owner and mode of the folder (ls -ld), or choose another one"),
    errno.EPERM: ("operation not permitted",
                  "check the owner and mode of the folder (ls -ld), or choose another one"),
    errno.ENOTDIR: ("a part of this path is a file, not a folder",
                    "remove or rename that file, or choose another path"),
    errno.EEXIST: ("a file stands where a folder is needed",
                   "remove or rename that file, or choose another path"),
    errno.EISDIR: ("this is a folder, not a file", "name a file"),
    errno.ENOENT: ("no such file or folder", "check the path"),
    errno.ENAMETOOLONG: ("the path is too long", "choose a shorter path"),
    errno.EMFILE: ("too many open files", "raise the limit (ulimit -n) or build fewer files"),
    errno.EIO: ("input/output error", "the disk may be failing; try another one"),
}


class DiskError(SolgenError):
    """The operating system refused a read or a write; names the path and a hint."""


def explain(exc: OSError, doing: str, path: Path | str | None = None) -> DiskError:
    """`doing` is what solgen was doing ("cannot write", "cannot read the roster")."""
    where = path if path is not None else exc.filename
    cause, hint = _CAUSES.get(exc.errno or 0, (exc.strerror or str(exc), ""))
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        hint += "; the previous build was left as it was"
    return DiskError(f"{doing}: {cause}", where=str(where) if where else None, hint=hint)


def read_bounded(path: Path, limit: int, what: str = "file") -> bytes:
    """The bytes of `path`, refused (DiskError) when larger than `limit`, before reading.

    The size is checked twice: by fstat before reading and by reading at most limit + 1
    bytes, since a file can grow between the two (or be a device that reports no size).
    """
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise TooLarge(path, what, limit)
            data = handle.read(limit + 1)
    except OSError as exc:
        raise explain(exc, f"cannot read the {what}", path) from None
    if len(data) > limit:
        raise TooLarge(path, what, limit)
    return data


class TooLarge(SolgenError):
    def __init__(self, path: Path, what: str, limit: int) -> None:
        self.path = path
        super().__init__(f"the {what} is larger than {limit} bytes", where=str(path),
                         hint="split it into smaller files")
