"""dense: z = Σ_j w_j x_j (+ b), or in matrix form z = W x (+ b) with z_r = Σ_j W_rj x_j + b_r."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy
from sympy import Add, Mul, Symbol

from generator.graph.layers.base import array, family, names, subscript, tex, vector
from generator.graph.model import element_name
from generator.spec.layers import Dense
from generator.spec.source import KeyPath

if TYPE_CHECKING:
    from generator.graph.builder import Builder


def _sum(ws: list[Symbol], xs: list[Symbol], bias: sympy.Expr | None) -> tuple[sympy.Expr, ...]:
    terms = [Mul(w, x, evaluate=False) for w, x in zip(ws, xs, strict=True)]
    if bias is not None:
        terms.append(bias)
    return Add(*terms), Add(*terms, evaluate=False)


def dense(c: Builder, m: Dense, keys: KeyPath) -> None:
    xs = vector(c, m.in_, (*keys, "in"))
    if xs is None:
        return
    if isinstance(m.weights, str):
        _matrix(c, m, keys, xs)
        return
    ws = names(c, m.weights, (*keys, "weights"))
    bias = names(c, [m.bias], (*keys, "bias")) if m.bias else []
    if ws is None or bias is None:
        return
    if len(xs) != len(ws):
        c.fail((*keys, "weights"), f"{len(ws)} weights for {len(xs)} inputs",
               "give one weight per input")
        return
    body, shown = _sum(ws, xs, bias[0] if bias else None)
    sym = c.add_node(m.out, body, keys, shown)
    c.g.notes.append(("note_dense", (sym,)))


def _rows(c: Builder, m: Dense, keys: KeyPath, n: int
          ) -> list[tuple[tuple[int, ...], list[Symbol]]] | None:
    assert isinstance(m.weights, str)
    w = array(c, m.weights, (*keys, "weights"))
    if w is None:
        return None
    if any(len(idx) != 2 for idx in w):
        c.fail((*keys, "weights"), f"{m.weights!r} is not a matrix", "use `shape: [out, in]`")
        return None
    rows = sorted({idx[0] for idx in w})
    out: list[tuple[tuple[int, ...], list[Symbol]]] = [
        ((r,), [w[idx] for idx in sorted(w) if idx[0] == r]) for r in rows]
    if len(out[0][1]) != n:
        c.fail((*keys, "weights"), f"{m.weights!r} has {len(out[0][1])} columns for {n} inputs",
               "the weight matrix is [outputs, inputs]")
        return None
    return out


def _matrix(c: Builder, m: Dense, keys: KeyPath, xs: list[Symbol]) -> None:
    rows = _rows(c, m, keys, len(xs))
    if rows is None:
        return
    biases: list[Symbol | None] = [None] * len(rows)
    if m.bias:
        found = vector(c, m.bias, (*keys, "bias"))
        if found is None or len(found) != len(rows):
            c.fail((*keys, "bias"), f"the bias needs {len(rows)} entries", "one per output")
            return
        biases = list(found)
    outs: list[Symbol] = []
    for (idx, ws), b in zip(rows, biases, strict=True):
        body, shown = _sum(ws, xs, b)
        if len(rows) == 1:
            outs.append(c.add_node(m.out, body, keys, shown))
            break
        outs.append(c.add_node(element_name(m.out, idx), body, keys, shown,
                               f"{tex(c, m.out)}_{{{subscript(idx)}}}"))
    if len(rows) > 1:
        c.g.arrays[m.out] = {idx: s for (idx, _), s in zip(rows, outs, strict=True)}
        family(c, m.out, outs, "i")
    c.g.matrices[m.weights] = (tuple(outs), tuple(xs))  # type: ignore[index]
    c.g.notes.append(("note_dense_matrix", tuple(outs)))
