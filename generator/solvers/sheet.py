"""Sheets: several problem files assembled into one document, as seed 000 is.

A sheet file (`kind: sheet`) lists parts; a part is a problem file (path relative to the
sheet) or a group of sub-parts. Parts are numbered (1), (2), … and sub-parts (a), (b), …;
each problem's own sections follow its heading one level deeper. The problems are
prepared (solved and verified) exactly as on their own, so a sheet never holds a step
that its problem alone would reject.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from generator.algebra.trace import Section, Solution
from generator.errors import SpecError, SpecErrors
from generator.solvers.problem import Problem, prepare
from generator.spec.file_safety import inside
from generator.spec.models import Localized, SheetPart, SheetSpec, localized
from generator.spec.source import Source, read_source

_ADAPTER: TypeAdapter[SheetSpec] = TypeAdapter(SheetSpec)


_KIND_SHEET = re.compile(r"""^kind:\s*(sheet|'sheet'|"sheet")\s*(#.*)?$""")


def is_sheet(path: Path) -> bool:
    """A cheap look at `kind:` so builds can tell sheets from problems before parsing."""
    try:
        head = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(_KIND_SHEET.match(line) for line in head.splitlines())


@dataclass(frozen=True)
class Entry:
    """One heading of the sheet, with the problem under it (None for a group heading)."""

    label: str  # as printed: "2", "b"
    number: str  # unique in the sheet: "2", "2b"
    level: int
    title: Localized | None
    problem: Problem | None


@dataclass(frozen=True)
class Sheet:
    path: str
    spec: SheetSpec
    entries: tuple[Entry, ...]

    @property
    def solution(self) -> Solution:
        """All parts' sections in order, for step counts and the trace."""
        sections: list[Section] = []
        for e in self.entries:
            sections.append(Section(f"part {e.number}", ()))
            if e.problem is not None:
                sections.extend(e.problem.solution.sections)
        return Solution(self.spec.id, "sheet", tuple(sections))

    def title(self, lang: str) -> str:
        return localized(self.spec.title, lang)


def _validate(source: Source) -> SheetSpec:
    try:
        return _ADAPTER.validate_python(source.data)
    except ValidationError as exc:
        from generator.spec.models import _HINTS, _key_path, _message  # one style for every file

        raise SpecErrors([SpecError(source.at(_key_path(err["loc"], source.data)),
                                    _message(err), _HINTS.get(err["type"], ""))
                          for err in exc.errors(include_url=False)]) from None


def prepare_sheet(path: Path, display: str | None = None,
                  cache: dict[Path, Problem] | None = None) -> Sheet:
    """Load a sheet and prepare each problem it names (once, through `cache`)."""
    source = read_source(path, display)
    spec = _validate(source)
    cache = {} if cache is None else cache
    entries: list[Entry] = []
    errors: list[SpecError] = []

    def add(parts: list[SheetPart], keys: tuple[str | int, ...], level: int,
            parent: str = "") -> None:
        for i, part in enumerate(parts):
            label = str(i + 1) if level == 2 else string.ascii_lowercase[i]
            number = parent + label
            where = source.at((*keys, i, "problem"))
            if part.parts:
                if level > 2:
                    errors.append(SpecError(source.at((*keys, i, "parts")),
                                            "sub-parts cannot have sub-parts"))
                    continue
                entries.append(Entry(label, number, level, part.title, None))
                add(part.parts, (*keys, i, "parts"), level + 1, number)
                continue
            file = (path.parent / str(part.problem)).resolve()
            if not inside(path.parent, file):  # issue 20: only the sheet's own folder tree
                errors.append(SpecError(where, f"{part.problem!r} is outside the sheet's "
                                        "folder", "a sheet names problem files in its own "
                                        "folder or below it (no '..', no links out)"))
                continue
            if not file.is_file() or is_sheet(file):
                what = "is a sheet" if file.is_file() else "is not a file"
                errors.append(SpecError(where, f"{part.problem!r} {what}",
                                        "name a problem file, relative to this sheet"))
                continue
            if file not in cache:
                shown = str(Path(source.path).parent / str(part.problem))
                cache[file] = prepare(file, display=shown)
            entries.append(Entry(label, number, level, part.title, cache[file]))

    add(spec.parts, ("parts",), 2)
    if errors:
        raise SpecErrors(errors)
    return Sheet(source.path, spec, tuple(entries))
