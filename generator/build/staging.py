"""All or nothing at the folder level: a build is assembled beside OUT and swapped in.

The staging folder `.OUT.solgen-staging` (beside OUT, so on the same file system) starts as
a copy of OUT made of hard links (nothing is copied, unchanged files keep their time), then
receives the new outputs and the build record, and finally takes OUT's place in one atomic
exchange (Linux renameat2 RENAME_EXCHANGE). Until that moment OUT is the previous build,
untouched; after it, OUT is the new build, whole. Whatever an interrupted build leaves
(a staging folder, the previous build moved aside) is cleaned up by the next build, which
runs under the same lock (generator/lock.py), so no other build can be using them.

A folder under OUT that holds one problem's variants (OUT/<id>/, OUT/<lang>/<id>/) belongs
to the build that writes it: files in it that the build did not write are dropped, so
sheets of one seed never sit next to the answer key of another.

Where OUT cannot be exchanged (it is a mount point, or the system has no exchange), the
changed files are moved into OUT one by one, each atomically, the record last.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import shutil
import signal
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from generator.build.cache import RECORD, Entry, load_times, same_as_left
from generator.build.filesystem import explain
from generator.build.outputs import Output
from generator.errors import SolgenError
from generator.spec.file_safety import refuse_links

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@dataclass(frozen=True)
class Places:
    """OUT (its real path) and the two hidden folders beside it."""

    out: Path
    staging: Path
    old: Path

    @staticmethod
    def of(out: Path) -> Places:
        real = Path(os.path.realpath(out))
        return Places(real, real.parent / f".{real.name}.solgen-staging",
                      real.parent / f".{real.name}.solgen-old")


def unsafe_out(out: Path, inputs: Iterable[Path]) -> str:
    """Why OUT must not be replaced as a whole ("" when it may): a build swaps the entire
    folder, so it must not be the folder one works in, a folder above it, a repository, or
    a folder that holds the build's own inputs."""
    real = Path(os.path.realpath(out))
    here = Path(os.path.realpath(Path.cwd()))
    if real == here or real in here.parents:
        return "it is the current folder or a folder above it"
    if real == Path.home().resolve() or real == Path(real.anchor):
        return "it is a home or root folder"
    if (real / ".git").exists():
        return "it is a git working tree"
    for given in inputs:
        source = Path(os.path.realpath(given))
        if source == real or real in source.parents:
            return f"it holds an input of this build ({given})"
    return ""


def clean_leftovers(places: Places) -> None:
    """Undo what an interrupted build left; call only while holding OUT's lock."""
    try:
        if not os.path.lexists(places.out) and places.old.is_dir():
            places.old.rename(places.out)  # stopped between the two renames: put it back
        for folder in (places.staging, places.old):
            if os.path.lexists(folder):
                shutil.rmtree(folder)
    except OSError as exc:
        raise explain(exc, "cannot clean up after an interrupted build") from None


@dataclass
class Publication:
    """What a publish did: the paths written (bytes changed) and the record's entries."""

    written: list[Path] = field(default_factory=list)
    entries: dict[str, Entry] = field(default_factory=dict)


@dataclass(frozen=True)
class Staged(Output):
    """An output already written into the staging folder (`Stage.add`): its path only."""


def publish(out: Path, outputs: list[Output], owned: Iterable[Path],
            record: Callable[[dict[str, Entry]], str] | None, stage: Stage | None = None
            ) -> Publication:
    """Make OUT hold `outputs` (paths under `out`) all at once, or leave it as it was.

    `record` gives the record's text from the entries written (None: no record, for a
    --keep-going build with failures). Files in `owned` folders not written are dropped.
    `stage`: one opened before, into which some outputs were written as they were made
    (`Stage.add`; those are `Staged` here). Call only while holding OUT's lock.
    """
    if stage is None:
        stage = Stage(out)
    try:
        if not stage.opened:
            stage.open()
        stage.write(outputs, owned)
        stage.finish(None if record is None else record(stage.result.entries))
    except BaseException:
        stage.abandon()
        raise
    return stage.result


class Stage:
    """One build's staging folder: carry OUT over, write, record, swap."""

    def __init__(self, out: Path) -> None:
        self.given = out
        self.places = Places.of(out)
        self.result = Publication()
        self.opened = False
        self._before: dict[str, Entry] = {}
        self._made: set[Path] = set()
        self._wanted: set[str] = set()

    def open(self) -> None:
        self.opened = True
        p = self.places
        clean_leftovers(p)
        refuse_links(self.given / RECORD, levels=0)  # issue 20: never through a planted link
        if os.path.lexists(p.out) and not p.out.is_dir():
            raise explain(OSError(errno.ENOTDIR, "not a folder"), "cannot write the output",
                          self.given)
        if p.out.is_dir() and not os.access(p.out, os.W_OK):
            raise explain(OSError(errno.EACCES, "not writable"),
                          "the output folder is not writable", self.given)
        try:
            p.out.parent.mkdir(parents=True, exist_ok=True)
            os.mkdir(p.staging)  # the umask applies, as to every folder and file below
            if p.out.is_dir():
                os.chmod(p.staging, stat.S_IMODE(p.out.stat().st_mode))
                self._carry_over()
        except OSError as exc:
            raise explain(exc, "cannot prepare the new build beside it", self.given) from None
        self._before = load_times(p.out)

    def _carry_over(self) -> None:
        """Hard links of every file of OUT (but its record), folders with their modes."""
        src, dst = self.places.out, self.places.staging
        device = os.lstat(src).st_dev
        for folder, dirs, names in os.walk(src):
            rel = os.path.relpath(folder, src)
            target = dst if rel == "." else dst / rel
            if rel == "." and RECORD in dirs:
                dirs.remove(RECORD)  # a record that is a folder: not carried over
            for d in dirs:
                made = target / d
                if os.path.islink(Path(folder, d)):
                    os.symlink(os.readlink(Path(folder, d)), made)
                    continue
                info = os.lstat(Path(folder, d))
                if info.st_dev != device:  # linking across it would copy a whole disk
                    raise SolgenError(f"{Path(folder, d)} is a mount point inside the output "
                                      "folder", where=str(self.given),
                                      hint="solgen replaces the output folder as a whole; "
                                      "choose an --out folder with no mount point inside")
                os.mkdir(made)
                os.chmod(made, stat.S_IMODE(info.st_mode))
            for name in names:
                if rel == "." and name == RECORD:
                    continue
                _link(Path(folder, name), target / name)

    def write(self, outputs: list[Output], owned: Iterable[Path]) -> None:
        """Each output into the staging folder, unless its bytes are already there; then
        drop what the build did not write from the folders it owns."""
        self.add([f for f in outputs if not isinstance(f, Staged)])
        self._drop_stale(owned, self._wanted)

    def add(self, outputs: list[Output]) -> list[Output]:
        """Write these outputs now (a class's sheets as they are made, so the build does
        not hold them all); returns them as `Staged`, their bytes let go."""
        for f in outputs:
            data = f.text.encode("utf-8") if isinstance(f.text, str) else f.text
            name = f.path.relative_to(self.given).as_posix()
            refuse_links(f.path, levels=name.count("/"))  # OUT's own links: never followed
            self._wanted.add(name)
            digest = hashlib.sha256(data).hexdigest()
            path = self.places.staging / name
            try:
                if not _same(path, data, digest, self._before.get(name)):
                    if path.parent not in self._made:
                        path.parent.mkdir(parents=True, exist_ok=True)
                        self._inside(path.parent, f.path)
                        self._made.add(path.parent)
                    _create(path, data)
                    self.result.written.append(f.path)
                info = path.stat()
            except OSError as exc:
                raise explain(exc, "cannot write", f.path) from None
            self.result.entries[name] = Entry(digest, info.st_size, info.st_mtime_ns,
                                              info.st_ino)
        return [Staged(f.path, b"") for f in outputs]

    def _inside(self, folder: Path, shown: Path) -> None:
        """A folder link carried over from OUT must not lead a write out of it (issue 20)."""
        root = os.path.realpath(self.places.staging)
        real = os.path.realpath(folder)
        if real != root and not real.startswith(root + os.sep):
            raise SolgenError("a folder on this path is a link that leads out of the output "
                              "folder", where=str(shown),
                              hint="remove the link from the output folder")

    def _drop_stale(self, owned: Iterable[Path], wanted: set[str]) -> None:
        for folder in owned:
            rel = folder.relative_to(self.given)
            here = self.places.staging / rel
            for entry in sorted(here.iterdir()) if here.is_dir() else []:
                name = (rel / entry.name).as_posix()
                if name not in wanted and (entry.is_file() or entry.is_symlink()):
                    entry.unlink()

    def finish(self, record: str | None) -> None:
        """Write the record and put the staging folder in OUT's place."""
        p = self.places
        try:
            if record is not None:
                _create(p.staging / RECORD, record.encode("utf-8"))
            with _signals_held():
                if not os.path.lexists(p.out):
                    os.rename(p.staging, p.out)
                    return
                if not _exchange(p.staging, p.out):
                    self._apply_by_file()
                    return
            shutil.rmtree(p.staging)  # now the previous build
        except OSError as exc:
            raise explain(exc, "cannot put the new build in place", self.given) from None

    def _apply_by_file(self) -> None:
        """No exchange possible: move changed files in one by one, the record last."""
        p = self.places
        for path in self.result.written:
            name = path.relative_to(self.given)
            (p.out / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(p.staging / name, p.out / name)
        names = set(self.result.entries)
        for folder, _, files in os.walk(p.out):
            for file in files:
                rel = Path(folder, file).relative_to(p.out).as_posix()
                if rel not in names and rel != RECORD and not (p.staging / rel).exists():
                    Path(folder, file).unlink()  # dropped as stale in the staging folder
        if (p.staging / RECORD).exists():
            os.replace(p.staging / RECORD, p.out / RECORD)
        else:
            (p.out / RECORD).unlink(missing_ok=True)
        shutil.rmtree(p.staging)

    def abandon(self) -> None:
        """An interrupted or failed build: remove the staging folder, OUT stays as it was."""
        shutil.rmtree(self.places.staging, ignore_errors=True)


def _same(path: Path, data: bytes, digest: str, left: Entry | None) -> bool:
    """Whether the carried-over file at `path` already holds `data`."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
        return False
    if same_as_left(info, Entry(digest, len(data)), left):
        return True  # as the last build left it, and untouched since
    return path.read_bytes() == data


def _create(path: Path, data: bytes) -> None:
    """A new file (never into a hard link shared with OUT), with the umask's mode."""
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _link(src: Path, dst: Path) -> None:
    if src.is_symlink():
        os.symlink(os.readlink(src), dst)
        return
    try:
        os.link(src, dst)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EXDEV):
            raise
        shutil.copy2(src, dst)  # a file system without hard links


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False where the system or file system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return _two_renames(a, b)
    done = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return _two_renames(a, b)
    if code in (errno.EBUSY, errno.EXDEV):
        return False  # OUT is a mount point (a container volume, say)
    raise OSError(code, os.strerror(code), str(b))


def _two_renames(staging: Path, out: Path) -> bool:
    """OUT aside, staging in; a stop between the two is undone by clean_leftovers."""
    old = out.parent / f".{out.name}.solgen-old"
    try:
        os.rename(out, old)
    except OSError as exc:
        if exc.errno in (errno.EBUSY, errno.EXDEV):
            return False
        raise
    try:
        os.rename(staging, out)
    except BaseException:
        os.rename(old, out)
        raise
    os.rename(old, staging)  # so the caller removes the previous build where it expects it
    return True


@contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the swap is done (they are delivered right after)."""
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
