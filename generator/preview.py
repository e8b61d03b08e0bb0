"""What `solgen serve` shows: every problem file's sheets as HTML, kept up to date.

`Preview.refresh()` looks at the files (and the --templates folders) and re-solves only
the problem files whose bytes changed; a sheet file (kind: sheet) is assembled again from
the solved problems it names, so it costs little. When only a template changed, nothing is
re-solved: the pages are rendered again. A file that fails keeps its error (file:line and
hint, as `solgen check` prints it) in place of its pages until it is fixed.

Pages are the HTML output (`--format html`: pandoc, math as MathML): per file, the answer
sheet in each language and, for a problem with `vary:`, the question and answer sheets of
its first variant (seed 0). Solving runs in the calling (main) thread, so the per-problem
time limit (SIGALRM) applies as in a build.
"""

from __future__ import annotations

import hashlib
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.build.outputs import display, prepare_one, problem_files
from generator.errors import SolgenError
from generator.spec.models import LANGS
from generator.theme.theme import Theme

Stamp = tuple[int, int]  # mtime in ns, size: read a file again only when these change


@dataclass
class Entry:
    """One watched file: its bytes' hash, what it solved to, its pages or its error."""

    path: Path
    digest: str = ""
    item: Any = None  # Problem or Sheet once solved
    pages: dict[str, str] = field(default_factory=dict)  # "answer/en" → standalone HTML
    error: str | None = None
    steps: int = 0


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _failure(exc: BaseException) -> str:
    """The text an author sees: a SolgenError as the CLI prints it; anything else (a bug in
    solgen) by its type and message, with the traceback left to the terminal."""
    if isinstance(exc, SolgenError):
        return exc.render().rstrip("\n")
    traceback.print_exception(exc)
    return f"internal error: {type(exc).__name__}: {exc}\n  hint: this is a bug in solgen"


def render_pages(item: Any, theme: Theme, svg: str | None = None) -> dict[str, str]:
    """Every page of one solved problem or sheet, as standalone HTML documents with the
    templates of `theme`; `svg` (its picture, generator/view/pictures.py) goes under the
    title of its answer sheets."""
    from generator.formats.produce import produce
    from generator.view.model import document_view
    from generator.view.pictures import with_picture

    pages = {f"answer/{lang}": with_picture(str(produce(
        document_view(item, theme.voice(lang)), "html", item.spec.id, theme)), svg)
             for lang in LANGS}
    from generator.build.variants import Request, solve_variants, varied
    from generator.view.sheets import Sheets

    for problem in varied([item]):
        template, solved = solve_variants(problem, Request(1, 0, None, False))
        for lang in LANGS:
            sheets = Sheets(problem, template, theme.voice(lang))
            pages[f"question/{lang}"] = str(produce(sheets.question(solved[0]), "html",
                                                    problem.spec.id, theme))
            pages[f"variant/{lang}"] = str(produce(sheets.answer(solved[0]), "html",
                                                   problem.spec.id, theme))
    return pages


class Preview:
    """The watched problem files (PATHS as `solgen build` reads them) and their pages."""

    def __init__(self, paths: tuple[Path, ...], templates: tuple[Path, ...] = (),
                 seconds: float = 60.0) -> None:
        self.paths = paths
        self.templates = templates
        self.theme = Theme()  # the folders' theme once they are read and checked
        self.seconds = seconds
        self.entries: dict[str, Entry] = {}  # by display name, in file order
        self.template_error: str | None = None
        self.version = 0  # +1 whenever a page may have changed
        self._stamps: dict[Path, Stamp] = {}
        self._template_stamp: tuple[tuple[str, Stamp], ...] = ()
        self._solved: dict[Path, Any] = {}  # problems solved so far, for sheets
        self._pictures: dict[tuple[Any, ...], str | None] = {}

    def _stamp(self, path: Path) -> Stamp:
        try:
            info = path.stat()
        except OSError:
            return (0, -1)
        return (info.st_mtime_ns, info.st_size)

    def _templates_changed(self) -> bool:
        stamp = tuple((str(p), self._stamp(p)) for folder in self.templates
                      for p in sorted(folder.rglob("*")) if p.is_file())
        if stamp == self._template_stamp:
            return False
        self._template_stamp = stamp
        from generator.theme.selection import choose

        try:
            self.theme = choose(self.templates)
            self.template_error = None
        except Exception as exc:  # shown on every page until the template is fixed
            self.template_error = _failure(exc)
        return True

    def _changed_files(self) -> tuple[list[Path], bool]:
        """The files whose bytes changed, and whether any file came or went."""
        try:
            files = problem_files(self.paths)
        except SolgenError:
            files = []
        names = [display(f) for f in files]
        moved = names != list(self.entries)
        self.entries = {n: self.entries.get(n) or Entry(f) for n, f in zip(names, files,
                                                                          strict=True)}
        changed = []
        for entry in self.entries.values():
            stamp = self._stamp(entry.path)
            if self._stamps.get(entry.path) == stamp and entry.digest:
                continue
            self._stamps[entry.path] = stamp
            digest = _digest(entry.path)
            if digest != entry.digest:
                entry.digest = digest
                changed.append(entry.path)
        return changed, moved

    def refresh(self) -> bool:
        """Bring every page up to date; True when anything may look different."""
        restyled = self._templates_changed()
        changed, moved = self._changed_files()
        if not (changed or moved or restyled):
            return False
        for path in changed:
            self._solved.pop(path.resolve(), None)
        for entry in self.entries.values():
            self._update(entry, entry.path in changed or restyled or _is_sheet(entry))
        self.version += 1
        return True

    def _picture(self, item: Any) -> str | None:
        """The item's drawing, redrawn only when what it shows changed (not for a title)."""
        from generator.view.pictures import key, picture

        mark = key(item)
        if mark not in self._pictures:
            self._pictures[mark] = picture(item)
        return self._pictures[mark]

    def _update(self, entry: Entry, again: bool) -> None:
        if not again and (entry.pages or entry.error):
            return
        # Pages and error are replaced together at the end: the server, reading from another
        # thread, shows the old page until the new one is ready.
        try:
            entry.item = prepare_one(entry.path, self.seconds, self._solved)
            entry.steps = len(entry.item.solution.steps())
            pages = (render_pages(entry.item, self.theme, self._picture(entry.item))
                     if self.template_error is None else {})
            entry.pages, entry.error = pages, None
        except Exception as exc:  # the author's mistake goes on the page, not a traceback
            entry.item = None
            entry.pages, entry.error = {}, _failure(exc)


def _is_sheet(entry: Entry) -> bool:
    """Sheets are assembled again after any change: a problem they name may have changed."""
    from generator.solvers.sheet import is_sheet

    try:
        return is_sheet(entry.path)
    except (OSError, SolgenError):
        return False
