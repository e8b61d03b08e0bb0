"""A display taller than a page, split between its rows for typst (issue 15).

solgen keeps every display on one page (typst_blocks.py: an unbreakable block). A display
taller than the page cannot be kept so: typst would set it on a page of its own and cut
off what does not fit (an 80-row derivation lost its last 40 rows). Such a display is
split here, between rows of its `aligned` environment, into pieces that each fit on a
page; every piece after the first is led by "(cont.)" / "（續）" and is kept whole itself.
A piece ends before a row with a new left side where possible, else before a row that
continues with `=` or `≈`, not inside a sum broken over rows (`&\\qquad + …`).

Heights are estimated from the LaTeX, measured on this template (11 pt, A4, 22 mm
margins): 40 rows of `a_{i} = b_{i} + c` fill a page, 24 rows with a fraction do. A row
counts 1, with a fraction 1.7, a matrix row inside it 1 more per extra row; CAPACITY
leaves room for a heading and a lead-in above the first piece.
"""

from __future__ import annotations

import re

CAPACITY = 32.0
_BEGIN, _END = "\\begin{aligned}", "\\end{aligned}"
_TALL = re.compile(r"\\(?:[dt]?frac|binom)(?![A-Za-z])")
_ROWS = re.compile(r"\\begin\{[a-z]*matrix\}(.*?)\\end\{[a-z]*matrix\}", re.S)


def rows(body: str) -> list[str]:
    """The rows of an `aligned` body: split at `\\\\` outside braces and environments."""
    out: list[str] = []
    depth, start, i = 0, 0, 0
    while i < len(body):
        if body.startswith("\\begin", i) or body.startswith("\\end", i):
            depth += 1 if body.startswith("\\begin", i) else -1
        elif body[i] == "\\" and body.startswith("\\\\", i) and depth == 0:
            out.append(body[start:i])
            start, i = i + 2, i + 2
            continue
        elif body[i] == "\\":
            i += 2
            continue
        elif body[i] == "{":
            depth += 1
        elif body[i] == "}":
            depth -= 1
        i += 1
    out.append(body[start:])
    return [r.strip() for r in out]


def height(row: str) -> float:
    extra = sum(m.group(1).count("\\\\") for m in _ROWS.finditer(row))
    return (1.7 if _TALL.search(row) else 1.0) + extra


def pieces(math: str, capacity: float = CAPACITY) -> list[str]:
    """`math` as one or more `aligned` displays that each fit on a page (one when it fits,
    is not an `aligned` environment, or cannot be split)."""
    text = math.strip()
    if not (text.startswith(_BEGIN) and text.endswith(_END)):
        return [math]
    lines = rows(text[len(_BEGIN):-len(_END)])
    if sum(height(r) for r in lines) <= capacity or len(lines) < 2:
        return [math]
    chunks: list[list[str]] = [[]]
    used = 0.0
    for line in lines:
        if chunks[-1] and used + height(line) > capacity:
            cut = _good_cut(chunks[-1])
            chunks.append(chunks[-1][cut:])
            chunks[-2] = chunks[-2][:cut]
            used = sum(height(r) for r in chunks[-1])
        chunks[-1].append(line)
        used += height(line)
    return [_BEGIN + "\n" + " \\\\\n".join(c) + "\n" + _END for c in chunks if c]


def _good_cut(chunk: list[str]) -> int:
    """Where to end the piece: before the last row in its second half that starts a new
    left side (`a_3 = …`), else before one that continues with `=` or `≈` (not inside a
    sum broken over rows, `&\\qquad + …`), else after all of it."""
    half = range(len(chunk) - 1, len(chunk) // 2, -1)
    for k in half:
        if not chunk[k].startswith("&"):
            return k
    for k in half:
        if not chunk[k].startswith("&\\qquad"):
            return k
    return len(chunk)
