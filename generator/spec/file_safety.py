"""Files a stranger's problem or template folder can point at, and files solgen writes.

Two rules (docs/security.md):
- a sheet part, a template or a messages file is read only when its *resolved* path lies
  inside the folder tree it belongs to, so `../../etc/passwd` or a symlink planted in a
  template folder never reaches a reader;
- solgen writes into the output folder only through names that are not symlinks: the
  final name and the folder it sits in are checked with lstat, and a temporary file is
  created with O_EXCL | O_NOFOLLOW, so a link planted there is an error, never followed.
The output folder itself (given on the command line) may be a link; what is inside it may not.
"""

from __future__ import annotations

import os
from pathlib import Path

from generator.errors import SolgenError

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class UnsafePath(SolgenError):
    """A path that leaves its folder tree, or a symlink where solgen writes."""


def inside(root: Path, path: Path) -> bool:
    """Whether `path`, every link resolved, lies in `root` (also resolved)."""
    try:
        path.resolve(strict=False).relative_to(root.resolve(strict=False))
    except ValueError:
        return False
    return True


def escaping_links(folder: Path) -> list[Path]:
    """Symlinks under `folder` whose target lies outside it (or does not exist)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in [*dirnames, *filenames]:
            link = Path(dirpath) / name
            if link.is_symlink() and (not link.exists() or not inside(folder, link)):
                found.append(link)
    return sorted(found)


def refuse_links(path: Path, levels: int = 2) -> None:
    """Refuse to write `path` when it, or one of the `levels` folders above it that solgen
    creates (OUT/<lang>/, OUT/<lang>/<id>/), is a symlink."""
    for here in [path, *list(path.parents)[:levels]]:
        if here.is_symlink():
            raise UnsafePath(f"{here} is a symbolic link; solgen does not write through links"
                             " in its output folder", hint=f"remove the link (it points to "
                             f"{os.readlink(here)}) and build again")


def write_atomic(path: Path, data: bytes, levels: int = 1) -> None:
    """Write `path` through a fresh temporary name beside it, then rename it into place.

    The temporary is opened with O_CREAT | O_EXCL | O_NOFOLLOW: an existing file or a link
    planted under that name makes the open fail instead of writing through it; the rename
    replaces a name, never the target of a link.
    """
    refuse_links(path, levels)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW
    try:
        fd = os.open(tmp, flags, 0o644)
    except FileExistsError:
        raise UnsafePath(f"{tmp} exists already (a leftover, or a planted file)",
                         hint="remove it and build again") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
