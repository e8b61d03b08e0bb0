"""Matrix notation whose value is its entries: `Xᵀ(Xw − y)` on the page, scalars to check.

`Named` is a matrix symbol that carries its entries (scalar sympy expressions: graph
symbols, partials ∂L/∂w_j, numbers). A line built from Named matrices with sympy's
MatMul, MatAdd and Transpose prints as the textbook writes it, and `entries` works it out
by ordinary matrix arithmetic on those entries, so the printed product is what is checked,
one entry at a time (check/verify.py via notation.components), never a claim beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy
from sympy import (
    Basic,
    HadamardProduct,
    ImmutableMatrix,
    Inverse,
    MatAdd,
    MatMul,
    MatrixExpr,
    MatrixSymbol,
    Transpose,
)
from sympy.core.symbol import Str


class Named(MatrixSymbol):  # type: ignore[misc]  # sympy is untyped
    """A matrix printed as its LaTeX name, valued by its entries: Named(tex, rows)."""

    def __new__(cls, tex: str | Str, *args: Any) -> Named:
        grid = ImmutableMatrix(args[-1])  # (tex, entries), or sympy rebuilding all four args
        name = tex if isinstance(tex, Str) else Str(tex)
        obj: Named = Basic.__new__(cls, name, sympy.Integer(grid.rows),
                                   sympy.Integer(grid.cols), grid)
        return obj

    @property
    def grid(self) -> ImmutableMatrix:
        return self.args[3]

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> Any:
        return self.grid[i, j]

    def doit(self, **hints: Any) -> Named:
        return self

    def _latex(self, printer: Any) -> str:
        return str(self.args[0].name)

    def _sympystr(self, printer: Any) -> str:
        return str(self.args[0].name)


def column(tex: str, items: Sequence[Any]) -> Named:
    return Named(tex, [[v] for v in items])


def mul(*factors: Any) -> MatrixExpr:
    """A product kept as written (a scalar first, then matrices, left to right)."""
    return MatMul(*factors, evaluate=False)


def add(*terms: Any) -> MatrixExpr:
    return MatAdd(*terms, evaluate=False)


def sub(a: Any, b: Any) -> MatrixExpr:
    return MatAdd(a, MatMul(-1, b, evaluate=False), evaluate=False)


def t(a: Any) -> MatrixExpr:
    """aᵀ; a name that is a fraction (∂L/∂A) is bracketed first, so ᵀ reads as its own."""
    if isinstance(a, Named) and str(a.args[0].name).startswith(r"\frac"):
        a = Named(rf"\left({a.args[0].name}\right)", a.grid)
    return Transpose(a)


def explicit(expr: sympy.Basic) -> ImmutableMatrix:
    """A matrix line worked out by plain matrix arithmetic on its entries. Not sympy's
    `as_explicit`: that calls `doit`, which turns ∂L/∂ŷ₁ (L and ŷ₁ being names) into 0."""
    if isinstance(expr, Named):
        return expr.grid
    if isinstance(expr, ImmutableMatrix):
        return expr
    if isinstance(expr, Transpose):
        return explicit(expr.arg).T
    if isinstance(expr, Inverse):
        return explicit(expr.arg).inv()
    if isinstance(expr, HadamardProduct):
        parts = [explicit(a) for a in expr.args]
        out = parts[0]
        for p in parts[1:]:
            out = out.multiply_elementwise(p)
        return ImmutableMatrix(out)
    if isinstance(expr, MatAdd):
        total = explicit(expr.args[0])
        for a in expr.args[1:]:
            total = total + explicit(a)
        return ImmutableMatrix(total)
    if isinstance(expr, MatMul):
        scalar = sympy.Mul(*[a for a in expr.args if not a.is_Matrix])
        product: Any = None
        for a in expr.args:
            if a.is_Matrix:
                product = explicit(a) if product is None else product * explicit(a)
        return ImmutableMatrix(product * scalar)
    raise TypeError(f"no matrix arithmetic for {type(expr).__name__}")


def entries(expr: sympy.Basic) -> list[sympy.Basic]:
    """Row by row, the entries of a matrix line worked out by matrix arithmetic."""
    return list(explicit(expr))


def shape_tex(expr: MatrixExpr) -> str:
    rows, cols = expr.shape
    return rf"{rows} \times {cols}"


def has_names(expr: sympy.Basic) -> bool:
    """Does a line name matrices (Xᵀ(Xw − y)) rather than show their entries? The reader
    cannot value such a line: it is checked entry by entry instead (docs/design.md)."""
    return any(isinstance(a, Named) for a in sympy.preorder_traversal(expr))
