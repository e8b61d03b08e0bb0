"""Element-wise activations (σ, tanh, relu, leaky_relu, softplus) and softmax over a vector."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy
from sympy import Symbol

from generator.algebra.functions import FUNCTIONS, softmax
from generator.graph.layers.base import family, subscript, tex
from generator.graph.model import element_name
from generator.spec.layers import Activation
from generator.spec.source import KeyPath

if TYPE_CHECKING:
    from generator.graph.builder import Builder


def _apply(c: Builder, m: Activation, z: sympy.Expr, keys: KeyPath) -> sympy.Expr | None:
    if m.fn == "leaky_relu":
        slope = c.parse(m.slope, (*keys, "slope"))
        return None if slope is None else FUNCTIONS["leaky_relu"](z, slope)
    fn: sympy.Expr = FUNCTIONS[m.fn](z)
    return fn


def activation(c: Builder, m: Activation, keys: KeyPath) -> None:
    _elements(c, m, keys)
    if m.fn in ("relu", "leaky_relu"):
        # max(0, z) has no derivative at 0; say which subgradient every step uses.
        c.g.notes.append((f"note_{m.fn}_subgradient", ()))


def _single(c: Builder, m: Activation, keys: KeyPath) -> None:
    one = c.g.names.get(m.in_)
    if one is None:
        c.fail((*keys, "in"), f"unknown symbol {m.in_!r}", "name a node or an array")
        return
    if m.fn == "softmax":
        c.fail((*keys, "fn"), "softmax needs a vector", "give `in:` a vector of logits")
        return
    body = _apply(c, m, one, keys)
    if body is not None:
        sym = c.add_node(m.out, body, keys)
        c.g.notes.append(("note_activation", (sym,)))


def _elements(c: Builder, m: Activation, keys: KeyPath) -> None:
    source = c.g.arrays.get(m.in_)
    if source is None:
        _single(c, m, keys)
        return
    items = sorted(source.items())
    if m.fn == "softmax" and any(len(idx) != 1 for idx, _ in items):
        c.fail((*keys, "in"), "softmax needs a vector", "give `in:` a vector of logits")
        return
    logits = tuple(z for _, z in items)
    members: list[Symbol] = []
    out: dict[tuple[int, ...], Symbol] = {}
    for pos, (idx, z) in enumerate(items):
        body = (softmax(sympy.Integer(pos), *logits) if m.fn == "softmax"
                else _apply(c, m, z, keys))
        if body is None:
            return
        # softmax is shown as e^{z_k} / Σ_j e^{z_j}, the form a student computes with.
        shown = (sympy.Mul(sympy.exp(z), sympy.Pow(sympy.Add(*[sympy.exp(u) for u in logits]),
                                                   -1), evaluate=False)
                 if m.fn == "softmax" else None)
        sym = c.add_node(element_name(m.out, idx), body, keys, shown,
                         f"{tex(c, m.out)}_{{{subscript(idx)}}}")
        if m.fn == "softmax":
            c.g.softmax[sym] = (pos, logits)
        members.append(sym)
        out[idx] = sym
    c.g.arrays[m.out] = out
    letters = "ij"[:len(items[0][0])] if len(items[0][0]) <= 2 else "kij"
    fam = family(c, m.out, members, letters)
    if m.fn == "softmax":
        c.g.notes.append(("note_softmax", tuple(members)))
    elif c.g.family.get(logits[0]) is not None:
        c.g.notes.append(("note_activation", tuple(members)))
    else:
        c.g.notes.append(("note_activation", (fam.generic,)))
