"""How a matrix of exact numbers is printed on a matrix sheet: decimals or fractions.

Data written as decimals (W = [[0.5, −0.25]]) read as decimals, and so do the results
worked out from them when they terminate (Z = [0.1, 0.35, 0.85], not 1/10 and 7/20). The
rule is per matrix, never per sheet: a matrix prints all its entries one way — all as
decimals when every entry terminates, else all as fractions (δ = [−7/6, −1/2, 1/2], not
−7/6 beside −0.5) — and numbers that do not come from decimal data stay exact (the ½
and 1/n of a formula, λ = 1/10 written as a fraction, XᵀX + nλI of integer data). A
sheet-wide switch (the printer's `decimal_data`) was tried and reverted for exactly those
cases. The shown matrix holds Floats whose value is the decimal printed; the step keeps
the exact matrix as its value, so the check is unchanged and the read-back compares the
page's digits with the Floats.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy
from sympy import Derivative, ImmutableMatrix, Symbol

from generator.algebra.numbers import as_decimal, decimal_places
from generator.graph.model import Graph


def terminates(value: sympy.Basic) -> bool:
    """A rational whose decimal ends (3/4, −7/20); an integer trivially does."""
    return bool(value.is_Rational) and decimal_places(value) is not None


def shown_matrix(grid: ImmutableMatrix, decimal: bool) -> ImmutableMatrix:
    """`grid` as printed: every entry a decimal when `decimal` and all terminate, else as is."""
    if not decimal or not all(terminates(v) for v in grid):
        return grid
    return ImmutableMatrix(grid.rows, grid.cols, [as_decimal(v) for v in grid])


def shown_number(value: sympy.Basic, decimal: bool) -> sympy.Basic:
    """One number by the same rule (a scalar bias, λ in a filled-in line)."""
    return as_decimal(value) if decimal and terminates(value) else value


class Origin:
    """Which lines of a sheet are worked out from data written as decimals."""

    def __init__(self, graph: Graph, decimals: frozenset[Symbol]) -> None:
        self.graph, self.decimals = graph, decimals
        self.derived: set[sympy.Basic] = set()  # matrices (Named) worked out from such data
        self._nodes: dict[Symbol, bool] = {}

    def of(self, expr: sympy.Basic, known: Mapping[sympy.Basic, object]) -> bool:
        """Does `expr` use decimal data: a leaf written so, a node over one, or a matrix
        already worked out from one? A matrix already worked out (in `known`) counts by
        its own origin; a partial ∂L/∂z in an entry is valued by the line that worked it
        out (δ), never by the symbols of L."""
        if not self.decimals:
            return False
        stack = [expr]
        while stack:
            e = stack.pop()
            if e in known:
                if e in self.derived:
                    return True
                continue
            if isinstance(e, Derivative):
                continue
            if isinstance(e, Symbol) and self._uses(e):
                return True
            stack.extend(e.args)
        return False

    def _uses(self, sym: Symbol) -> bool:
        if sym in self.decimals:
            return True
        if sym not in self.graph.nodes:
            return False
        if sym not in self._nodes:
            self._nodes[sym] = bool(self.graph.inline(sym).free_symbols & self.decimals)
        return self._nodes[sym]

