"""Display-only sympy objects: vectors, gradients, transposed columns.

They never evaluate, so a line like `[4, 5, 6] + 2α(...)[1, 1, 2]` keeps its shape;
`components` turns them into lists of scalars for checking.
"""

from __future__ import annotations

from typing import Any

import sympy
from mpmath.libmp import prec_to_dps
from sympy import Function

from generator.algebra.matrices import entries


class Vec(Function):  # type: ignore[misc]  # sympy is untyped
    """A row vector [a, b, c]."""

    def _latex(self, printer: Any) -> str:
        inner = r",\ ".join(printer._print(a) for a in self.args)
        return rf"\left[\,{inner}\,\right]"


class Column(Function):  # type: ignore[misc]  # sympy is untyped
    """A column shown as a bmatrix with ^T, as seed 000 writes the updated parameters."""

    def _latex(self, printer: Any) -> str:
        rows = r" \\ ".join(printer._print(a) for a in self.args)
        return rf"\begin{{bmatrix}} {rows} \end{{bmatrix}}^{{T}}"


class Grad(Function):  # type: ignore[misc]  # sympy is untyped
    """∇_θ f: Grad(f, theta_symbol, Vec(params))."""

    nargs = 3

    def _latex(self, printer: Any) -> str:
        return rf"\nabla_{{{printer._print(self.args[1])}}} {printer._print(self.args[0])}"


class Power(Function):  # type: ignore[misc]  # sympy is untyped
    """base^exp printed as written, e.g. (1+e^{-x})^{-1}; sympy would print a fraction."""

    nargs = 2

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        text = rf"\left({printer._print(self.args[0])}\right)^{{{printer._print(self.args[1])}}}"
        return rf"\left({text}\right)^{{{exp}}}" if exp else text


class Paren(Function):  # type: ignore[misc]  # sympy is untyped
    """A factor kept in brackets, e.g. the (-e^{-x}) of a chain rule."""

    nargs = 1

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        text = rf"\left({printer._print(self.args[0])}\right)"
        return f"{text}^{{{exp}}}" if exp else text


class Frac(Function):  # type: ignore[misc]  # sympy is untyped
    """num/den kept as one fraction inside a product, e.g. the \\frac{a/b}{2} of a chain."""

    nargs = 2

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        text = rf"\frac{{{printer._print(self.args[0])}}}{{{printer._print(self.args[1])}}}"
        return rf"\left({text}\right)^{{{exp}}}" if exp else text

    def _eval_rewrite_as_exp(self, num: Any, den: Any, **kwargs: Any) -> Any:
        return num / den

    def _eval_evalf(self, prec: int) -> Any:
        return (self.args[0] / self.args[1]).evalf(prec_to_dps(prec))


class Mat(Function):  # type: ignore[misc]  # sympy is untyped
    """A matrix Mat(rows, cols, *entries row by row), printed as a bmatrix."""

    def _latex(self, printer: Any) -> str:
        rows, cols = int(self.args[0]), int(self.args[1])
        cells = [printer._print(a) for a in self.args[2:]]
        body = r" \\ ".join(" & ".join(cells[r * cols:(r + 1) * cols]) for r in range(rows))
        return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


class Outer(Function):  # type: ignore[misc]  # sympy is untyped
    """u vᵀ for Vec u, Vec v: a column times a row (∇W = δ xᵀ), entries u_i v_j."""

    nargs = 2

    def _latex(self, printer: Any) -> str:
        u, v = self.args
        col = Mat(len(u.args), 1, *u.args)
        row = Mat(1, len(v.args), *v.args)
        return f"{printer._print(col)} {printer._print(row)}"


class Total(sympy.Derivative):  # type: ignore[misc]  # sympy is untyped
    """∂L/∂v meaning the total derivative (backprop's δ_v), printed as ∂L/∂v.

    The verifier reads a plain ∂c/∂v on a right-hand side as the local partial when c
    uses v directly. Backpropagation writes ∂L/∂h for δ_h even when L also uses h
    directly (a loss at every step of an RNN): there the sheet means the total, and
    says so with this class. Backprop never prints L's local partial as ∂L/∂h (it writes
    its value), so one printed notation stands for one quantity in a derivation."""

    @classmethod
    def class_key(cls) -> tuple[int, int, str]:
        # Sorted like the Derivative it is printed as, so `str` (the trace) is unchanged.
        return 5, 0, "Derivative"


class VectorShapeError(ValueError):
    pass


def components(expr: sympy.Basic) -> list[sympy.Basic] | None:
    """Entries of a vector expression, or None for a scalar."""
    if isinstance(expr, sympy.MatrixExpr):  # matrix notation (algebra/matrices.py)
        return entries(expr)
    if isinstance(expr, Vec | Column):
        return list(expr.args)
    if isinstance(expr, Mat):
        return list(expr.args[2:])
    if isinstance(expr, Outer):
        return [a * b for a in expr.args[0].args for b in expr.args[1].args]
    if isinstance(expr, Grad):
        return [sympy.Derivative(expr.args[0], p) for p in expr.args[2].args]
    if isinstance(expr, sympy.Add):
        parts = [components(a) for a in expr.args]
        if all(p is None for p in parts):
            return None
        if any(p is None for p in parts):
            raise VectorShapeError("a vector is added to a scalar")
        sizes = {len(p) for p in parts if p is not None}
        if len(sizes) != 1:
            raise VectorShapeError("vectors of different lengths are added")
        return [sympy.Add(*col) for col in zip(*[p for p in parts if p], strict=True)]
    if isinstance(expr, sympy.Mul):
        vectors = [(i, components(a)) for i, a in enumerate(expr.args)]
        found = [(i, v) for i, v in vectors if v is not None]
        if not found:
            return None
        if len(found) > 1:
            raise VectorShapeError("a product of two vectors is ambiguous")
        index, vec = found[0]
        scalar = sympy.Mul(*[a for i, a in enumerate(expr.args) if i != index])
        return [scalar * v for v in vec]
    shown = Vec | Column | Grad | Mat | Outer
    if any(isinstance(a, shown) for a in sympy.preorder_traversal(expr)):
        raise VectorShapeError(f"cannot read {type(expr).__name__} of a vector")
    return None
