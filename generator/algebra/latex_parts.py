"""Pieces the LaTeX reader is made of: token clean-up, the spelling of a name, and
arithmetic that turns sympy's TypeError on a vector into a ReadError the review can show.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy

from generator.algebra.latex_names import WORDS
from generator.algebra.latex_tokens import ReadError, Token


def plain(tokens: Sequence[Token]) -> list[Token]:
    """Drop `\\left`, `\\right`, `\\boxed` wrappers' commands and `\\left.` dots."""
    out: list[Token] = []
    skip_dot = False
    for tok in tokens:
        if tok.text in (r"\left", r"\right"):
            skip_dot = True
            continue
        if tok.text in (r"\quad", r"\qquad"):
            continue  # a separator between statements; inside one it is only space
        if skip_dot and tok.text == ".":
            skip_dot = False
            continue
        skip_dot = False
        if tok.text == r"\lvert" or tok.text == r"\rvert":
            tok = Token("char", "|", tok.line, tok.start, tok.end, tok.space_before)
        out.append(tok)
    return out


def spelling(tokens: Sequence[Token]) -> str:
    """The canonical spelling of a subscript or `\\text{…}`: `{11}` → "11", `\\theta` → "theta"."""
    return "".join(t.text.lstrip("\\") if t.kind == "cmd" else t.text for t in tokens
                   if t.text not in ("{", "}") and t.text not in WORDS)


def is_label(tokens: Sequence[Token], at: int) -> bool:
    """`^{\\text{1}}`, `^{(0)}`, `^{*}`, `^{\\prime}`: a superscript that names, not a power."""
    if at >= len(tokens):
        return False
    texts = [t.text for t in tokens[at:at + 3]]
    if texts[:1] in (["0"], ["1"]) or texts in (["{", "0", "}"], ["{", "1", "}"]):
        return True  # θ^{0}, θ^{1}: nobody writes a power 0 or 1, an index is meant
    first = tokens[at]
    nxt = tokens[at + 1] if at + 1 < len(tokens) else None
    if first.text == "{" and nxt is not None:
        first = nxt
    return first.text in (r"\text", r"\mathrm", "(", "*", r"\prime", r"\star", "[")


def integer(tokens: Sequence[Token], where: Token) -> int:
    if len(tokens) != 1 or tokens[0].kind != "num" or not tokens[0].text.isdigit():
        raise ReadError("a derivative order must be a whole number", where)
    value = int(tokens[0].text)
    if value > 12:
        raise ReadError("a derivative of order above 12", where)
    return value


def add(a: sympy.Basic, b: sympy.Basic) -> sympy.Basic:
    try:
        return a + b
    except (TypeError, ValueError, sympy.ShapeError) as exc:
        raise ReadError(f"cannot add these: {exc}") from None


def mul(a: Any, b: Any) -> sympy.Basic:
    try:
        return sympy.sympify(a * b) if not isinstance(a * b, sympy.MatrixBase) else a * b
    except (TypeError, ValueError, sympy.ShapeError) as exc:
        raise ReadError(f"cannot multiply these: {exc}") from None


def div(a: sympy.Basic, b: sympy.Basic, op: Token) -> sympy.Basic:
    if isinstance(b, sympy.MatrixBase):
        raise ReadError("division by a matrix", op)
    if b == 0:
        raise ReadError("division by zero", op)
    return mul(a, sympy.Pow(b, -1))
