"""Where inline HTML math may break across lines (issue 15).

KaTeX, like TeX, lets a browser break inline math after any top-level relation or binary
operator. On a student sheet that gives "w_a =" at the end of one line and its value on
the next. A list of givens (`a = …,\\quad w = …,\\quad y = 1`) is the long inline math
solgen writes; a reader expects it to break between the givens, as a typist would.

So an inline formula is cut at its top-level `,\\quad` into pieces, each typeset on its
own; the pieces are joined by an em space (a break opportunity, \\quad's width). A short
piece is kept whole (`white-space: nowrap`, class `solgen-nobreak` in
templates/html/math-style.html); a long one keeps KaTeX's break points so it still fits
the column rather than run past it.
"""

from __future__ import annotations

import re

SEPARATOR = r",\quad"
# A piece of at most this many visible characters (about a quarter of a text line) is
# never broken: "w_a = 1" or a 3×3 matrix, not a sum running over half the page.
SHORT = 24
_COMMAND = re.compile(r"\\[A-Za-z]+|\\.|[{}\s&^_]")
_ENVIRONMENT = re.compile(r"\\(begin|end)\{[^}]*\}")
_TOKEN = re.compile(r"\\(?:begin|end)\{[^}]*\}|\\(?:left|right)(?![A-Za-z])|\\[A-Za-z]+|\\.|.",
                    re.S)
_OPEN, _CLOSE = re.compile(r"\{|\\begin\{|\\left$"), re.compile(r"\}|\\end\{|\\right$")


def pieces(tex: str) -> list[str]:
    """`tex` cut after each `,` of a `,\\quad` outside braces, environments and
    `\\left…\\right`; each piece but the last keeps its comma."""
    out: list[str] = []
    depth, start, last = 0, 0, ""
    for m in _TOKEN.finditer(tex):
        token = m.group()
        depth += bool(_OPEN.match(token)) - bool(_CLOSE.match(token))
        if depth == 0 and token == "\\quad" and last == ",":
            out.append(tex[start:m.start()].strip())
            start = m.end()
        if not token.isspace():
            last = token
    out.append(tex[start:].strip())
    return [p for p in out if p] or [tex]


def visible(tex: str) -> int:
    """Roughly how many glyphs `tex` shows on one line: commands, braces, spaces and
    script marks are not counted; an environment (a matrix) counts its widest row."""
    body = _ENVIRONMENT.sub("", tex)
    rows = body.split(r"\\")
    return max(len(_COMMAND.sub("", row)) for row in rows) + (len(rows) > 1)


def is_short(tex: str) -> bool:
    return visible(tex) <= SHORT


def joined(rendered: list[tuple[str, str]]) -> str:
    """The typeset pieces (TeX, KaTeX's HTML) as one run of inline math."""
    return "\u2003".join(f'<span class="solgen-nobreak">{html}</span>' if is_short(tex)
                         else html for tex, html in rendered)
