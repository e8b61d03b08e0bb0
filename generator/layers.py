"""Layer macros (conv2d, activation, dense, loss) expanded into scalar graph nodes.

Each macro also records a note (for the model description) and a family, so a solver
can print alike partial derivatives once with generic indices, as the seed does.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from sympy import Add, Mul, Pow, Symbol

from generator.functions import FUNCTIONS
from generator.graph import Family, default_latex, element_name
from generator.source import KeyPath
from generator.spec import Activation, Conv2d, Dense, Loss

if TYPE_CHECKING:
    from generator.graph import _Compiler


def expand(c: _Compiler, macro: Conv2d | Activation | Dense | Loss, keys: KeyPath) -> None:
    if isinstance(macro, Conv2d):
        conv2d(c, macro, keys)
    elif isinstance(macro, Activation):
        activation(c, macro, keys)
    elif isinstance(macro, Dense):
        dense(c, macro, keys)
    else:
        loss(c, macro, keys)


def _array(c: _Compiler, name: str, keys: KeyPath) -> dict[tuple[int, ...], Symbol] | None:
    array = c.g.arrays.get(name)
    if array is None:
        c.fail(keys, f"{name!r} is not an array", "declare it with `shape: [rows, cols]`")
    return array


def _family(c: _Compiler, out: str, members: list[Symbol], letters: str = "ij") -> Family:
    generic = Symbol(f"{out}_{letters}", real=True)
    c.g.latex[generic] = f"{c.spec.latex.get(out) or default_latex(out)}_{{{letters}}}"
    fam = Family(out, generic, tuple(members))
    for m in members:
        c.g.family[m] = fam
    return fam


def conv2d(c: _Compiler, m: Conv2d, keys: KeyPath) -> None:
    """Cross-correlation, stride 1, valid padding: z_ij = Σ_pq a_(i+p)(j+q) w_pq."""
    a = _array(c, m.input, (*keys, "input"))
    w = _array(c, m.kernel, (*keys, "kernel"))
    if a is None or w is None:
        return
    a_idx, w_idx = sorted(a), sorted(w)
    a0, w0 = a_idx[0], w_idx[0]
    (h, wd), (kh, kw) = _dims(a_idx), _dims(w_idx)
    if kh > h or kw > wd:
        c.fail(keys, f"kernel {kh}×{kw} is larger than input {h}×{wd}")
        return
    base = m.out_index_base
    members: list[Symbol] = []
    out: dict[tuple[int, ...], Symbol] = {}
    out_tex = c.spec.latex.get(m.out) or default_latex(m.out)
    for i, j in itertools.product(range(h - kh + 1), range(wd - kw + 1)):
        terms = [Mul(a[(a0[0] + i + p, a0[1] + j + q)], w[(w0[0] + p, w0[1] + q)],
                     evaluate=False)
                 for p, q in itertools.product(range(kh), range(kw))]
        idx = (i + base, j + base)
        name = element_name(m.out, idx)
        sym = c.add_node(name, Add(*terms), keys, Add(*terms, evaluate=False),
                         f"{out_tex}_{{{idx[0]}{idx[1]}}}")
        members.append(sym)
        out[idx] = sym
    c.g.arrays[m.out] = out
    _family(c, m.out, members)
    c.g.notes.append(("note_conv", tuple(members)))


def _dims(index: list[tuple[int, ...]]) -> tuple[int, int]:
    if len(index[0]) != 2:
        raise ValueError("conv2d needs 2-D arrays")
    return (max(i[0] for i in index) - index[0][0] + 1, max(i[1] for i in index) - index[0][1] + 1)


def activation(c: _Compiler, m: Activation, keys: KeyPath) -> None:
    fn = FUNCTIONS[m.fn]
    source = c.g.arrays.get(m.in_)
    if source is None:
        one = c.g.names.get(m.in_)
        if one is None:
            c.fail((*keys, "in"), f"unknown symbol {m.in_!r}", "name a node or an array")
            return
        sym = c.add_node(m.out, fn(one), keys)
        c.g.notes.append(("note_activation", (sym,)))
        return
    out_tex = c.spec.latex.get(m.out) or default_latex(m.out)
    members: list[Symbol] = []
    out: dict[tuple[int, ...], Symbol] = {}
    for idx, z in sorted(source.items()):
        sub = "".join(map(str, idx))
        sym = c.add_node(element_name(m.out, idx), fn(z), keys, None, f"{out_tex}_{{{sub}}}")
        members.append(sym)
        out[idx] = sym
    c.g.arrays[m.out] = out
    fam = _family(c, m.out, members)
    src_fam = c.g.family.get(next(iter(source.values())))
    if src_fam is not None:
        c.g.notes.append(("note_activation", tuple(members)))
    else:
        c.g.notes.append(("note_activation", (fam.generic,)))


def _names(c: _Compiler, names: list[str], keys: KeyPath) -> list[Symbol] | None:
    out = []
    for i, n in enumerate(names):
        sym = c.g.names.get(n)
        if sym is None:
            c.fail((*keys, i), f"unknown symbol {n!r}", "declare it before this layer")
            return None
        out.append(sym)
    return out


def dense(c: _Compiler, m: Dense, keys: KeyPath) -> None:
    xs = _names(c, m.in_, (*keys, "in"))
    ws = _names(c, m.weights, (*keys, "weights"))
    if xs is None or ws is None:
        return
    if len(xs) != len(ws):
        c.fail((*keys, "weights"), f"{len(ws)} weights for {len(xs)} inputs",
               "give one weight per input")
        return
    terms = [Mul(w, x, evaluate=False) for w, x in zip(ws, xs, strict=True)]
    sym = c.add_node(m.out, Add(*terms), keys, Add(*terms, evaluate=False))
    c.g.notes.append(("note_dense", (sym,)))


def loss(c: _Compiler, m: Loss, keys: KeyPath) -> None:
    found = _names(c, [m.target, m.pred], keys)
    n = c.parse(m.n, (*keys, "n"))
    if found is None or n is None:
        return
    target, pred = found
    body = (target - pred) ** 2 / n
    # Display keeps the author's order, y − ŷ, and the 1/n in front, as the seed writes it.
    shown = Mul(Pow(n, -1, evaluate=False),
                Pow(Add(target, -pred, evaluate=False), 2, evaluate=False), evaluate=False)
    sym = c.add_node(m.out, body, keys, shown)
    c.g.notes.append(("note_loss", (sym,)))



