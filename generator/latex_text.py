"""Sentence text for LaTeX: escaping of plain text and a two-faced `Text` for the view model.

Localized sentences are written in a small markup shared by every format: plain text,
`$…$` inline math (already LaTeX, made by solgen's printer) and `**…**` bold. `Text`
parses a sentence once, when the view model is built, and keeps both renderings: its
`str()` is the Markdown (so Markdown templates use it as a plain string) and `.tex` is
the LaTeX. Text from YAML (titles) has no markup: `escape` makes it safe outside math.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

# TeX's special characters outside math, and what prints each one literally.
_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}
_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in _SPECIAL))


def escape(text: str) -> str:
    """Plain text (a title from YAML) → LaTeX that prints exactly that text."""
    return _SPECIAL_RE.sub(lambda m: _SPECIAL[m.group()], text)


Kind = Literal["text", "math", "bold"]


@dataclass(frozen=True)
class Run:
    kind: Kind
    body: str  # plain text for text/bold, LaTeX for math


# `$…$` math first (its body may contain `*`), then `**…**` bold whose body may hold math.
_TOKEN = re.compile(r"\$(?P<math>(?:[^$\\]|\\.)+)\$|\*\*(?P<bold>(?:[^*$]|\$[^$]*\$)+?)\*\*")


def parse(markup: str) -> tuple[Run, ...]:
    """Split a sentence into runs; bold bodies are parsed again for the math inside."""
    runs: list[Run] = []
    at = 0
    for m in _TOKEN.finditer(markup):
        if m.start() > at:
            runs.append(Run("text", markup[at:m.start()]))
        if m.group("math") is not None:
            runs.append(Run("math", m.group("math")))
        else:
            runs.append(Run("bold", m.group("bold")))
        at = m.end()
    if at < len(markup):
        runs.append(Run("text", markup[at:]))
    return tuple(runs)


def to_tex(markup: str) -> str:
    out = []
    for run in parse(markup):
        if run.kind == "math":
            out.append(f"${run.body}$")
        elif run.kind == "bold":
            out.append(r"\textbf{" + to_tex(run.body) + "}")
        else:
            out.append(escape(run.body))
    return "".join(out)


@dataclass(frozen=True)
class Text:
    """One sentence of the document: `str()` is its Markdown, `.tex` its LaTeX."""

    markdown: str

    def __str__(self) -> str:
        return self.markdown

    def __bool__(self) -> bool:
        return bool(self.markdown)

    @property
    def tex(self) -> str:
        return to_tex(self.markdown)


def tex(value: object) -> str:
    """The Jinja `tex` filter: a `Text` gives its LaTeX, anything else is plain text."""
    return value.tex if isinstance(value, Text) else escape(str(value))
