"""Cross-entropy after its natural output: ∂L/∂z = p − y, derived where it happens.

Softmax followed by cross-entropy:

∂L/∂z_j = Σ_k ∂L/∂p_k ∂p_k/∂z_j = Σ_k (−y_k/p_k) p_k(δ_kj − p_j) = −y_j + p_j Σ_k y_k,
and Σ_k y_k = 1 for a one-hot (or any probability) target gives p_j − y_j. Those last
steps are checked under that condition: the verifier substitutes y_n = 1 − Σ_{k<n} y_k.

σ followed by binary cross-entropy: (−y/p + (1 − y)/(1 − p)) · p(1 − p) = p − y, for any y.
"""

from __future__ import annotations

import sympy
from sympy import Add, Derivative, Mul, Symbol

from generator.algebra.functions import sigmoid
from generator.algebra.notation import Grad, Vec
from generator.algebra.trace import Block, Step
from generator.graph.model import Graph


def _match(graph: Graph, keep: set[Symbol]
           ) -> tuple[tuple[Symbol, ...], tuple[Symbol, ...], tuple[Symbol, ...]] | None:
    """(targets y, probabilities p, logits z) when the loss is CE of a softmax."""
    found = graph.losses.get(graph.loss)
    if found is None or found[0] != "ce":
        return None
    _, ys, ps = found
    if not all(p in graph.softmax for p in ps):
        return None
    logits = graph.softmax[ps[0]][1]
    if any(graph.softmax[p][1] != logits for p in ps) or len(logits) != len(ps):
        return None
    # Some logits may lie on no path to a `wrt` parameter: p − y still holds for the others.
    if not all(isinstance(z, Symbol) for z in logits) or not any(z in keep for z in logits):
        return None
    return ys, ps, logits


def softmax_ce_blocks(graph: Graph, keep: set[Symbol]
                      ) -> tuple[list[Block], set[Symbol], dict[Symbol, str]] | None:
    """The derivation for z_1, the result for every z, and the nodes it covers."""
    match = _match(graph, keep)
    if match is None:
        return None
    ys, ps, zs = match
    loss = graph.loss
    j = next(i for i, z in enumerate(zs) if z in keep)  # derived for the first logit needed
    one_hot = {ys[-1]: 1 - Add(*ys[:-1])}
    chain = Add(*[Mul(Derivative(loss, p), Derivative(p, zs[j]), evaluate=False) for p in ps],
                evaluate=False)
    # −(y_k / p_k) · p_k(δ_kj − p_j): one flat product, so the sum prints "− …", not "+ −".
    local = Add(*[Mul(-1, Mul(y, sympy.Pow(p, -1), evaluate=False), p,
                      # δ_kj − p_j: 1 − p_j on the diagonal, −p_j (not 0 − p_j) off it
                      Add(1, -ps[j], evaluate=False) if k == j else -ps[j], evaluate=False)
                  for k, (y, p) in enumerate(zip(ys, ps, strict=True))], evaluate=False)
    collected = Add(-ys[j], Mul(ps[j], Add(*ys, evaluate=False), evaluate=False),
                    evaluate=False)
    derivation = Block("softmax_ce_intro", {"z": zs[j], "sum": Add(*ys, evaluate=False)}, (
        Step("chain_rule", chain, lhs=Derivative(loss, zs[j])),
        Step("softmax_ce_local", local),
        Step("simplify", collected),
        Step("one_hot", Add(ps[j], -ys[j], evaluate=False)),
    ), at=one_hot)
    rest = tuple(Step("softmax_ce", Add(p, -y, evaluate=False), lhs=Derivative(loss, z))
                 for z, p, y in zip(zs, ps, ys, strict=True) if z in keep)
    if len(rest) < len(zs):  # the gradient vector needs every logit; the entries suffice
        return ([derivation, Block("softmax_ce_result", {}, rest, at=one_hot)],
                {*ps, *(z for z in zs if z in keep)}, {})
    vector = Step("vector", Vec(*[Add(p, -y, evaluate=False) for p, y in zip(ps, ys,
                                                                            strict=True)]),
                  lhs=Grad(loss, Symbol(f"{zs[0].name}_vec"), Vec(*zs)))
    result = Block("softmax_ce_result", {}, (*rest, vector), at=one_hot)
    base = graph.latex[zs[0]].rsplit("_{", 1)[0]
    return [derivation, result], {*ps, *zs}, {Symbol(f"{zs[0].name}_vec"): rf"\mathbf{{{base}}}"}


def reaches_p_minus_y(graph: Graph) -> bool:
    """Whether the loss is CE of a softmax or BCE of a σ: backprop derives p − y there."""
    found = graph.losses.get(graph.loss)
    if found is None:
        return False
    if found[0] == "ce":
        return _match(graph, set(graph.nodes)) is not None
    return found[0] == "bce" and len(found[2]) == 1 and isinstance(
        graph.nodes.get(found[2][0]), sigmoid)


def sigmoid_bce_steps(graph: Graph, v: Symbol, kids: list[Symbol]) -> list[Step]:
    """For s with p = σ(s) and L = bce(y, p): ∂L/∂p put in, then the tidy p − y."""
    found = graph.losses.get(graph.loss)
    if found is None or found[0] != "bce" or len(found[1]) != 1 or kids != list(found[2]):
        return []
    (y,), (p,) = found[1], found[2]
    if not (isinstance(graph.nodes[p], sigmoid) and graph.nodes[p].args[0] == v):
        return []
    return [Step("bce_sigmoid_local", Mul(bce_outer(y, p), p, Add(1, -p, evaluate=False),
                                          evaluate=False)),
            Step("simplify", Add(p, -y, evaluate=False))]


def bce_outer(y: Symbol, p: Symbol) -> sympy.Basic:
    """∂/∂p of −[y log p + (1 − y) log(1 − p)], as taught: −y/p + (1 − y)/(1 − p)."""
    return Add(Mul(-1, y, sympy.Pow(p, -1), evaluate=False),
               Mul(Add(1, -y, evaluate=False), sympy.Pow(Add(1, -p, evaluate=False), -1),
                   evaluate=False), evaluate=False)


def bce_local(graph: Graph, c: Symbol, v: Symbol) -> sympy.Basic | None:
    """∂L/∂p in the taught form when c is a one-output BCE loss and v its prediction."""
    found = graph.losses.get(c)
    if found is None or found[0] != "bce" or found[2] != (v,):
        return None
    return bce_outer(found[1][0], v)
