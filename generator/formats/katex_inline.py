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

Punctuation touching a formula stays with it: Chromium may break between a "(" and the
inline math after it (the math's boxes are inline blocks), which leaves "(" at the end of
a line. The opening punctuation and the first piece, and the last piece and the closing
punctuation, are held in a `solgen-keep` span (no break at its own level; the formula
inside keeps its break points, math-style.html).
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


# Punctuation that may not be parted from the formula it touches (pandoc writes it
# right beside the math's span): what opens before it, what closes or follows after it.
OPENING = "([\u3008\u300c\u300e\u201c\u2018\uff08"
CLOSING = ")],.:;!?\u3009\u300d\u300f\u201d\u2019\uff09\uff0c\u3002\uff1a\uff1b\u3001\uff01\uff1f"


def joined(rendered: list[tuple[str, str]], before: str = "", after: str = "") -> str:
    """The typeset pieces (TeX, KaTeX's HTML) as one run of inline math, with the
    punctuation `before` and `after` it kept on the line of its first and last piece."""
    parts = [f'<span class="solgen-nobreak">{html}</span>' if is_short(tex) else html
             for tex, html in rendered]
    if len(parts) == 1 and (before or after):
        return f'<span class="solgen-keep">{before}{parts[0]}{after}</span>'
    if before:
        parts[0] = f'<span class="solgen-keep">{before}{parts[0]}</span>'
    if after:
        parts[-1] = f'<span class="solgen-keep">{parts[-1]}{after}</span>'
    return "\u2003".join(parts)
