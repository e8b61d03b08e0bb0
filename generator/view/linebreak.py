"""Long display rows broken at `+`/`−` as the worked steps break theirs (issue 15).

A substituted gradient (`∂MSE/∂w₁₁ = −2/1 (1 − ŷ)(1σ(3)(1 − σ(3))·1 + … + …)`) is one
row of an `aligned` block and can be far wider than the page; the typst template used to
scale such a row down (87 %) to fit. Here a row whose estimated width exceeds the text
width is broken before a `+` or a binary `−`, each new row starting `&\\qquad + …`, as the
bracketed sums of Step 4 are. Breaks are only taken outside braces and outside
`\\left…\\right` pairs and environments (neither can span rows), and at the shallowest
bracket depth where that is enough: in `x + y (a + b + c)` before `+ y` first, inside the
brackets only when the terms of the outer sum are still too wide.

The width is an estimate from the LaTeX (a glyph is one unit, a fraction as wide as its
wider part, sub- and superscripts at 0.7, spacing commands by their size), calibrated on
the built-in sheets: the two rows typst had to scale (to 87 % and 72 %) measure 100 and 124
units, so about 88 units fill the 166 mm text width of an A4 page with 22 mm margins at
11 pt; LIMIT keeps a margin below that.
"""

from __future__ import annotations

import re

LIMIT = 80.0  # units a display row may take (see above)
CONTINUATION = r"&\qquad "
_INDENT = 4.0  # the \qquad a continuation row starts with

_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
_SPACES = {",": 0.2, ":": 0.25, ";": 0.3, " ": 0.3, "!": 0.0, "quad": 2.0, "qquad": 4.0}
_OPS = {"cdot": 1.6, "times": 1.6, "approx": 2.0, "leq": 2.0, "geq": 2.0, "to": 2.0}
_INVISIBLE = {"left", "right", "Big", "big", "Bigg", "bigg", "mathrm", "operatorname",
              "displaystyle", "boxed", "hat", "bar", "tilde", "mathbf", "boldsymbol"}


def _group(tex: str, i: int) -> tuple[str, int]:
    """The braced group starting at `tex[i]` ('{'): its body and the index after it."""
    depth = 0
    for j in range(i, len(tex)):
        if tex[j] == "\\":
            continue
        if tex[j] == "{" and (j == 0 or tex[j - 1] != "\\"):
            depth += 1
        elif tex[j] == "}" and tex[j - 1] != "\\":
            depth -= 1
            if depth == 0:
                return tex[i + 1:j], j + 1
    return tex[i + 1:], len(tex)


def _argument(tex: str, i: int) -> tuple[str, int]:
    """One argument of a command or script: a braced group, a command or one character."""
    while i < len(tex) and tex[i] == " ":
        i += 1
    if i >= len(tex):
        return "", i
    if tex[i] == "{":
        return _group(tex, i)
    m = _COMMAND.match(tex, i)
    if m is not None:
        return m.group(0), m.end()
    return tex[i], i + 1


def width(tex: str) -> float:
    """The estimated width of a piece of display math, in units of about one glyph."""
    total, i = 0.0, 0
    while i < len(tex):
        c = tex[i]
        if c in " &":
            i += 1
        elif c in "+-=<>":
            total, i = total + 2.0, i + 1
        elif c in "_^":
            body, i = _argument(tex, i + 1)
            total += 0.7 * width(body)
        elif c == "{":
            body, i = _group(tex, i)
            total += width(body)
        elif c == "\\":
            total, i = _command(tex, i, total)
        else:
            total, i = total + 1.0, i + 1
    return total


def _command(tex: str, i: int, total: float) -> tuple[float, int]:
    m = _COMMAND.match(tex, i)
    assert m is not None
    name, i = m.group(1), m.end()
    if name == "begin":
        env, i = _argument(tex, i)
        end = tex.find(rf"\end{{{env}}}", i)
        end = len(tex) if end < 0 else end
        rows = re.split(r"\\\\", tex[i:end])  # a matrix is as wide as its widest row
        cells = max(width(r.replace("&", " ")) + 1.0 * r.count("&") for r in rows)
        return total + cells + 1.0, min(len(tex), end + len(rf"\end{{{env}}}"))
    if name in ("frac", "dfrac", "tfrac"):
        top, i = _argument(tex, i)
        bottom, i = _argument(tex, i)
        return total + max(width(top), width(bottom)) + 0.4, i
    if name == "text":
        body, i = _argument(tex, i)
        return total + 0.9 * len(body), i
    if name in _SPACES:
        return total + _SPACES[name], i
    if name in _OPS:
        return total + _OPS[name], i
    if name in _INVISIBLE:
        return total, i
    return total + 1.0, i


def _breaks(row: str) -> list[tuple[int, int, int]]:
    """(index, depth, open \\left pairs) of each `+`/binary `−` a row may break before;
    depth counts the brackets and `\\left…\\right` pairs around it."""
    out: list[tuple[int, int, int]] = []
    braces = fences = brackets = envs = 0
    i = 0
    while i < len(row):
        c = row[i]
        if c == "\\":
            m = _COMMAND.match(row, i)
            assert m is not None
            name = m.group(1)
            if braces == 0:
                fences += 1 if name == "left" else -1 if name == "right" else 0
            # An environment (a matrix) cannot span rows.
            envs += 1 if name == "begin" else -1 if name == "end" else 0
            i = m.end() + (1 if name in ("left", "right") else 0)
            continue
        if c == "{":
            braces += 1
        elif c == "}":
            braces -= 1
        elif c in "([":
            brackets += braces == 0
        elif c in ")]":
            brackets -= braces == 0
        elif c in "+-" and braces == 0 and envs == 0 and _binary(row, i):
            out.append((i, brackets + fences, fences))
        i += 1
    return out


def _binary(row: str, i: int) -> bool:
    before = row[:i].rstrip()
    return bool(before) and not before.endswith(("(", "[", "=", "&", "+", "-", "{",
                                                 r"\cdot", r"\approx", ",", r"\left."))


def break_row(row: str, limit: float = LIMIT) -> str:
    """`row` (one row of an aligned block, `lhs &= rhs`) with `\\\\ &\\qquad` inserted
    before terms so that no row is estimated wider than `limit`; unchanged when it fits,
    already has rows, or has no place to break. Breaks at the shallowest depths that are
    enough; a break inside `\\left( … \\right)` closes the row with `\\right.` and opens
    the next with `\\left.` (each row's fence then grows with that row alone)."""
    if r"\\" in row or width(row) <= limit:
        return row
    candidates = _breaks(row)
    for depth in sorted({d for _, d, _ in candidates}):
        places = [(i, f) for i, d, f in candidates if d <= depth]
        broken = _fill(row, places, limit)
        if broken is not None:
            return broken
    return row


def _fill(row: str, places: list[tuple[int, int]], limit: float) -> str | None:
    """Greedy: each row takes terms while it fits; None when some term alone is too wide."""
    cuts: list[tuple[int, int]] = []
    start, room = 0, limit
    last: tuple[int, int] | None = None
    for place in [*places, (len(row), 0)]:
        if width(row[start:place[0]]) <= room:
            last = place
            continue
        if last is None or last[0] == start:
            return None
        cuts.append(last)
        start, room, last = last[0], limit - _INDENT, None
        if width(row[start:place[0]]) > room:
            return None
        last = place
    if not cuts:
        return None
    pieces = []
    for (a, opened), (b, closing) in zip([(0, 0), *cuts], [*cuts, (len(row), 0)],
                                         strict=True):
        piece = r"\left. " * opened + row[a:b].strip() + r" \right." * closing
        pieces.append(piece)
    return f" \\\\ {CONTINUATION}".join(pieces)
