"""solgen from Python (a notebook, a script): load → solve → render, and variants.

    from generator import api
    worked = api.load("problems/week1-sgd-step.yaml")   # parsed, solved, every step checked
    worked.render("md", lang="en")                       # any format, as a string (PDF: bytes)
    worked                                               # in Jupyter: the sheet, rendered

Everything goes through the same pipeline as `solgen build`, so an error in a problem is
the same `SolgenError` (with file, line and hint) and the text is byte for byte the file
`solgen build` writes. docs/api.md shows each call; tests/test_api.py runs its examples.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.errors import SolgenError
from generator.limits import DEFAULT_SECONDS
from generator.solvers.problem import Problem
from generator.solvers.sheet import Sheet
from generator.theme.theme import Theme
from generator.view.document import Document

LANGS = ("zh-TW", "en")
FORMATS = ("md", "tex", "html", "pdf", "docx", "json", "trace")
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n\n?", re.S)
_SUMMARY = re.compile(r"\n\d+ of \d+ problem files? failed; nothing was written\.\n?\Z")
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S)

__all__ = ["FORMATS", "LANGS", "SolgenError", "Variant", "Worked", "load", "loads"]


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang is one of {', '.join(LANGS)}, not {lang!r}")
    return lang


def _document(model: Document, fmt: str, name: str, theme: Theme) -> str | bytes:
    from generator.formats.produce import produce

    if fmt not in ("md", "tex", "html", "pdf", "docx"):
        raise ValueError(f"format is one of {', '.join(FORMATS)}, not {fmt!r}")
    return produce(model, fmt, name, theme)


def _inline_html(html: str) -> str:
    """The body of a standalone HTML page, to sit inside a notebook's output cell."""
    found = _BODY.search(html)
    return (found.group(1) if found else html).strip() + "\n"


@dataclass(frozen=True)
class Variant:
    """One variant of a problem with `vary:`: its numbers, answers and two sheets."""

    label: str  # v001 …
    seed: int
    values: dict[str, str]  # every numbered leaf: exact value as a string ("-9/10")
    answers: dict[str, str]  # answer key → decimal to the problem's precision
    _models: dict[tuple[str, str], Document] = field(repr=False, compare=False)
    _name: str = field(repr=False, compare=False)
    _theme: Theme = field(default_factory=Theme, repr=False, compare=False)

    def question(self, fmt: str = "md", lang: str = "zh-TW") -> str | bytes:
        """The question sheet (statement, numbers, what to compute) in `fmt`."""
        return _document(self._models["question", _check_lang(lang)], fmt, self._name,
                         self._theme)

    def answer(self, fmt: str = "md", lang: str = "zh-TW") -> str | bytes:
        """The verified answer sheet of this variant in `fmt`."""
        return _document(self._models["answer", _check_lang(lang)], fmt, self._name,
                         self._theme)


@dataclass(frozen=True)
class Worked:
    """A problem (or sheet) file, solved, with every step verified."""

    item: Problem | Sheet
    lang: str = "zh-TW"  # what `_repr_*_` and the defaults below show
    theme: Theme = field(default_factory=Theme, repr=False)  # load(templates=…)

    @property
    def id(self) -> str:
        return str(self.item.spec.id)

    @property
    def kind(self) -> str:
        return str(self.item.spec.kind)

    def title(self, lang: str | None = None) -> str:
        return self.item.title(_check_lang(lang or self.lang))

    def in_language(self, lang: str) -> Worked:
        """The same solution, shown in `lang` by default (zh-TW or en)."""
        return Worked(self.item, _check_lang(lang), self.theme)

    def checks(self) -> dict[str, int]:
        """How many steps were checked, and how: proved symbolically or numerically."""
        steps = self.item.solution.steps()
        status = [s.check.status for s in steps if s.check is not None]
        return {"steps": len(steps), "proved": status.count("proved"),
                "numeric": status.count("numeric")}

    def trace(self) -> str:
        """The verified step trace: each step with its rule and how it was checked."""
        return str(self.item.solution.to_text())

    def answers(self) -> dict[str, str]:
        """Each answer as a sympy string that plain `sympy.sympify` reads back."""
        key: dict[str, Any] = json.loads(self.render("json"))
        return dict(key.get("answers", {}))

    def render(self, fmt: str = "md", lang: str | None = None) -> str | bytes:
        """The document in `fmt` (md, tex, html, pdf, docx; json: answer key; trace)."""
        if fmt == "trace":
            return self.trace()
        if fmt == "json":
            from generator.formats.answer_key import to_json

            return to_json(self.item, self.theme)
        from generator.view.model import document_view

        view = document_view(self.item, self.theme.voice(_check_lang(lang or self.lang)))
        return _document(view, fmt, self.id, self.theme)

    def variants(self, n: int, seed: int = 0) -> list[Variant]:
        """Draw, solve and verify `n` variants (as `solgen build --variants n --seed seed`)."""
        if not isinstance(self.item, Problem):
            raise SolgenError(f"{self.item.path}: a sheet has no variants; load its problems")
        return list(_variants(self.item, n, seed, self.theme))

    def _repr_markdown_(self) -> str:
        text = self.render("md")
        assert isinstance(text, str)
        return _FRONT_MATTER.sub("", text)

    def picture(self) -> str | None:
        """An SVG drawing: a gradient problem's computation graph with the chain-rule paths
        in red, or a self_derivatives problem's f, f′, f″, f‴; None for other kinds (and
        without matplotlib)."""
        from generator.view.pictures import picture

        return picture(self.item)

    def _repr_html_(self) -> str:
        from generator.view.pictures import with_picture

        text = self.render("html")
        assert isinstance(text, str)
        return with_picture(_inline_html(text), self.picture())


def _variants(problem: Problem, n: int, seed: int, theme: Theme) -> Iterator[Variant]:
    from generator.build.variants import Request, solve_variants, varied_or_fail
    from generator.view.sheets import Sheets

    varied_or_fail([problem])
    template, solved = solve_variants(problem, Request(n, seed, None, False))
    sheets = {lang: Sheets(problem, template, theme.voice(lang)) for lang in LANGS}
    for one in solved:
        models = {(kind, lang): (s.question(one) if kind == "question" else s.answer(one))
                  for lang, s in sheets.items() for kind in ("question", "answer")}
        values = {s.name: str(v) for s, v in one.variant.drawn.point.items()
                  if problem.graph.roles.get(s) != "constant"}
        yield Variant(one.variant.label, one.variant.seed, dict(sorted(values.items())),
                      {a.key: a.decimal for a in one.answers}, models, problem.spec.id, theme)


def load(path: str | Path, lang: str = "zh-TW", time_limit: float = DEFAULT_SECONDS,
         templates: tuple[str | Path, ...] = ()) -> Worked:
    """Parse, solve and verify one problem or sheet file; raise `SolgenError` if it fails.

    `templates` are your template folders (as `--templates`, first wins); the `Worked`
    renders with them (and only it: nothing is process-wide).
    """
    from generator.build.outputs import prepare_all
    from generator.theme.selection import choose

    theme = choose(tuple(Path(t) for t in templates), time_limit)
    try:
        return Worked(prepare_all([Path(path)], time_limit)[0], _check_lang(lang), theme)
    except SolgenError as exc:  # without the build's closing "nothing was written" line
        raise SolgenError(_SUMMARY.sub("", exc.render())) from None


def loads(text: str, lang: str = "zh-TW", time_limit: float = DEFAULT_SECONDS,
          templates: tuple[str | Path, ...] = ()) -> Worked:
    """`load` for the text of a problem file (errors name it `problem.yaml`)."""
    with tempfile.TemporaryDirectory(prefix="solgen-") as folder:
        path = Path(folder, "problem.yaml")
        path.write_text(text, encoding="utf-8")
        try:
            return load(path, lang, time_limit, templates)
        except SolgenError as exc:
            raise SolgenError(exc.render().replace(str(path), "problem.yaml")) from None
