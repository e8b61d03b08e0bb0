"""∂loss/∂param as a sum over chain-rule paths, factored and substituted (seed 002)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import sympy
from sympy import Add, Derivative, Mul, Symbol

from generator.algebra.functions import sigmoid
from generator.algebra.printing import SolutionPrinter
from generator.algebra.trace import Block, Section, Solution, Step
from generator.check.expectations import check_expectations
from generator.errors import SpecError, SpecErrors
from generator.graph.meaning import dense_formula
from generator.graph.model import Graph
from generator.graph.values import given_values, leaves_needed, values_point, written_as_decimals
from generator.solvers import matrix_form
from generator.solvers.kind import Answers, GraphFigure, GraphKind, Point, Variants
from generator.solvers.parts.backprop import backward_sections, deltas
from generator.solvers.parts.conv_touch import touch_sections
from generator.solvers.parts.cross_entropy import reaches_p_minus_y
from generator.solvers.parts.partials import Edge, derive, sigmoid_prime_exp, softmax_names
from generator.solvers.parts.subgradient import subgradient_notes
from generator.solvers.parts.substitution import numeric_section
from generator.solvers.parts.through_time import time_sections
from generator.spec.models import GradientSpec
from generator.spec.source import Source


def wrt_symbols(spec: GradientSpec, graph: Graph) -> list[Symbol]:
    """The params of `wrt:`; an array name stands for all its entries, row by row."""
    out: list[Symbol] = []
    for name in spec.wrt:
        array = graph.arrays.get(name)
        out.extend([array[i] for i in sorted(array)] if array else [graph.names[name]])
    return out


def validate(spec: GradientSpec, graph: Graph, source: Source) -> None:
    if spec.form == "matrix":
        matrix_form.validate(spec, graph, source)
        return
    errors = [SpecError(source.at(("wrt", i)), f"{name!r} is not a parameter",
                        "wrt lists names declared under params")
              for i, name in enumerate(spec.wrt)
              if not _is_param(graph, name)]
    if errors:
        raise SpecErrors(errors)
    check_expectations(spec.expect, graph, source)
    given_values(spec.values, graph, source)


def _is_param(graph: Graph, name: str) -> bool:
    array = graph.arrays.get(name)
    if array:
        return all(graph.roles.get(s) == "param" for s in array.values())
    return graph.roles.get(graph.names.get(name)) == "param"


# `auto` writes path sums (one section per parameter, seed 002) while they stay short:
# at most AUTO_PARAMS parameters, each with at most AUTO_PATHS paths; else backpropagation.
AUTO_PATHS = 6
AUTO_PARAMS = 6


def method(spec: GradientSpec, graph: Graph, params: list[Symbol]) -> str:
    if spec.display.method != "auto":
        return spec.display.method
    if len(params) > AUTO_PARAMS or reaches_p_minus_y(graph):
        # a softmax + CE or σ + BCE output: the course form p − y is derived by backprop
        return "backprop"
    if any(len(graph.paths(graph.loss, var)) > AUTO_PATHS for var in params):
        return "backprop"
    if any(_direct_and_through(graph, var) for var in params):
        # The path sum would print ∂L/∂w on the left (total) and as the direct term on the
        # right (L's own partial): one notation, two values (check/notation.py refuses it).
        return "backprop"
    return "paths"


def _direct_and_through(graph: Graph, var: Symbol) -> bool:
    """Does the loss use `var` directly (an L2 term) and through other nodes too?"""
    paths = graph.paths(graph.loss, var)
    return (graph.loss, var) in paths and len(paths) > 1


def solve(spec: GradientSpec, graph: Graph) -> Solution:
    if spec.form == "matrix":
        return matrix_form.solve(spec, graph)
    params = wrt_symbols(spec, graph)
    # A constant the file writes as a decimal (ε: 0.01) is stated so, as it is substituted.
    written = {graph.names[k]: str(v) for k, v in spec.constants.items() if isinstance(v, float)}
    sections = [_model_section(graph, written), *touch_sections(spec, graph, params)]
    if method(spec, graph, params) == "backprop":
        backward, names = backward_sections(graph, params)
        delta = deltas(graph, params)
        found = {str(Derivative(graph.loss, p)): delta[p] for p in params}
        # Numbered after the backprop steps (Step 2, 3 and, with a dense matrix, 4).
        numeric = _numbers(spec, graph, found, params, 1 + sum(
            s.key.startswith("backprop_") for s in backward) + 1)
        tail = [numeric] if numeric is not None else []
        # Through time after the numbers: its factors carry values, stated there first.
        return Solution(spec.id, spec.kind, (*sections, *backward, *tail,
                                             *_time(spec, graph, params, summed=True)),
                        found, names)
    answers: dict[str, sympy.Basic] = {}
    numbered: list[Section] = []  # Step 2, 3, … on from the model, across the parameters
    for var in params:
        found, parts = _path_sections(spec, graph, var)
        answers[str(Derivative(graph.loss, var))] = found
        numbered.extend(parts)
    sections.extend(replace(s, params={**s.params, "step": str(n)})
                    for n, s in enumerate(numbered, start=2))
    numbers = _numbers(spec, graph, answers, params, len(numbered) + 2)  # after the last
    if numbers is not None:
        sections.append(numbers)
    # Through time after the numbers: its factors carry values, stated there first.
    sections.extend(_time(spec, graph, params))
    return Solution(spec.id, spec.kind, tuple(sections), answers)


def _path_sections(spec: GradientSpec, graph: Graph, var: Symbol
                   ) -> tuple[sympy.Basic, list[Section]]:
    """∂L/∂var as a sum over paths: the formula, the local partials, the substitution (each
    a step of its own, numbered by the caller), and the substituted answer."""
    exp_form = spec.display.sigmoid_form == "exp"
    paths = graph.paths(graph.loss, var)
    prefix = _common_prefix(paths) if spec.display.factor_common_prefix else 0
    out = [Section("gradient_formula", (_formula_block(graph, var, paths, prefix),),
                   params={"param": var})]
    blocks, finals = _partial_blocks(graph, paths, exp_form)
    if blocks:  # no heading over nothing: a step with no partial to compute is left out
        if not blocks[0].key:  # the seed's 「計算各部份的偏微分：」
            blocks[0] = replace(blocks[0], key="local_partials_intro")
        out.append(Section("local_partials", tuple(blocks)))
    substituted = _assemble(paths, prefix, finals, Mul)
    steps = [Step("substitute_partials", substituted, lhs=Derivative(graph.loss, var),
                  layout="bracket_sum" if prefix else "")]
    if exp_form and any(_is_sigmoid_edge(graph, e) for p in paths for e in _edges(p)):
        steps.append(Step("rewrite_exp", _exp_form(substituted), layout=steps[0].layout))
    out.append(Section("substitute", (Block("substitute_intro", {"param": var},
                                            tuple(steps)),), params={"param": var}))
    return substituted, out


def _time(spec: GradientSpec, graph: Graph, params: list[Symbol],
          summed: bool = False) -> list[Section]:
    """Backpropagation through time for a weight shared by the steps of a recurrence;
    with a number for every leaf, its factors and terms in numbers too. `summed`: the
    backprop steps already wrote the sum over time (it is not written twice)."""
    point: dict[Symbol, sympy.Basic] | None = None
    if spec.values:
        point = {**values_point(spec.values, graph),
                 **{s: v for s, v in graph.constants.items() if v.is_Rational}}
        if any(s not in point for s in leaves_needed(graph, graph.loss)):
            point = None
    return time_sections(graph, params, point, spec.precision, summed)


def _numbers(spec: GradientSpec, graph: Graph, answers: dict[str, sympy.Basic],
             params: list[Symbol], number: int) -> Section | None:
    """With a number for every leaf the answers use, end with the substituted answer, as
    Step `number` (the steps before it depend on the layout)."""
    if not spec.values:
        return None
    point = values_point(spec.values, graph)
    by_param = {p: answers[str(Derivative(graph.loss, p))] for p in params}
    if any(s not in point for e in by_param.values() for s in leaves_needed(graph, e)):
        return None
    section = numeric_section(graph, by_param, point, spec.precision,
                              SolutionPrinter(graph.latex).doprint,
                              _decimals(spec, graph))
    return replace(section, params={**section.params, "step": str(number)})


def _decimals(spec: GradientSpec, graph: Graph) -> frozenset[Symbol]:
    """Values and constants the file writes as decimals (x: 0.5, p: 0.5): shown so."""
    written = {k: v for k, v in spec.constants.items() if isinstance(v, float)}
    return written_as_decimals({**spec.values, **written}, graph)


def _edges(path: Sequence[Symbol]) -> list[Edge]:
    return list(itertools.pairwise(path))


def _common_prefix(paths: list[tuple[Symbol, ...]]) -> int:
    """Number of leading edges all paths share (the seed's ∂MSE/∂ŷ in front)."""
    if len(paths) < 2:
        return 0
    shared = 0
    shortest = min(len(p) for p in paths) - 1
    while shared < shortest - 1 and len({p[shared + 1] for p in paths}) == 1:
        shared += 1
    return shared


def _assemble(paths: list[tuple[Symbol, ...]], prefix: int, factor: dict[Edge, sympy.Basic],
              mul: type[Mul]) -> sympy.Basic:
    def product(edges: list[Edge]) -> sympy.Basic:
        parts = [factor[e] for e in edges]
        return parts[0] if len(parts) == 1 else mul(*parts, evaluate=False)

    if not paths:
        return sympy.Integer(0)
    tails = [product(_edges(p)[prefix:]) for p in paths]
    total = tails[0] if len(tails) == 1 else Add(*tails, evaluate=False)
    if prefix == 0:
        return total
    return Mul(product(_edges(paths[0])[:prefix]), total, evaluate=False)


def _formula_block(graph: Graph, var: Symbol, paths: list[tuple[Symbol, ...]],
                   prefix: int) -> Block:
    leibniz = {e: Derivative(e[0], e[1]) for p in paths for e in _edges(p)}
    rhs = _assemble(paths, prefix, dict(leibniz), Mul)
    step = Step("sum_over_paths", rhs, lhs=Derivative(graph.loss, var),
                layout="bracket_sum" if prefix else "")
    return Block("gradient_formula_intro", {"param": var, "paths": str(len(paths))}, (step,))


def _is_sigmoid_edge(graph: Graph, edge: Edge) -> bool:
    body = graph.nodes.get(edge[0])
    return isinstance(body, sigmoid) and body.args[0] == edge[1]


def _exp_form(expr: sympy.Basic) -> sympy.Basic:
    """Replace each σ(z)(1 − σ(z)) by 1/(1+e^{−z})(1 − 1/(1+e^{−z})), shape kept."""
    def swap(node: sympy.Basic) -> sympy.Basic:
        if isinstance(node, Mul) and len(node.args) == 2 and isinstance(node.args[0], sigmoid):
            return sigmoid_prime_exp(node.args[0].args[0])
        if node.args:
            return node.func(*[swap(a) for a in node.args], evaluate=False)
        return node

    return swap(expr)


def _partial_blocks(graph: Graph, paths: list[tuple[Symbol, ...]], exp_form: bool
                    ) -> tuple[list[Block], dict[Edge, sympy.Basic]]:
    """One block per layer of edges; alike edges (σ on every element) are shown once."""
    groups: dict[tuple[str, str], list[Edge]] = {}
    for path in paths:
        for edge in _edges(path):
            key = tuple(_group_name(graph, s) for s in edge)
            if edge not in groups.setdefault(key, []):  # type: ignore[arg-type]
                groups[key].append(edge)  # type: ignore[index]
    blocks: list[Block] = []
    finals: dict[Edge, sympy.Basic] = {}
    named = softmax_names(graph.nodes)  # ∂p₁/∂z₃ = −p₁p₃: one notation for the outputs
    for edges in groups.values():
        generic = _generic(graph, edges)
        if generic is not None:
            child, var, body = generic
            steps, final = derive(child, var, body, body, exp_form, named)
            blocks.append(Block("", {}, tuple(steps), extra={child: body}))
            for c, v in edges:  # derived again per element: xreplace would reorder factors
                finals[(c, v)] = derive(c, v, graph.nodes[c], graph.nodes[c], exp_form,
                                        named)[1]
            continue
        block_steps: list[Step] = []
        for child, var in edges:
            steps, final = derive(child, var, graph.nodes[child], graph.display[child], exp_form,
                                  named)
            # Several partials of one node (ŷ by o00 … o11) share its definition line.
            shared = any(st.lhs == child for st in block_steps)
            block_steps.extend(steps[1:] if shared else steps)
            finals[(child, var)] = final
        blocks.append(Block("", {}, tuple(block_steps)))
    return blocks, finals


def _group_name(graph: Graph, sym: Symbol) -> str:
    fam = graph.family.get(sym)
    return fam.key if fam else sym.name


def _generic(graph: Graph, edges: list[Edge]) -> tuple[Symbol, Symbol, sympy.Expr] | None:
    """(o_ij, z_ij, σ(z_ij)) when every edge of the group is the same up to indices."""
    if len(edges) < 2:
        return None
    fam_c, fam_v = graph.family.get(edges[0][0]), graph.family.get(edges[0][1])
    if fam_c is None or fam_v is None:
        return None
    bodies = {graph.nodes[c].xreplace({v: fam_v.generic}) for c, v in edges}
    if len(bodies) != 1:
        return None
    return fam_c.generic, fam_v.generic, bodies.pop()


def _model_section(graph: Graph, written: Mapping[Symbol, str]) -> Section:
    """Step 1: what each symbol of the model is, from the layers that made it; a constant
    as the file writes it (`written`: 0.01, not 1/100)."""
    # Nodes written by hand: no layer says what they are, so show them (first: layers that
    # use them come after them).
    shown = graph.nodes if not graph.notes else {n: b for n, b in graph.nodes.items()
                                                 if n in graph.written}
    items: list[tuple[str, dict[str, sympy.Basic | str]]] = [
        ("note_node", {"symbol": node, "value": body}) for node, body in shown.items()]
    for key, symbols in graph.notes:
        words: dict[str, sympy.Basic | str] = {
            "symbols": ", ".join(graph.latex[s] for s in symbols)}
        if key == "note_dense_matrix":  # the layer's own formula, not always z = Wx + b
            words.update(dense_formula(graph, symbols))
        items.append((key, words))
    for sym, value in graph.constants.items():
        key = "note_constant_samples" if sym in graph.sample_counts else "note_constant"
        items.append((key, {"symbol": sym, "value": written.get(sym, value)}))
    items += subgradient_notes(graph)
    return Section("model", (Block("", {}, (), items=tuple(items)),))


class GradientVariants(Variants[GradientSpec]):
    """Derive once with symbols; each variant substitutes its numbers (DESIGN.md)."""

    def values(self, spec: GradientSpec, graph: Graph) -> Point:
        return values_point(spec.values, graph)

    def decimals(self, spec: GradientSpec, graph: Graph) -> frozenset[Symbol]:
        return _decimals(spec, graph)

    def answers(self, spec: GradientSpec, graph: Graph) -> Answers:
        loss = graph.inline(graph.loss)
        named = {symbol: name for name, symbol in graph.names.items()}
        out: Answers = {}
        for var in wrt_symbols(spec, graph):  # an array in wrt: stands for its entries
            name = named.get(var, var.name)
            key = str(Derivative(graph.loss, var))
            label = rf"\frac{{\partial {graph.latex[graph.loss]}}}{{\partial {graph.latex[var]}}}"
            out[f"d{graph.loss.name}_d{name}"] = (key, sympy.diff(loss, var), label)
        return out

    def substituted(self, spec: GradientSpec, graph: Graph) -> list[Symbol]:
        return wrt_symbols(spec, graph)

    def task(self, spec: GradientSpec, graph: Graph) -> tuple[str, dict[str, Any]]:
        return "task_gradient", {"target": [Derivative(graph.loss, var)
                                            for var in wrt_symbols(spec, graph)]}


def figure(spec: GradientSpec, graph: Graph) -> GraphFigure | None:
    """The graph with the paths from the loss to every parameter asked for; none in matrix
    form, where the scalar graph of a whole batch is dozens of nodes a reader cannot follow
    and the sheet's subject is the matrices."""
    if spec.form == "matrix":
        return None
    return GraphFigure(tuple(s for name in spec.wrt for s in (
        graph.arrays[name].values() if name in graph.arrays else [graph.names[name]])))


KIND = GraphKind[GradientSpec]("gradient", validate, solve, GradientVariants(), figure)
