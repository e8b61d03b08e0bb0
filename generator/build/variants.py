"""Variants × languages × formats → files, for `solgen build --variants N` / `--roster`.

Layout (one folder per problem and language, so a class's files stay together):

    OUT/<lang>/<id>/<label>.question.<ext>   statement with the drawn numbers, no solution
    OUT/<lang>/<id>/<label>.answer.<ext>     the full verified solution of that variant
    OUT/<lang>/<id>/questions.<ext>          every question sheet in one file (--combined)
    OUT/<lang>/<id>/answers.<ext>            every answer sheet in one file (--combined)
    OUT/<lang>/<id>/moodle.xml               --format moodle
    OUT/<lang>/<id>/cloze.xml                --format cloze (Moodle, one question a variant)
    OUT/<lang>/<id>/canvas-qti.zip           --format qti (Canvas question bank)
    OUT/<id>/answers.json, answers.csv       the class answer key (language-free)

<label> is v005 for variant 5, or the student id with --roster.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from generator.build.filesystem import read_bounded
from generator.build.names import DEVICE_HINT, fold, is_device
from generator.build.outputs import Output
from generator.build.progress import Tick
from generator.errors import Location, SpecError, SpecErrors, StepCheckError
from generator.formats.cloze import cloze_xml
from generator.formats.lms import FILES, bank
from generator.formats.moodle import question, quiz, to_html
from generator.formats.produce import FORMATS, produce, produce_many
from generator.formats.qti import qti_zip
from generator.limits import time_limit
from generator.solvers import registry
from generator.solvers.marks import points_of
from generator.solvers.problem import Problem
from generator.spec.models import GraphSpec
from generator.theme.theme import Theme
from generator.variants.key import answers_csv, answers_json
from generator.variants.sampler import Sampler, Variant, for_students, numbered
from generator.variants.solution import Solved, Template
from generator.view.document import Document
from generator.view.sheets import Sheets

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
ID_COLUMNS = ("id", "student_id", "student")
MAX_ROSTER_BYTES = 10_000_000  # a roster of a million students still fits


@dataclass(frozen=True)
class Request:
    count: int | None  # --variants N
    seed: int
    roster: list[tuple[str, str]] | None  # (student id, name) in file order
    combined: bool
    pdf_engine: str = "auto"
    bom: bool = False  # answers.csv starts with a UTF-8 byte order mark (for Excel)
    seconds: float = 0.0  # budget of each variant's solving (0: none)


def read_roster(path: Path) -> list[tuple[str, str]]:
    """A CSV with a header: `id` (or student_id/student) and optionally `name`."""
    raw = read_bounded(path, MAX_ROSTER_BYTES, "roster")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SpecErrors([SpecError(Location(str(path), line), "the roster is not valid UTF-8",
                                    "save it as CSV UTF-8 (Excel: Save As, CSV UTF-8)")]
                         ) from None
    rows = list(csv.reader(text.splitlines()))
    head = [h.strip().lower() for h in rows[0]] if rows else []
    column = next((head.index(c) for c in ID_COLUMNS if c in head), None)
    if column is None:
        raise SpecErrors([SpecError(Location(str(path), 1), "no student id column",
                                    "the first line names the columns, e.g. `id,name`")])
    name_col = head.index("name") if "name" in head else None
    out: list[tuple[str, str]] = []
    errors: list[SpecError] = []
    seen: dict[str, tuple[str, int]] = {}  # case-folded id → (id, line)
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        sid = row[column].strip() if column < len(row) else ""
        error = _bad_id(sid, seen.get(fold(sid)), Location(str(path), line, head[column]))
        if error is not None:
            errors.append(error)
        seen.setdefault(fold(sid), (sid, line))
        name = row[name_col].strip() if name_col is not None and name_col < len(row) else ""
        out.append((sid, name))
    if errors:
        raise SpecErrors(errors)
    if not out:
        raise SpecErrors([SpecError(Location(str(path)), "the roster lists no students")])
    return out


def _bad_id(sid: str, earlier: tuple[str, int] | None, where: Location) -> SpecError | None:
    """Why a student id cannot name its files, or None."""
    if not STUDENT_ID.match(sid):
        return SpecError(where, f"student id {sid!r} cannot name a file",
                         "use letters, digits, '.', '-' and '_'")
    if is_device(sid):
        return SpecError(where, f"student id {sid!r} is a device name on Windows", DEVICE_HINT)
    if earlier is not None and earlier[0] == sid:
        return SpecError(where, f"student id {sid!r} appears twice")
    if earlier is not None:
        return SpecError(where, f"student id {sid!r} differs from {earlier[0]!r} (line "
                         f"{earlier[1]}) only in case",
                         "Windows and macOS would store their sheets as one file; make the "
                         "ids differ in more than case")
    return None


def varied(problems: list[Any]) -> list[Problem]:
    """The problems with `vary:` (sheets and problems without numbers to draw are skipped)."""
    return [p for p in problems
            if isinstance(p, Problem) and registry.vary(p.spec)]


def varied_or_fail(problems: list[Any]) -> list[Problem]:
    """`varied(problems)`, or an error naming each file when none has `vary:`."""
    if not varied(problems):
        raise SpecErrors([SpecError(Location(p.path), "has no vary: (nothing to draw variants "
                                    "from)", "add vary: to the problem, or leave out "
                                    "--variants/--roster") for p in problems])
    return varied(problems)


def solve_variants(problem: Problem, request: Request, progress: Tick | None = None
                   ) -> tuple[Template, list[Solved]]:
    """Draw and solve every variant of one problem; raise if any line fails its check."""
    sampler = Sampler(problem)
    template = Template(problem, sampler)
    variants = draw(sampler, request)
    solved = solve_some(template, variants, request, progress)
    refuse_failures(problem, solved)
    return template, solved


def draw(sampler: Sampler, request: Request) -> list[Variant]:
    """The class's variants, in order (drawn one after another: a repeat is skipped)."""
    return (for_students(sampler, request.seed, request.roster)
            if request.roster is not None else
            numbered(sampler, request.seed, request.count or 0))


def solve_some(template: Template, variants: list[Variant], request: Request,
               progress: Tick | None = None) -> list[Solved]:
    """Solve these variants (all of a class, or one worker's share of it)."""
    solved = []
    for number, variant in enumerate(variants, 1):
        with time_limit(request.seconds, f"{template.problem.path}: variant {variant.label}"):
            solved.append(template.solve(variant))
        if progress is not None:
            progress(number, len(variants), f"solved variant {variant.label}")
    return solved


def refuse_failures(problem: Problem, solved: list[Solved]) -> None:
    bad = [f"{problem.path}: variant {s.variant.label} (seed {s.variant.seed}): {f}"
           for s in solved for f in s.failures]
    if bad:
        raise StepCheckError("\n".join(bad))


Sink = Callable[[list[Output]], list[Output]]
CHUNK = 250  # variants solved and rendered at a time: memory does not grow with the class


def problem_variant_outputs(problem: Problem, out: Path, langs: list[str], formats: list[str],
                            request: Request, theme: Theme, progress: Tick | None = None,
                            sink: Sink | None = None) -> list[Output]:
    """Every variant file of one problem with `vary:` (a unit of a parallel build).

    Variants are solved and rendered CHUNK at a time; with a `sink` (the staging folder)
    each chunk's sheets are written at once and only their paths are kept, and of each
    solved variant only what the answer key reads, so a class of 10 000 needs no more
    memory than one of 1000. Nothing is rendered once a variant has failed."""
    sampler = Sampler(problem)
    template = Template(problem, sampler)
    variants = draw(sampler, request)
    solved: list[Solved] = []
    parts: list[Rendered] = []
    sheets: dict[str, Sheets] = {}
    for start in range(0, len(variants), CHUNK):
        chunk = solve_some(template, variants[start:start + CHUNK], request)
        if progress is not None:
            progress(start + len(chunk), len(variants), f"solved and wrote "
                     f"{start + len(chunk)} variants")
        if not any(s.failures for s in solved + chunk):
            part = render(template, chunk, out, langs, formats, request, theme, sheets)
            if sink is not None:
                part.files = {k: sink(v) for k, v in part.files.items()}
            parts.append(part)
        # Kept for the answer key and the class files: strings and numbers, no sympy.
        solved += [replace(s, solution=template.symbolic, slots=None, answers=tuple(
            replace(a, exact=None) for a in s.answers)) for s in chunk]
    refuse_failures(problem, solved)
    return assemble(template, solved, parts, out, langs, formats, request, theme)


@dataclass
class Rendered:
    """The sheets of some consecutive variants: each variant's own files per (lang, format),
    in variant order, and the view models when a file of the whole class needs them."""

    files: dict[tuple[str, str], list[Output]]
    documents: dict[str, tuple[list[Document], list[Document]]]


def sheet_formats(formats: list[str]) -> list[str]:
    """The formats written as files of their own (json is the key, not a sheet)."""
    return [f for f in formats if f in (*FORMATS, "moodle", *FILES)]


def needs_documents(formats: list[str], request: Request) -> bool:
    """Whether a file of the whole class (Moodle, a bank, --combined) is asked for."""
    return request.combined or any(f == "moodle" or f in FILES for f in formats)


def render(template: Template, solved: list[Solved], out: Path, langs: list[str],
           formats: list[str], request: Request, theme: Theme,
           made: dict[str, Sheets] | None = None) -> Rendered:
    """Question and answer sheets of these variants, each in its own file (`made`: the
    Sheets of each language, kept from one chunk of a class to the next)."""
    pid = template.problem.spec.id
    labels = [s.variant.label for s in solved]
    keep = needs_documents(formats, request)
    rendered = Rendered({}, {})
    made = {} if made is None else made
    for lang in langs:
        if lang not in made:
            made[lang] = Sheets(template.problem, template, theme.voice(lang))
        sheets = made[lang]
        questions = [sheets.question(s) for s in solved]
        answers = [sheets.answer(s) for s in solved]
        if keep:
            rendered.documents[lang] = (questions, answers)
        folder = out / lang / pid
        for fmt in sheet_formats(formats):
            if fmt == "moodle" or fmt in FILES:
                continue
            engine = request.pdf_engine
            asked = produce_many(questions, fmt, [f"{x}.question" for x in labels], theme,
                                 engine)
            shown = produce_many(answers, fmt, [f"{x}.answer" for x in labels], theme, engine)
            files = rendered.files[lang, fmt] = []
            for label, q, a in zip(labels, asked, shown, strict=True):
                files.append(Output(folder / f"{label}.question.{fmt}", q))
                files.append(Output(folder / f"{label}.answer.{fmt}", a))
    return rendered


def variant_files(template: Template, solved: list[Solved], out: Path, langs: list[str],
                  formats: list[str], request: Request, theme: Theme,
                  progress: Tick | None = None) -> list[Output]:
    if progress is not None:
        progress(0, 1, "writing the sheets")
    parts = [render(template, solved, out, langs, formats, request, theme)]
    return assemble(template, solved, parts, out, langs, formats, request, theme)


def assemble(template: Template, solved: list[Solved], parts: list[Rendered], out: Path,
             langs: list[str], formats: list[str], request: Request, theme: Theme
             ) -> list[Output]:
    """The class's files in one order, from the sheets of consecutive shares of it."""
    problem = template.problem
    pid = problem.spec.id
    files = [Output(out / pid / "answers.json", answers_json(problem, solved, request.seed)),
             Output(out / pid / "answers.csv", answers_csv(problem, solved, request.bom))]
    for lang in langs:
        folder = out / lang / pid
        questions = [d for part in parts for d in part.documents.get(lang, ([], []))[0]]
        answers = [d for part in parts for d in part.documents.get(lang, ([], []))[1]]
        sheets = Sheets(problem, template, theme.voice(lang)) if needs_documents(
            formats, request) else None
        for fmt in sheet_formats(formats):
            if fmt == "moodle":
                files.append(Output(folder / "moodle.xml", _moodle(problem, questions, answers,
                                                                   solved)))
                continue
            if fmt in FILES:
                assert sheets is not None
                items = bank(problem, sheets.title, questions, answers, solved)
                files.append(Output(folder / FILES[fmt], cloze_xml(items) if fmt == "cloze"
                                    else qti_zip(items)))
                continue
            files += [f for part in parts for f in part.files[lang, fmt]]
            if request.combined:
                assert sheets is not None
                files += class_files(folder, fmt, sheets, questions, answers, request, theme)
    return files


class Combines(Protocol):
    """What makes a class file: view/sheets.py's Sheets, view/packets.py's Packets."""

    def combined(self, models: list[Document], answers: bool, seed: int) -> Document: ...


def class_files(folder: Path, fmt: str, sheets: Combines, questions: list[Document],
                answers: list[Document], request: Request, theme: Theme) -> list[Output]:
    """--combined: every question sheet in one file, every answer sheet in another."""
    return [Output(folder / f"{name}.{fmt}", produce(
                sheets.combined(models, shows, request.seed), fmt, name, theme,
                request.pdf_engine))
            for name, models, shows in (("questions", questions, False),
                                        ("answers", answers, True))]


def _moodle(problem: Problem, questions: list[Document], answers: list[Document],
            solved: list[Solved]) -> str:
    spec = problem.spec
    assert isinstance(spec, GraphSpec)
    items = []
    for q, a, s in zip(questions, answers, solved, strict=True):
        text, feedback = to_html(q), to_html(a)
        points = points_of(spec, problem.graph, [x.key for x in s.answers])
        for answer, worth in zip(s.answers, points, strict=True):
            many = len(s.answers) > 1
            asked = text + rf"<p>\({answer.label} = ?\)</p>" if many else text
            name = f"{spec.id} {s.variant.label}" + (f" {answer.key}" if many else "")
            items.append(question(name, asked, feedback, answer, worth, tuple(spec.tags)))
    return quiz(spec.category or f"solgen/{spec.id}", items)
