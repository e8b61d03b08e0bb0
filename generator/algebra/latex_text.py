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
import unicodedata
from functools import lru_cache

# The markup's reader lives in spec/ (the loader checks math spans with it); re-exported.
from generator.spec.markup import Run, parse

__all__ = ["Run", "Text", "escape", "parse", "plain", "tex", "to_tex"]

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
              "theta": "θ", "lambda": "λ", "nabla": "∇", "partial": "∂", "to": "→", "infty": "∞"}


_PDF_MARKS = {"^{T}": "ᵀ", "^T": "ᵀ", "^{-1}": "⁻¹"}


def _pdf_word(name: str) -> str:
    """`\\Delta` → Δ, `\\cdot` → ·; any other command by its name (`\\tanh` → tanh)."""
    if name in _PDF_WORDS:
        return _PDF_WORDS[name]
    case = "CAPITAL" if name[:1].isupper() else "SMALL"
    try:
        return unicodedata.lookup(f"GREEK {case} LETTER {name.upper()}")
    except KeyError:
        return name


def plain(value: object) -> str:
    """A title for PDF metadata: math as readable text (`\\tanh^{(k)}` → `tanh^(k)`,
    `\\nabla_W L = \\Delta^{T} X` → `∇W L = ΔᵀX`)."""
    out = []
    for run in parse(str(value)):
        body = run.body
        if run.kind in ("math", "display"):
            for mark, text in _PDF_MARKS.items():
                body = body.replace(mark, text)
            body = _COMMAND.sub(lambda m: _pdf_word(m.group(1)), body)
            body = body.replace("{", "").replace("}", "").replace("_", "")
        out.append(body)
    return escape("".join(out))
