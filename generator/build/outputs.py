"""Problems × languages × formats → files under output/, all or nothing.

Every problem is solved and verified before anything is written, so one broken file
never leaves a half-updated output folder; each file is written to a temporary name
and renamed into place.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from generator.errors import Location, SolgenError, SpecError, SpecErrors
from generator.limits import DEFAULT_SECONDS, memory_budget, out_of_memory, time_limit
from generator.spec.file_safety import refuse_links

if TYPE_CHECKING:
    from generator.solvers.problem import Problem  # imports sympy: only when building
    from generator.solvers.sheet import Sheet
    from generator.theme.theme import Theme

_P = TypeVar("_P", "Problem", "Sheet")

DEFAULT_FORMATS = ("md", "tex", "pdf", "json")


@dataclass(frozen=True)
class Output:
    path: Path
    text: str | bytes


def problem_files(paths: Iterable[Path]) -> list[Path]:
    """YAML files named directly or found (sorted) under folders."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.yaml") if p.is_file()))
        elif path.exists():
            found.append(path)
        else:
            raise SpecErrors([SpecError(Location(str(path)), "no such file or folder")])
    return found


def prepare_all(files: list[Path], seconds: float = DEFAULT_SECONDS,
                failures: list[str] | None = None,
                progress: Callable[[int, int, str], None] | None = None,
                disk: bool = False) -> list[Problem | Sheet]:
    """Solve every file, each within `seconds`; collect the errors of all files.

    With no `failures` list, any error aborts (after every file was tried) and nothing is
    written. With one (--keep-going), errors are appended to it and the rest is returned.
    `progress(done, total, what)` is called after each file. `disk`: keep solved problems
    on disk for the next build (build/solved.py; a build does, `solgen check` does not).
    """
    problems: list[Problem | Sheet] = []
    errors: list[str] = []
    cache: dict[Path, Problem] = {}  # a problem in a sheet and on its own is solved once
    for number, file in enumerate(files, 1):
        outcome = "verified"
        try:
            problems.append(prepare_one(file, seconds, cache, disk))
        except SolgenError as exc:
            errors.append(exc.render().removesuffix("\n"))
            outcome = "failed"
        if progress is not None:
            progress(number, len(files), f"{outcome} {display(file)}")
    if failures is not None:
        failures.extend(errors)
    elif errors:
        raise SolgenError("\n".join(errors) + f"\n{len(errors)} of {len(files)} problem "
                          "files failed; nothing was written.")
    return problems


def prepare_one(file: Path, seconds: float, cache: dict[Path, Problem], disk: bool = False
                ) -> Problem | Sheet:
    """Solve and verify one problem or sheet; `cache` holds the problems solved so far."""
    from generator.build import solved
    from generator.solvers.problem import prepare
    from generator.solvers.sheet import is_sheet, prepare_sheet

    name = display(file)
    _small_enough(file, name)  # before anything reads it (is_sheet reads the whole file)
    try:
        with time_limit(seconds, name):
            if is_sheet(file):
                return _named(prepare_sheet(file, name, cache))
            real = file.resolve()
            if real not in cache:
                cache[real] = _named(solved.prepared(file, name, lambda: prepare(
                    file, display=name)) if disk else prepare(file, display=name))
            return cache[real]
    except RecursionError:
        raise SolgenError(f"{name}: too deeply nested for symbolic work") from None
    except MemoryError:
        raise out_of_memory(name, memory_budget()) from None


def _small_enough(file: Path, name: str) -> None:
    from generator.spec.source import MAX_BYTES

    try:
        size = file.stat().st_size
    except OSError as exc:
        raise SpecError(Location(name), f"cannot read file: {exc.strerror}") from None
    if size > MAX_BYTES:
        raise SpecError(Location(name), f"file is larger than {MAX_BYTES} bytes",
                        "split it into smaller files")


def _named(problem: _P) -> _P:
    """The problem, unless its id names a device on Windows (then an error at `id:`)."""
    from generator.build.names import DEVICE_HINT, is_device

    if not is_device(problem.spec.id):
        return problem
    source = getattr(problem, "source", None)
    where = source.at(("id",)) if source is not None else Location(problem.path, key="id")
    raise SpecError(where, f"id {problem.spec.id!r} is a device name on Windows", DEVICE_HINT)


def display(file: Path) -> str:
    """A file as the user named it: relative to the working folder when inside it."""
    try:
        return str(file.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(file)


def outputs(problems: list[Problem | Sheet], out: Path, langs: list[str], formats: list[str],
            theme: Theme, pdf_engine: str = "auto", audit: bool = False) -> list[Output]:
    from generator.formats.answer_key import to_json
    from generator.formats.produce import EXTENSION, produce
    from generator.view.model import document_view, with_audit

    files = []
    for problem in problems:
        for fmt in formats:
            if fmt == "json":
                files.append(Output(out / f"{problem.spec.id}.json", to_json(problem, theme)))
                continue
            for lang in langs:
                voice = theme.voice(lang)
                view = document_view(problem, voice)
                if audit:
                    view = with_audit(view, problem.solution, voice)
                text = produce(view, fmt, problem.spec.id, theme, pdf_engine)
                files.append(Output(out / lang / f"{problem.spec.id}.{EXTENSION[fmt]}", text))
    return files


def no_clashes(files: list[Output]) -> None:
    """No two outputs at one path, also where file systems ignore case (Windows, macOS)."""
    from generator.build.names import fold

    seen: dict[str, Path] = {}
    for f in files:
        first = seen.setdefault(fold(str(f.path)), f.path)
        if first is f.path:
            continue
        if first == f.path:
            raise SolgenError(f"two problems would write {f.path}: give them different ids")
        raise SolgenError(f"{first} and {f.path} differ only in case",
                          hint="Windows and macOS would store them as one file; give the "
                          "problems ids that differ in more than case")


def write(files: list[Output]) -> list[Path]:
    """Write each file atomically; unchanged files are left alone (their mtime too)."""
    written = []
    made: set[Path] = set()  # mkdir per file dominated writing thousands of variant sheets
    for f in files:
        data = f.text.encode("utf-8") if isinstance(f.text, str) else f.text
        refuse_links(f.path, 1)  # issue 20: a link in the output folder is an error
        if f.path.exists() and f.path.read_bytes() == data:
            continue
        if f.path.parent not in made:
            f.path.parent.mkdir(parents=True, exist_ok=True)
            made.add(f.path.parent)
        fd, tmp = _temporary(f.path)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, f.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written.append(f.path)
    return written


def _temporary(path: Path) -> tuple[int, str]:
    """A new hidden file beside `path`, created with mode 0666 less the umask (mkstemp's
    0600 would make outputs unreadable to a course's web server)."""
    while True:
        tmp = str(path.parent / f".{path.name}.{secrets.token_hex(4)}")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666), tmp
        except FileExistsError:
            continue
