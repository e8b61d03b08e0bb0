"""Leibniz fractions: `\\frac{\\partial L}{\\partial w_{11}}`, `\\frac{d^2 s}{dx^2}` and the
operator forms `\\frac{\\partial}{\\partial x}(…)`, `\\frac{d}{dx} f`: an operator followed by a
bracket applies to that bracket (and its power) only, `\\frac{d}{dx}(x^2) \\sin x` is
(x²)′ · sin x; without a bracket it applies to the product that follows.

A derivative of a name stays an unevaluated `Derivative`: only whoever knows what the name
stands for (a problem's graph, a submission's definitions) can give it a value. A derivative
with respect to an expression, `\\frac{\\partial}{\\partial (y - \\hat{y})}`, is taken with
respect to a fresh variable put in place of that expression.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy

from generator.algebra.latex_tokens import ReadError, Token

if TYPE_CHECKING:
    from generator.algebra.reader import Parser

MAX_ORDER = 12


def fraction(p: Parser) -> sympy.Basic | None:
    """The derivative a `\\frac` at the parser's position stands for, or None (rewound)."""
    save = p.at
    head = p.take()
    num, den = p.group_tokens(), p.group_tokens()
    form = _split(num, den)
    if form is None:
        p.at = save
        return None
    order, of, variables = form
    if order != sum(n for _, n in variables):
        raise ReadError("the orders above and below the fraction bar differ", head)
    if of:
        inner = p.sub(of)
    elif p.is_("(", "[", r"\{"):
        # d/dx (x^2) sin x: a bracket scopes the operator, as a reader of the sheet takes it
        # (the product rule's lines print exactly this); a power of the bracket goes with it.
        inner = p.postfix()
    elif p.peek() is not None and p.starts_factor():
        inner = p.product()  # operator form: ∂/∂x applies to the product that follows
    else:
        raise ReadError("a derivative operator with nothing after it", head)
    if isinstance(inner, sympy.MatrixBase):
        raise ReadError("a derivative of a vector", head)
    for tokens, n in variables:
        inner = _derivative(inner, p.sub(tokens), n)
    return inner


def _derivative(inner: sympy.Basic, var: sympy.Basic, order: int) -> sympy.Basic:
    if isinstance(var, sympy.Symbol):
        return sympy.Derivative(inner, (var, order))
    u = sympy.Dummy("u")
    return sympy.Subs(sympy.Derivative(inner.xreplace({var: u}), (u, order)), (u,), (var,))


def _split(num: list[Token], den: list[Token]
           ) -> tuple[int, list[Token], list[tuple[list[Token], int]]] | None:
    if num and num[0].text == r"\partial" and den and den[0].text == r"\partial":
        order, of = _order(num[1:])
        chunks: list[list[Token]] = []
        for tok in den:
            if tok.text == r"\partial":
                chunks.append([])
            else:
                chunks[-1].append(tok)
        return order, of, [_variable(c) for c in chunks]
    if _d(num) and _d(den):
        order, of = _order(_after_d(num))
        return order, of, [_variable(_after_d(den))]
    return None


def _d(tokens: list[Token]) -> bool:
    return bool(tokens) and tokens[0].kind == "word" and tokens[0].text.startswith("d")


def _after_d(tokens: list[Token]) -> list[Token]:
    first = tokens[0]
    if first.text == "d":
        return tokens[1:]
    rest = Token("word", first.text[1:], first.line, first.start + 1, first.end)
    return [rest, *tokens[1:]]


def _order(tokens: list[Token]) -> tuple[int, list[Token]]:
    """`^{2} s` → (2, [s]); `s` → (1, [s])."""
    if not tokens or tokens[0].text != "^":
        return 1, tokens
    if len(tokens) > 1 and tokens[1].text == "{":
        close = next((i for i, t in enumerate(tokens) if t.text == "}"), len(tokens))
        return _number(tokens[2:close]), tokens[close + 1:]
    return _number(tokens[1:2]), tokens[2:]


def _variable(tokens: list[Token]) -> tuple[list[Token], int]:
    """`x^{2}` → ([x], 2); `w_{11}` → ([w, _, {, 11, }], 1)."""
    texts = [t.text for t in tokens]
    for tail in (2, 4):  # `x^2` or `x^{2}` at the very end is an order; W^{(1)}_{11} is a name
        if len(tokens) > tail and texts[-tail] == "^" and (
                tail == 2 or (texts[-3] == "{" and texts[-1] == "}")):
            number = tokens[-1] if tail == 2 else tokens[-2]
            if number.kind == "num":
                return tokens[:-tail], _number([number])
    return tokens, 1


def _number(tokens: list[Token]) -> int:
    if len(tokens) != 1 or not tokens[0].text.isdigit() or int(tokens[0].text) > MAX_ORDER:
        raise ReadError("a derivative order must be a whole number up to 12",
                        tokens[0] if tokens else None)
    return int(tokens[0].text)
