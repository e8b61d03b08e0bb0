"""Reverse-mode derivations: δ_v = ∂L/∂v from the loss backwards, then ∂L/∂θ = δ · local.

Each δ is written once in terms of the δ of the nodes that use v, so the work grows with
the number of edges, not the number of paths. Dense layers in matrix form also get
∇W = δ xᵀ. Softmax followed by cross-entropy shows ∂L/∂z = p − y with its derivation.
"""

from __future__ import annotations

import sympy
from sympy import Add, Derivative, Mul, Symbol

from generator.algebra.notation import Grad, Mat, Outer, Total, Vec
from generator.algebra.trace import Block, Section, Step
from generator.graph.model import Graph
from generator.solvers.parts.cross_entropy import bce_local, sigmoid_bce_steps, softmax_ce_blocks
from generator.solvers.parts.own_names import in_own_name
from generator.solvers.parts.partials import derive


def relevant(graph: Graph, params: list[Symbol]) -> list[Symbol]:
    """Nodes on some path loss → param, from the loss down (reverse topological order)."""
    wanted = set(params)
    reach: dict[Symbol, bool] = {}
    for node in graph.nodes:  # topological: every dependency is seen before its user
        reach[node] = any(d in wanted or reach.get(d, False) for d in graph.deps(node))
    return [n for n in reversed(list(graph.nodes)) if reach[n] and n != graph.loss]


def user_map(graph: Graph, keep: set[Symbol]) -> dict[Symbol, list[Symbol]]:
    """v → the kept nodes whose definition uses v, in graph order (one pass, not one per v)."""
    out: dict[Symbol, list[Symbol]] = {}
    for c in graph.nodes:
        if c in keep:
            for d in graph.deps(c):
                out.setdefault(d, []).append(c)
    return out


def _delta_block(graph: Graph, v: Symbol, kids: list[Symbol]) -> Block:
    """∂L/∂v = Σ_c ∂L/∂c ∂c/∂v over the nodes c using v, then the local partials put in.

    A direct use by the loss (an L2 term, or the prediction in the loss) shows its
    local partial at once: writing ∂L/∂v on both sides would read as circular. Every
    ∂L/∂c written is δ_c, the total derivative (`Total`), also when L uses c directly
    and through other nodes (a loss at every step of an RNN); ∂c/∂v is c's local partial."""
    loss = graph.loss
    local = [_local(graph, c, v) for c in kids]
    formal = [lo if c == loss else Mul(Total(loss, c), Derivative(c, v), evaluate=False)
              for c, lo in zip(kids, local, strict=True)]
    # A local partial of 1 (a bias, a plain sum) is left out: `∂L/∂z · 1` is no course form.
    plugged = [lo if c == loss else Total(loss, c) if lo == 1
               else Mul(Total(loss, c), lo, evaluate=False)
               for c, lo in zip(kids, local, strict=True)]
    steps = [Step("backprop_sum", _sum(formal), lhs=Derivative(loss, v))]
    if plugged != formal:
        steps.append(Step("local", _sum(plugged)))
    steps.extend(sigmoid_bce_steps(graph, v, kids))
    return Block("", {}, tuple(steps))


def _local(graph: Graph, c: Symbol, v: Symbol) -> sympy.Basic:
    """∂c/∂v in the form the path solver writes it: σ(s)(1 − σ(s)), −(2/n)(y − ŷ)."""
    taught = bce_local(graph, c, v)
    if taught is not None:
        return taught
    # p = σ(s): ∂p/∂s = p(1 − p); h = tanh(a): 1 − h², in the node's own name, so one
    # derivation never mixes p and σ(s) (h and tanh(a)) for the same quantity.
    taught = in_own_name(graph, c, v)
    if taught is not None:
        return taught
    taught = _softmax_local(graph, c, v)
    if taught is not None:
        return taught
    return _lead(graph, derive(c, v, graph.nodes[c], graph.display[c], exp_form=False)[1])


def _softmax_local(graph: Graph, c: Symbol, v: Symbol) -> sympy.Basic | None:
    """∂p_k/∂z_j = p_k(δ_kj − p_j) in the outputs' own names: p_k(1 − p_k) on the
    diagonal, −p_k p_j off it — not softmax_k(z_1, …), a second name for p_k."""
    found = graph.softmax.get(c)
    if found is None or v not in found[1]:
        return None
    logits = found[1]
    j = logits.index(v)
    if j == found[0]:
        return Mul(c, Add(1, -c, evaluate=False), evaluate=False)
    pj = next(p for p, (pos, zs) in graph.softmax.items() if zs == logits and pos == j)
    first, second = (c, pj) if found[0] < j else (pj, c)  # −p_1 p_2 for both, as taught
    return Mul(-1, first, second, evaluate=False)


def _lead(graph: Graph, expr: sympy.Basic) -> sympy.Basic:
    """λ W rather than W λ: constants and hyper-parameters before parameters and nodes."""
    if not isinstance(expr, Mul) or expr.args[0].is_Number:
        return expr
    rank = {"hyper": 0, "constant": 0, "input": 1}
    args = sorted(expr.args, key=lambda a: rank.get(graph.roles.get(a, ""), 2))
    return Mul(*args, evaluate=False)


def _group(graph: Graph, v: Symbol) -> tuple[str, int] | None:
    """(layer or array name, position) of v, so one layer's δs share a display in order."""
    fam = graph.family.get(v)
    if fam is not None:
        return fam.key, fam.members.index(v)
    for name, members in graph.arrays.items():
        for pos, idx in enumerate(sorted(members)):
            if members[idx] == v:
                return name, pos
    return None


def _merged(graph: Graph, blocks: list[tuple[Symbol, Block]]) -> list[Block]:
    """One display per layer: δ of h_1, h_2 … share one aligned block, in index order."""
    runs: list[list[tuple[int, Block]]] = []
    last: str | None = None
    for v, block in blocks:
        group = _group(graph, v)
        key, pos = group if group else (None, 0)
        if runs and key is not None and key == last:
            runs[-1].append((pos, block))
        else:
            runs.append([(pos, block)])
        last = key
    out = []
    for run in runs:
        run.sort(key=lambda t: t[0])
        steps = tuple(st for _, b in run for st in b.steps)
        out.append(Block(run[0][1].key, run[0][1].params, steps))
    return out


def _sum(terms: list[sympy.Basic]) -> sympy.Basic:
    return terms[0] if len(terms) == 1 else Add(*terms, evaluate=False)


def deltas(graph: Graph, params: list[Symbol]) -> dict[Symbol, sympy.Basic]:
    """∂L/∂v for every node and param as an expression in node symbols (the answers)."""
    order = relevant(graph, params)
    keep = {*order, graph.loss}
    uses = user_map(graph, keep)
    delta: dict[Symbol, sympy.Basic] = {graph.loss: sympy.Integer(1)}
    for v in [*order, *params]:
        kids = uses.get(v, [])
        if sigmoid_bce_steps(graph, v, kids):
            # δ = p − y at a σ output under BCE (for any y): the form the sheet derives,
            # so the numbers substituted later go into p − y, not the unsimplified chain.
            (y,), (p,) = graph.losses[graph.loss][1], graph.losses[graph.loss][2]
            delta[v] = p - y
            continue
        # δ_L = 1 is left out of the product: 1·(−2(y − o)) would let sympy distribute
        # the −2 again (−2y + 2o, printed (−2)·1 + 2o once y = 1 is put in).
        delta[v] = Add(*[_partial(graph, c, v) if delta[c] == 1
                         else delta[c] * _partial(graph, c, v) for c in kids])
    return delta


def _partial(graph: Graph, c: Symbol, v: Symbol) -> sympy.Basic:
    """∂c/∂v for the answers; a softmax output's in the outputs' names, as the steps
    write it, so the numbers substituted later read p_1, not softmax_1(z_1, z_2); the
    loss's own partial as the steps write it, −2(y − o), not sympy's −2y + 2o."""
    if c == graph.loss:
        return _local(graph, c, v)
    taught = _softmax_local(graph, c, v)
    if taught is None and isinstance(graph.nodes[c], sympy.tanh):
        taught = in_own_name(graph, c, v)  # 1 − h², as the steps write it
    return sympy.diff(graph.nodes[c], v) if taught is None else taught


def backward_sections(graph: Graph, params: list[Symbol]
                      ) -> tuple[list[Section], dict[Symbol, str]]:
    """δ of every node (loss first), ∂L/∂θ per param, then ∇W = δ xᵀ; and symbol names."""
    order = relevant(graph, params)
    keep = {*order, graph.loss}
    blocks: list[Block] = []
    done: set[Symbol] = set()
    names: dict[Symbol, str] = {}
    forward = [n for n in graph.nodes if n in keep]
    blocks.append(Block("forward_definitions", {}, tuple(
        Step("definition", graph.display[n], lhs=n) for n in forward)))
    special = softmax_ce_blocks(graph, keep)
    if special is not None:
        special_blocks, covered, names = special
        blocks.extend(special_blocks)
        done |= covered
    uses = user_map(graph, keep)
    blocks += _merged(graph, [(v, _delta_block(graph, v, uses.get(v, [])))
                              for v in order if v not in done])
    param_blocks = _merged(graph, [(p, _delta_block(graph, p, uses.get(p, [])))
                                   for p in params])
    sections = [Section("backprop_deltas", tuple(blocks)),
                Section("backprop_params", tuple(param_blocks))]
    matrix, matrix_names = _matrix_blocks(graph, params)
    if matrix:
        sections.append(Section("backprop_matrix", tuple(matrix)))
    return sections, {**names, **matrix_names}


def _matrix_blocks(graph: Graph, params: list[Symbol]
                   ) -> tuple[list[Block], dict[Symbol, str]]:
    """∇W L = δ xᵀ for each dense weight matrix whose entries are all asked for."""
    blocks: list[Block] = []
    names: dict[Symbol, str] = {}
    wanted = set(params)
    for name, (outs, xs) in graph.matrices.items():
        entries = [w for z in outs for w in _row(graph, z, xs)]
        if not entries or not set(entries) <= wanted:
            continue
        weight = Symbol(name)
        names[weight] = graph_tex(graph, name)
        d = Vec(*[Total(graph.loss, z) for z in outs])
        # A penalty in the loss itself (L2) adds its own local partial to every entry.
        direct = [_lead(graph, sympy.diff(graph.nodes[graph.loss], w)) for w in entries]
        outer: sympy.Basic = Outer(d, Vec(*xs))
        cells = [Mul(Total(graph.loss, z), x, evaluate=False) for z in outs for x in xs]
        if any(t != 0 for t in direct):
            outer = Add(outer, Mat(len(outs), len(xs), *direct), evaluate=False)
            cells = [Add(c, t, evaluate=False) for c, t in zip(cells, direct, strict=True)]
        steps = [Step("outer_product", outer, lhs=Grad(graph.loss, weight, Vec(*entries))),
                 Step("componentwise", Mat(len(outs), len(xs), *cells))]
        # δ is a column (len(outs) × 1), xᵀ a row: their product has W's shape.
        shape = (rf"({len(outs)} \times 1)\,(1 \times {len(xs)}) = "
                 rf"{len(outs)} \times {len(xs)}")
        blocks.append(Block("matrix_gradient", {"weight": weight, "shape": shape},
                            tuple(steps)))
        bias = _bias_block(graph, outs, entries, wanted, names)
        if bias is not None:
            blocks.append(bias)
    return blocks, names


def _bias_block(graph: Graph, outs: tuple[Symbol, ...], weights: list[Symbol],
                wanted: set[Symbol], names: dict[Symbol, str]) -> Block | None:
    """∇b L = δ when each z_r has its own bias b_r (∂z_r/∂b_r = 1)."""
    biases = []
    for z in outs:
        found = [p for p in sorted(graph.nodes[z].free_symbols, key=str)
                 if p in wanted and p not in weights and sympy.diff(graph.nodes[z], p) == 1]
        if len(found) != 1:
            return None
        biases.append(found[0])
    if len(set(biases)) != len(biases):
        return None
    name = next((n for n, arr in graph.arrays.items() if biases[0] in arr.values()), None)
    sym = Symbol(f"{name or biases[0].name}_bias_vec")
    names[sym] = graph_tex(graph, name) if name else graph.latex[biases[0]]
    if len(outs) == 1:
        # One output, one bias: ∂L/∂b is a number, ∂L/∂s, not a 1 × 1 matrix.
        return Block("bias_gradient_scalar", {"bias": sym, "out": outs[0]}, (
            Step("bias_gradient", Total(graph.loss, outs[0]),
                 lhs=Derivative(graph.loss, biases[0])),))
    # ∇b L is δ, the column of ∂L/∂z_r (b's shape), printed as the column it is.
    step = Step("bias_gradient", Mat(len(outs), 1, *[Total(graph.loss, z) for z in outs]),
                lhs=Grad(graph.loss, sym, Vec(*biases)))
    return Block("bias_gradient", {"bias": sym, "shape": rf"{len(outs)} \times 1"}, (step,))


def _row(graph: Graph, z: Symbol, xs: tuple[Symbol, ...]) -> list[Symbol]:
    """The weight multiplying each x in z's definition (w_rj for z_r)."""
    out = []
    for x in xs:
        coeff = sympy.diff(graph.nodes[z], x)
        if not isinstance(coeff, Symbol):
            return []
        out.append(coeff)
    return out


def graph_tex(graph: Graph, array: str) -> str:
    members = graph.arrays.get(array)
    if not members:
        return array
    first = graph.latex[members[min(members)]]
    return first.rsplit("_{", 1)[0]
