"""What a node of the graph is, in words a sheet may print: only facts the spec gives.

A sentence such as "ŷ is the model's prediction" or "L is the mean squared error" is true
for one problem and false for another. Each description here is decided from the graph
as built — which node a loss compares, what a dense output feeds, what `n` is worth — and
falls back to a neutral one ("the loss L defined above") when nothing more is known.
"""

from __future__ import annotations

import sympy
from sympy import Symbol

from generator.algebra.printing import to_latex
from generator.graph.model import Graph


def squared_error_kind(scale: sympy.Basic, terms: int) -> str:
    """How Σ(y − ŷ)² · scale over `terms` predictions is named: the mean, half, or scaled.

    `scale` is the factor in front after declared constants are put in (1/n).
    """
    if scale == sympy.Rational(1, terms):
        return "mean"  # (1/n) Σ with n the number of terms: the mean squared error
    if scale == sympy.Rational(1, 2 * terms):
        return "half"  # ½ · mean, the form whose gradient has no 2
    if scale == 1:
        return "sum"
    return "scaled"


def note_of_mse(n: sympy.Basic, terms: int, graph: Graph) -> str:
    """The note for an `mse` loss with `n` in front of `terms` squared errors."""
    value = n.xreplace(graph.constants) if isinstance(n, sympy.Basic) else n
    kind = squared_error_kind(1 / sympy.sympify(value), terms)
    return {"mean": "note_loss", "half": "note_loss_half", "sum": "note_loss_sse",
            "scaled": "note_loss_scaled"}[kind]


def relabel_dense_outputs(graph: Graph) -> None:
    """A dense output is the model's prediction only when a loss compares it with a target;
    one that feeds an activation is that activation's input (a pre-activation, a logit)."""
    predictions = {p for _, _, preds in graph.losses.values() for p in preds}
    notes: list[tuple[str, tuple[Symbol, ...]]] = []
    for key, symbols in graph.notes:
        if key == "note_dense" and not set(symbols) <= predictions:
            key = "note_dense_logit" if _feeds_a_node(graph, symbols) else "note_dense_output"
        notes.append((key, symbols))
    graph.notes[:] = notes


def _feeds_a_node(graph: Graph, symbols: tuple[Symbol, ...]) -> bool:
    users = [n for n, body in graph.nodes.items() if set(symbols) & body.free_symbols]
    return bool(users) and all(n not in graph.losses for n in users)


def loss_kind(graph: Graph) -> str:
    """The loss node as an `sgd_loss_*` message suffix: what the formula is, or `defined`."""
    loss = graph.loss
    if loss in graph.losses:
        kind = graph.losses[loss][0]
        return {"mse": "mean_squared", "sse": "squared"}.get(kind, kind)
    body = graph.nodes[loss].xreplace(graph.constants)
    for y, p in _pairs(graph, body):
        square = (y - p) ** 2
        if sympy.expand(body - square) == 0:
            return "squared"
        if sympy.expand(body - square / 2) == 0:
            return "half_squared"
        bce = -(y * sympy.log(p) + (1 - y) * sympy.log(1 - p))
        if sympy.expand(body - bce) == 0:
            return "bce"
    return "defined"


def _pairs(graph: Graph, body: sympy.Basic) -> list[tuple[Symbol, Symbol]]:
    """(target, node) pairs the loss could compare: a leaf input and a node it uses."""
    free = sorted(body.free_symbols, key=lambda s: s.name)
    targets = [s for s in free if graph.roles.get(s) == "input"]
    nodes = [s for s in free if s in graph.nodes]
    return [(y, p) for y in targets for p in nodes]


def dense_formula(graph: Graph, outs: tuple[Symbol, ...]) -> dict[str, str]:
    """The layer a `note_dense_matrix` describes, in its own names: `z = W^{(1)} x + b^{(1)}`
    for the first layer of a network, not a generic `z = Wx + b`. A layer of one output is
    written as the sum it is (s = W^{(2)}_{11} h_1 + W^{(2)}_{12} h_2 + b^{(2)}): `Wx` of a
    one-row W reads as a product of two numbers to a reader of the page (`solgen review`)."""
    for weights, (rows, xs) in graph.matrices.items():
        if rows != outs:
            continue
        weight = _array_tex(graph, weights) or weights
        if len(outs) == 1:
            return {"formula": f"{graph.latex[outs[0]]} = "
                               f"{to_latex(graph.display[outs[0]], graph.latex)}",
                    "weight": weight}
        out = _vector_tex(graph, outs)
        biases = [_bias_of(graph, z, xs) for z in outs]
        bias = "" if None in biases else " + " + _vector_tex(
            graph, tuple(b for b in biases if b is not None))
        return {"formula": f"{out} = {weight} {_vector_tex(graph, xs)}{bias}",
                "weight": weight}
    return {"formula": "z = Wx + b", "weight": "W"}


def _bias_of(graph: Graph, z: Symbol, xs: tuple[Symbol, ...]) -> Symbol | None:
    """The term of z_r = Σ_j W_rj x_j + b_r that multiplies no input: b_r, if a leaf."""
    body = graph.nodes[z]
    rest = [t for t in sympy.Add.make_args(body) if not t.free_symbols & set(xs)]
    return rest[0] if len(rest) == 1 and isinstance(rest[0], Symbol) else None


def _vector_tex(graph: Graph, members: tuple[Symbol, ...]) -> str:
    """x for x₁, x₂ (the array they make up), or the one symbol's own LaTeX."""
    if len(members) == 1:
        return graph.latex[members[0]]
    for name, array in graph.arrays.items():
        if set(array.values()) == set(members):
            return _array_tex(graph, name) or name
    return ", ".join(graph.latex[m] for m in members)


def _array_tex(graph: Graph, name: str) -> str | None:
    """An array's LaTeX base: W^{(1)} for the entries W^{(1)}_{11}, …."""
    members = graph.arrays.get(name)
    if not members:
        return None
    return graph.latex[members[min(members)]].rsplit("_{", 1)[0]
