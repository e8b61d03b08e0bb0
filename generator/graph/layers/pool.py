"""Pooling over 2-D windows: avg is the mean; max is the input that wins at `values:`.

A max is not differentiable where two inputs tie, and which input wins depends on the
numbers, so max pooling needs `values:` for every leaf below it. The node then *is* the
winning input (its gradient is 1 for the winner and 0 for the others, exactly as
autograd routes it), and the note states the winner and its value.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import sympy
from sympy import Add, Mul, Rational, Symbol

from generator.algebra.expr import ExprError
from generator.graph.layers.base import array, family, tex
from generator.graph.layers.conv import channels
from generator.graph.model import element_name
from generator.graph.values import values_point
from generator.spec.layers import Pool
from generator.spec.source import KeyPath

if TYPE_CHECKING:
    from generator.graph.builder import Builder

DIGITS = 40


def _value(c: Builder, sym: Symbol) -> sympy.Float | None:
    given = getattr(c.spec, "values", {})  # gradient problems only
    try:
        # Numbers, "3/4" or rows of an array, read as generator/numeric.py reads them;
        # a bad entry is reported there, with its line, when the solver validates values.
        point = values_point(given, c.g)
    except (KeyError, ValueError, TypeError, ExprError):
        point = {}
    value = sympy.N(c.g.inline(sym).xreplace(point), DIGITS)
    c.g._full.clear()  # more nodes follow: the inlining cache must not go stale
    return value if value.is_number else None


def _winner(c: Builder, window: list[Symbol], keys: KeyPath
            ) -> tuple[Symbol, sympy.Float] | None:
    if not hasattr(c.spec, "values"):
        c.fail(keys, "max pooling needs `values:`, which only gradient problems have",
               "use avg pooling, or a gradient problem with values")
        return None
    values: list[tuple[sympy.Float, Symbol]] = []
    for s in window:
        v = _value(c, s)
        if v is None:
            c.fail(keys, "max pooling needs numbers for every leaf below it",
                   "give them under `values:` (the winner depends on the numbers)")
            return None
        values.append((v, s))
    ranked = sorted(values, key=lambda t: t[0], reverse=True)
    if len(ranked) > 1 and abs(ranked[0][0] - ranked[1][0]) < sympy.Float("1e-30"):
        c.fail(keys, "two inputs of a max-pooling window tie at `values:`",
               "the max has no derivative there; change the values")
        return None
    return ranked[0][1], ranked[0][0]


def pool(c: Builder, m: Pool, keys: KeyPath) -> None:
    """Each channel of a [H, W] or [C, H, W] array pooled alone; output of the same rank."""
    a = array(c, m.in_, (*keys, "in"))
    if a is None:
        return
    grids = channels(a)
    stride = m.stride or m.size
    h, w = max(r for r, _ in grids[0]) + 1, max(q for _, q in grids[0]) + 1
    rows, cols = (h - m.size) // stride + 1, (w - m.size) // stride + 1
    if rows < 1 or cols < 1:
        c.fail((*keys, "size"), f"window {m.size}×{m.size} is larger than the input {h}×{w}")
        return
    out: dict[tuple[int, ...], Symbol] = {}
    members: list[Symbol] = []
    for ch, grid in enumerate(grids):
        for i, j in itertools.product(range(rows), range(cols)):
            window = [grid[(i * stride + p, j * stride + q)]
                      for p, q in itertools.product(range(m.size), range(m.size))]
            idx: tuple[int, ...] = (i, j) if len(grids) == 1 else (ch, i, j)
            sym = _window(c, m, keys, window, idx)
            if sym is None:
                return
            members.append(sym)
            out[idx] = sym
    c.g.arrays[m.out] = out
    family(c, m.out, members, "ij" if len(grids) == 1 else "kij")
    if m.kind == "avg":
        c.g.notes.append(("note_avg_pool", tuple(members)))


def _window(c: Builder, m: Pool, keys: KeyPath, window: list[Symbol],
            idx: tuple[int, ...]) -> Symbol | None:
    name, sub = element_name(m.out, idx), "".join(map(str, idx))
    out_tex = f"{tex(c, m.out)}_{{{sub}}}"
    if m.kind == "avg":
        shown = Mul(Rational(1, len(window)), Add(*window), evaluate=False)
        return c.add_node(name, Add(*window) / len(window), keys, shown, out_tex)
    found = _winner(c, window, keys)
    if found is None:
        return None
    won, number = found
    sym = c.add_node(name, won, keys, won, out_tex)
    # One note symbol printed "m_00 = z_01 ≈ 4.25": the pick and the number behind it.
    note = Symbol(f"_max_{sym.name}")
    c.g.latex[note] = (f"{c.g.latex[sym]} = {c.g.latex[won]} \\approx "
                       f"{sympy.latex(sympy.Float(number, 6))}")
    c.g.notes.append(("note_max_pool", (note,)))
    return sym
