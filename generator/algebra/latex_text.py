"""Sentence markup → LaTeX: escaping outside math, and a two-faced `Text` for the view model.

Everything solgen prints as prose — localized messages, titles and model answers from YAML
— is written in one small markup: plain text, `$…$` inline math (LaTeX), `**bold**`,
`*italic*`, blank-line paragraphs and `-`/`+`/`*`/`1.` list items. Markdown shows that
markup as it is; `to_tex` turns it into LaTeX: math is kept, everything outside math is
escaped (`escape`), so `%`, `&`, `#`, `_` in a title print as themselves.
`Text` carries a sentence for the view model: it is the Markdown string, `.tex` the LaTeX.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
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
    """Plain text → LaTeX that prints exactly that text."""
    return _SPECIAL_RE.sub(lambda m: _SPECIAL[m.group()], text)


Kind = Literal["text", "math", "display", "bold", "em"]


@dataclass(frozen=True)
class Run:
    kind: Kind
    body: str  # plain text for text/bold/em (bold and em are parsed again), LaTeX for math


# Math first (its body may contain `*`), then bold, then italic; bold/italic may hold math.
# `$` opens math before a non-space and closes after one, not before a digit (pandoc's rule),
# so "costs $5 and $6" is text.
_TOKEN = re.compile(r"\$\$(?P<display>.+?)\$\$"
                    r"|\$(?P<math>[^\s$](?:[^$\\]|\\.)*?)(?<!\s)\$(?!\d)"
                    r"|\*\*(?P<bold>(?:[^*$]|\$[^$]*\$)+?)\*\*"
                    r"|(?<![*\w])\*(?P<em>[^*\s$](?:[^*$]|\$[^$]*\$)*?)\*(?![*\w])", re.S)


def parse(markup: str) -> tuple[Run, ...]:
    """Split one paragraph into runs."""
    runs: list[Run] = []
    at = 0
    for m in _TOKEN.finditer(markup):
        if m.start() > at:
            runs.append(Run("text", markup[at:m.start()]))
        kind: Kind = ("display" if m.group("display") is not None else
                      "math" if m.group("math") is not None else
                      "bold" if m.group("bold") is not None else "em")
        runs.append(Run(kind, m.group(kind)))
        at = m.end()
    if at < len(markup):
        runs.append(Run("text", markup[at:]))
    return tuple(runs)


def inline_tex(markup: str) -> str:
    out = []
    for run in parse(markup):
        if run.kind == "math":
            out.append(f"${run.body}$")
        elif run.kind == "display":
            out.append(rf"\[{run.body}\]")
        elif run.kind == "bold":
            out.append(r"\textbf{" + inline_tex(run.body) + "}")
        elif run.kind == "em":
            out.append(r"\emph{" + inline_tex(run.body) + "}")
        else:
            out.append(escape(run.body))
    return "".join(out)


_ITEM = re.compile(r"^\s*(?:[-+*]|(?P<number>\d+)[.)])\s+")


def _paragraph_tex(paragraph: str) -> str:
    """A paragraph, or a list when its first line is a list item."""
    lines = paragraph.split("\n")
    first = _ITEM.match(lines[0])
    if first is None:
        return inline_tex(paragraph)
    items: list[str] = []
    for line in lines:
        if _ITEM.match(line):
            items.append(_ITEM.sub("", line, count=1))
        else:
            items[-1] += " " + line.strip()
    env = "enumerate" if first.group("number") else "itemize"
    body = "\n".join(r"  \item " + inline_tex(item) for item in items)
    return f"\\begin{{{env}}}\n{body}\n\\end{{{env}}}"


# Sentences repeat from sheet to sheet (a class of variants shares every heading and most
# lines): convert each distinct one once. Bounded, so a long build cannot grow it forever.
@lru_cache(maxsize=4096)
def to_tex(markup: str) -> str:
    paragraphs = re.split(r"\n[ \t]*\n", markup.strip("\n"))
    return "\n\n".join(_paragraph_tex(p) for p in paragraphs if p.strip())


class Text(str):
    """One sentence (or a few paragraphs) of the document. It *is* its Markdown (a `str`,
    so code that handles view strings keeps working); `.tex` is its LaTeX."""

    __slots__ = ()

    @property
    def markdown(self) -> str:
        return str.__str__(self)

    @property
    def tex(self) -> str:
        return to_tex(self.markdown)


def tex(value: object) -> str:
    """The Jinja `tex` filter: any sentence or title (Text or str) as LaTeX."""
    return value.tex if isinstance(value, Text) else to_tex(str(value))


_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
_PDF_WORDS = {"dots": "…", "cdots": "⋯", "cdot": "·", "sigma": "σ", "alpha": "α",
              "theta": "θ", "nabla": "∇", "partial": "∂", "to": "→", "infty": "∞"}


def plain(value: object) -> str:
    """A title for PDF metadata: math as readable text (`\\tanh^{(k)}` → `tanh^(k)`)."""
    out = []
    for run in parse(str(value)):
        body = run.body
        if run.kind in ("math", "display"):
            body = _COMMAND.sub(lambda m: _PDF_WORDS.get(m.group(1), m.group(1)), body)
            body = body.replace("{", "").replace("}", "")
        out.append(body)
    return escape("".join(out))
