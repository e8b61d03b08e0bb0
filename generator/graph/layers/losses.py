"""Losses over a prediction and a target (scalars or vectors), and L2 weight decay.

mse = (1/n) Σ (y − ŷ)², sse = Σ (y − ŷ)², bce = −[y log p + (1 − y) log(1 − p)],
ce = −Σ y_k log p_k; l2 adds (λ/2) Σ w², whose gradient is λw (weight decay).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy
from sympy import Add, Mul, Pow, Symbol, log

from generator.graph.layers.base import vector
from generator.graph.meaning import note_of_mse
from generator.spec.layers import L2, Loss
from generator.spec.source import KeyPath

if TYPE_CHECKING:
    from generator.graph.builder import Builder


def _squares(ys: list[Symbol], ps: list[Symbol]) -> tuple[sympy.Expr, sympy.Expr]:
    body = Add(*[(y - p) ** 2 for y, p in zip(ys, ps, strict=True)])
    shown = Add(*[Pow(Add(y, -p, evaluate=False), 2, evaluate=False)
                  for y, p in zip(ys, ps, strict=True)], evaluate=False)
    return body, shown


def _body(c: Builder, m: Loss, ys: list[Symbol], ps: list[Symbol], keys: KeyPath
          ) -> tuple[sympy.Expr, sympy.Expr] | None:
    if m.kind in ("mse", "sse"):
        body, shown = _squares(ys, ps)
        if m.kind == "sse":
            return body, shown
        n = c.parse(m.n, (*keys, "n"))
        if n is None:
            return None
        if n == 1:
            return body, shown  # n = 1 written as a number: no 1/1 in front
        # Display keeps the author's order, y − ŷ, and the 1/n in front, as the seed writes it.
        return body / n, Mul(Pow(n, -1, evaluate=False), shown, evaluate=False)
    if m.kind == "bce":
        terms = [Add(Mul(y, log(p), evaluate=False),
                     Mul(Add(1, -y, evaluate=False), log(Add(1, -p, evaluate=False)),
                         evaluate=False), evaluate=False) for y, p in zip(ys, ps, strict=True)]
    else:
        terms = [Mul(y, log(p), evaluate=False) for y, p in zip(ys, ps, strict=True)]
    # −y log p − (1 − y) log(1 − p): each term negated, so no bracket around the whole sum.
    shown = Add(*[Mul(-1, *Mul.make_args(f), evaluate=False)
                  for t in terms for f in Add.make_args(t)], evaluate=False)
    return -Add(*[sympy.expand(t, deep=False) for t in terms]), shown


def loss(c: Builder, m: Loss, keys: KeyPath) -> None:
    ys = vector(c, m.target, (*keys, "target"))
    ps = vector(c, m.pred, (*keys, "pred"))
    if ys is None or ps is None:
        return
    if len(ys) != len(ps):
        c.fail((*keys, "target"), f"{len(ys)} targets for {len(ps)} predictions",
               "give target and prediction the same length")
        return
    made = _body(c, m, ys, ps, keys)
    if made is None:
        return
    sym = c.add_node(m.out, made[0], keys, made[1])
    c.g.losses[sym] = (m.kind, tuple(ys), tuple(ps))
    note = f"note_loss_{m.kind}"
    if m.kind == "mse":
        n = c.parse(m.n, (*keys, "n"))
        note = note_of_mse(n, len(ps), c.g) if n is not None else "note_loss_scaled"
        if isinstance(n, Symbol) and n in c.g.constants and note == "note_loss":
            c.g.sample_counts.add(n)  # n really is the number of samples: say so
    c.g.notes.append((note, (sym,)))


def l2(c: Builder, m: L2, keys: KeyPath) -> None:
    base = vector(c, [m.loss], (*keys, "loss"))
    lam = c.parse(m.lambda_, (*keys, "lambda"))
    weights: list[Symbol] = []
    for i, name in enumerate(m.params):
        found = c.g.arrays.get(name)
        if found is not None:
            weights.extend(found[idx] for idx in sorted(found))
            continue
        one = vector(c, [name], (*keys, "params", i))
        if one is None:
            return
        weights.extend(one)
    if base is None or lam is None:
        return
    squares = Add(*[Pow(w, 2, evaluate=False) for w in weights], evaluate=False)
    penalty = Mul(Pow(2, -1, evaluate=False), lam, squares, evaluate=False)  # ½ λ Σ w²
    body = base[0] + lam / 2 * Add(*[w ** 2 for w in weights])
    sym = c.add_node(m.out, body, keys, Add(base[0], penalty, evaluate=False))
    c.g.notes.append(("note_l2", (sym,)))
