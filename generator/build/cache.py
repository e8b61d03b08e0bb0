"""Skip a build whose inputs, code, templates and options are all unchanged.

The fingerprint covers every byte that can change an output: solgen's own source and
templates, the user's template folders (`--templates`, in their order), the problem files
(every YAML beside them, and every part a sheet names), and the options. It is linear in
the number of files: each folder is listed once, each file read once.

The record OUT/.solgen-build.json states what the build meant to write: the hash and size of
the bytes the build produced for each output (not of whatever is on disk), the fingerprint
and the options; it is the same bytes for the same build. A later build is "up to date" only
if every recorded file still has those bytes. Reading every output to know that would cost
seconds in a large course, so the times and inodes the build left are kept beside OUT
(.OUT.solgen-times.json, only a hint): a file whose size, time and inode are as left is
trusted without reading it (as git and make do), any other is hashed. A record of the wrong
shape is ignored with a note. Only whole successful builds are recorded; this module imports
no sympy, so a no-op build stays fast.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import __version__
from generator.build.filesystem import read_bounded
from generator.build.sheet_parts import sheet_parts
from generator.errors import SolgenError
from generator.spec.source import MAX_BYTES
from generator.theme.templates import BUILTIN, files

RECORD = ".solgen-build.json"
VERSION = 2
PACKAGE = Path(__file__).resolve().parents[1]  # the whole generator/ package
MAX_RECORD_BYTES = 200_000_000  # about a million outputs; a larger "record" is not ours


@dataclass(frozen=True)
class Entry:
    """One output as the build wrote it (time and inode: only for the times file)."""

    sha256: str
    size: int
    mtime_ns: int = 0
    inode: int = 0


def _digest(path: Path) -> str:
    """Hash of a file, streamed; an over-large input is fingerprinted by its size and time
    (it is refused when read, and must not cost gigabytes first)."""
    info = path.stat()
    if info.st_size > MAX_BYTES:
        return f"large {info.st_size} {info.st_mtime_ns}"
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _siblings(problems: Iterable[Path]) -> set[Path]:
    """The problem files and every YAML in their folders: each folder resolved and listed
    once (resolving each file would cost a system call per part of its path)."""
    folders: dict[Path, Path] = {}
    for file in problems:
        folders.setdefault(file.parent, Path(os.path.realpath(file.parent)))
    inputs: set[Path] = set()
    for real in folders.values():
        try:
            with os.scandir(real) as entries:
                inputs.update(real / e.name for e in entries
                              if e.name.endswith(".yaml") and e.is_file())
        except OSError:
            continue  # an unreadable folder: its files are reported when they are read
    for file in problems:
        inputs.add(folders[file.parent] / file.name)  # named files, any suffix
        if _may_be_sheet(file):  # parsing every problem file would cost seconds
            inputs.update(sheet_parts(file))  # issue 20: parts in sub-folders too
    return inputs


_KIND_SHEET = re.compile(rb"""^kind:\s*(sheet|'sheet'|"sheet")\s*(#.*)?$""", re.MULTILINE)


def _may_be_sheet(file: Path) -> bool:
    """A cheap look for `kind: sheet` (the pattern generator/solvers/sheet.py uses)."""
    try:
        if file.stat().st_size > MAX_BYTES:
            return False
        return _KIND_SHEET.search(file.read_bytes()) is not None
    except OSError:
        return False


@functools.cache
def code_digest() -> str:
    """solgen's own source and built-in templates, the part of every fingerprint that is
    the same for all problems of a build (read once per process)."""
    code = sorted(PACKAGE.rglob("*.py")) + sorted(p for p in BUILTIN.rglob("*") if p.is_file())
    h = hashlib.sha256()
    for path in code:
        h.update(f"\n{path}\n{_digest(path)}".encode())
    return h.hexdigest()


def fingerprint(problems: Iterable[Path], options: dict[str, object],
                templates: Sequence[Path] = ()) -> str:
    h = hashlib.sha256(f"solgen {__version__}\n".encode())
    h.update(json.dumps(options, sort_keys=True, default=str).encode())
    h.update(code_digest().encode())
    for path in sorted(_siblings(problems)):
        try:
            h.update(f"\n{path}\n{_digest(path)}".encode())
        except OSError as exc:  # unreadable: the build reports it; never "up to date"
            h.update(f"\n{path}\nunreadable {exc.errno}".encode())
    # Order matters (the first folder wins), so each folder is hashed in turn, with its name.
    for number, folder in enumerate(templates):
        h.update(f"\ntemplates {number} {folder.resolve()}".encode())
        for name in files(folder):
            h.update(f"\n{name}\n{_digest(folder / name)}".encode())
    return h.hexdigest()


def _valid_name(name: str) -> bool:
    """A path inside OUT, as a record writes it: relative, '/'-separated, no '..'."""
    return (bool(name) and not name.startswith("/") and "\\" not in name
            and ".." not in name.split("/"))


def _entries(record: Any) -> dict[str, Entry]:
    """The files of a record, or ValueError naming what is wrong with its shape."""
    if not isinstance(record, dict) or record.get("version") != VERSION:
        raise ValueError("not a record of this solgen version")
    table = record.get("files")
    if not isinstance(record.get("fingerprint"), str) or not isinstance(table, dict):
        raise ValueError("no fingerprint or no files")
    out: dict[str, Entry] = {}
    for name, row in table.items():
        ok = (isinstance(row, dict) and isinstance(row.get("sha256"), str)
              and len(row["sha256"]) == 64 and isinstance(row.get("size"), int)
              and _valid_name(name))
        if not ok:
            raise ValueError(f"a bad entry for {name!r}")
        out[name] = Entry(row["sha256"], row["size"])
    return out


def read_record(out: Path, note: Callable[[str], None]) -> tuple[str, dict[str, Entry]] | None:
    """(fingerprint, files) of OUT's record; None if there is none or it is not valid."""
    path = out / RECORD
    try:
        info = path.lstat()
    except OSError:
        return None
    try:
        if not path.is_file() or info.st_size > MAX_RECORD_BYTES:
            raise ValueError("not a regular file of a sensible size")
        record = json.loads(path.read_bytes())
        return record["fingerprint"], _entries(record)
    except (OSError, ValueError, RecursionError) as exc:
        note(f"note: ignoring {path} ({exc}); building everything again")
        return None


def times_path(out: Path) -> Path:
    real = Path(os.path.realpath(out))
    return real.parent / f".{real.name}.solgen-times.json"


def load_times(out: Path) -> dict[str, Entry]:
    """What the last build left (hash, size, time, inode per output); {} when unknown."""
    try:
        rows = json.loads(read_bounded(times_path(out), MAX_RECORD_BYTES, "times file"))
        return {name: Entry(*row) for name, row in rows.items()
                if isinstance(row, list) and len(row) == 4
                and all(isinstance(x, int) for x in row[1:])}
    except (SolgenError, ValueError, TypeError, AttributeError, RecursionError):
        return {}


def save_times(out: Path, entries: dict[str, Entry]) -> None:
    """Only a hint for the next no-op check: a failure to save it costs time, not truth."""
    rows = {n: [e.sha256, e.size, e.mtime_ns, e.inode] for n, e in sorted(entries.items())}
    path = times_path(out)
    tmp = path.with_name(path.name + f".{os.getpid()}")
    try:
        tmp.write_text(json.dumps(rows, separators=(",", ":")), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        tmp.unlink(missing_ok=True)


def same_as_left(info: os.stat_result, entry: Entry, left: Entry | None) -> bool:
    """Whether a file with this stat is, by its size, time and inode, the one a build left."""
    return (left is not None and left.sha256 == entry.sha256 and left.size == info.st_size
            and left.mtime_ns == info.st_mtime_ns and left.inode == info.st_ino)


def intact(out: str, name: str, entry: Entry, left: Entry | None) -> bool:
    """Whether OUT/name still holds the recorded bytes (strings: no Path per output)."""
    path = os.path.join(out, name)
    try:
        info = os.stat(path)
        if info.st_size != entry.size:
            return False
        return same_as_left(info, entry, left) or _digest(Path(path)) == entry.sha256
    except OSError:
        return False


def up_to_date(out: Path, key: str, note: Callable[[str], None] = lambda _: None) -> int | None:
    """Number of outputs when the last build had this key and its files are intact."""
    found = read_record(out, note)
    if found is None or found[0] != key:
        return None
    recorded, left = found[1], load_times(out)
    folder = str(out)
    if not all(intact(folder, name, e, left.get(name)) for name, e in recorded.items()):
        return None
    return len(recorded)


def record_text(key: str, options: dict[str, object], entries: dict[str, Entry]) -> str:
    """The record of a build that wrote `entries` (names relative to OUT, with '/')."""
    table = {name: {"sha256": e.sha256, "size": e.size} for name, e in sorted(entries.items())}
    return json.dumps({"version": VERSION, "fingerprint": key, "options": options,
                       "files": table}, indent=1, sort_keys=True, default=str) + "\n"
