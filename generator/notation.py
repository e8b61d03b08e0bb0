"""Display-only sympy objects: vectors, gradients, transposed columns.

They never evaluate, so a line like `[4, 5, 6] + 2α(...)[1, 1, 2]` keeps its shape;
`components` turns them into lists of scalars for checking.
"""

from __future__ import annotations

from typing import Any

import sympy
from sympy import Function


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


class VectorShapeError(ValueError):
    pass


def components(expr: sympy.Basic) -> list[sympy.Basic] | None:
    """Entries of a vector expression, or None for a scalar."""
    if isinstance(expr, Vec | Column):
        return list(expr.args)
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
    if any(isinstance(a, Vec | Column | Grad) for a in sympy.preorder_traversal(expr)):
        raise VectorShapeError(f"cannot read {type(expr).__name__} of a vector")
    return None
