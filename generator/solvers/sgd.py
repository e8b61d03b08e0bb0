"""One SGD step for a small model, written as seed 000 writes it (substitute only)."""

from __future__ import annotations

import sympy
from sympy import Add, Derivative, Mul, Symbol

from generator.errors import SpecError, SpecErrors
from generator.expr import ExprError, parse
from generator.graph import Graph
from generator.notation import Column, Grad, Vec
from generator.solvers.partials import sigmoid_prime
from generator.source import Source
from generator.spec import SgdSpec
from generator.trace import Block, Section, Solution, Step

THETA = Symbol("theta")
THETA0, THETA1 = Symbol("theta0"), Symbol("theta1")
NAMES = {THETA: r"\theta", THETA0: r"\theta^{0}", THETA1: r"\theta^{1}"}


def _noeval(expr: sympy.Basic, point: dict[Symbol, sympy.Basic]) -> sympy.Basic:
    """Put numbers in without simplifying anything: 4 + 5·1 + 6·2 stays as written."""
    if expr in point:
        return point[expr]
    if not expr.args:
        return expr
    args = [_noeval(a, point) for a in expr.args]
    if isinstance(expr, Mul):
        # A number replacing a symbol shows as a factor: w1·x1 → 5·1, kept in that order.
        return Mul(*args, evaluate=False)
    return expr.func(*args, evaluate=False)


def validate(spec: SgdSpec, graph: Graph, source: Source) -> None:
    errors = []
    if graph.roles.get(graph.names.get(spec.output)) != "node":
        errors.append(SpecError(source.at(("output",)), f"{spec.output!r} is not a node"))
    for key, role, table in (("data", "input", spec.data), ("init", "param", spec.init)):
        declared = {n for n, r in graph.roles.items() if r == role}
        for name in table:
            if graph.names.get(name) not in declared:
                errors.append(SpecError(source.at((key, name)), f"{name!r} is not an {role}"
                                        if role == "input" else f"{name!r} is not a param"))
        for sym in sorted(declared - {graph.names[n] for n in table if n in graph.names}, key=str):
            errors.append(SpecError(source.at((key,)), f"no value for {sym.name!r}",
                                    f"give every {role} a value under {key}:"))
    try:
        parse(spec.lr, graph.names)
    except ExprError as exc:
        errors.append(SpecError(source.at(("lr",)), exc.message, exc.hint))
    if errors:
        raise SpecErrors(errors)


def solve(spec: SgdSpec, graph: Graph) -> Solution:
    params = [graph.names[p] for p in spec.params]
    out = graph.names[spec.output]
    lr = parse(spec.lr, graph.names)
    point = {graph.names[k]: sympy.nsimplify(v) for k, v in {**spec.data, **spec.init}.items()}
    pre = [n for n in graph.deps(out) if n in graph.nodes]
    z = pre[0] if len(pre) == 1 else None
    blocks = [
        Block("sgd_model", {}, tuple(Step("definition", graph.display[n], lhs=n)
                                     for n in reversed(list(graph.nodes)) if n != graph.loss),
              layout="inline"),
        Block("sgd_loss", {}, (Step("definition", graph.display[graph.loss], lhs=graph.loss),)),
        Block("sgd_data", _data_params(spec, graph)),
        _substitute_block(graph, out, point),
        *_gradient_blocks(graph, out, z, params),
        *_plug_blocks(graph, out, z, params, point),
        _update_block(graph, spec, lr, out, params, point),
    ]
    answers = _answers(graph, lr, params, point)
    return Solution(spec.id, spec.kind, (Section("", tuple(blocks), level=0),), answers, NAMES)


def _tuple_latex(graph: Graph, names: list[str], values: list[float | int]) -> dict[str, str]:
    return {"names": ",".join(graph.latex[graph.names[n]] for n in names),
            "values": ",".join(sympy.latex(sympy.nsimplify(v)) for v in values)}


def _data_params(spec: SgdSpec, graph: Graph) -> dict[str, sympy.Basic | str]:
    data = _tuple_latex(graph, list(spec.data), list(spec.data.values()))
    init = _tuple_latex(graph, list(spec.init), list(spec.init.values()))
    return {"data_names": data["names"], "data_values": data["values"],
            "init_names": init["names"], "init_values": init["values"]}


def _substitute_block(graph: Graph, out: Symbol, point: dict[Symbol, sympy.Basic]) -> Block:
    steps = []
    for node in graph.nodes:
        if node == graph.loss:
            continue
        shown = _noeval(graph.display[node], {**point, **{n: graph.nodes[n].xreplace(point)
                                                          for n in graph.nodes if n != node}})
        steps.append(Step("substitution", shown, lhs=node))
        value = graph.inline(node).xreplace(point)
        if value != shown:
            steps.append(Step("arithmetic", value))
    return Block("sgd_substitute_data", {}, tuple(steps), at=point, layout="inline")


def _gradient_blocks(graph: Graph, out: Symbol, z: Symbol | None,
                     params: list[Symbol]) -> list[Block]:
    if z is None:
        steps = tuple(Step("differentiate", sympy.diff(graph.inline(out), p),
                           lhs=Derivative(out, p)) for p in params)
        return [Block("sgd_gradient_heading", {"output": out}, steps, layout="inline")]
    body = graph.nodes[out]
    head = Block("sgd_gradient_heading", {"output": out}, (
        Step("local_derivative", Derivative(body, z), lhs=Derivative(out, z)),
        Step("sigmoid_prime", sigmoid_prime(z)) if type(body).__name__ == "sigmoid" else
        Step("differentiate", sympy.diff(body, z)),
    ))
    per_param = []
    for p in params:
        chain = Mul(Derivative(out, z), Derivative(z, p), evaluate=False)
        shown = Mul(Derivative(body, z), sympy.diff(graph.nodes[z], p), evaluate=False)
        per_param += [Step("chain_rule", chain, lhs=Derivative(out, p)), Step("local", shown)]
    return [head, Block("", {}, tuple(per_param), layout="inline")]


def _grad(out: Symbol, params: list[Symbol]) -> Grad:
    return Grad(out, THETA, Vec(*params))


def _factor(graph: Graph, out: Symbol, z: Symbol | None) -> sympy.Basic:
    body = graph.nodes[out]
    return sigmoid_prime(z) if z is not None and type(body).__name__ == "sigmoid" else Integer1


Integer1 = sympy.Integer(1)


def _plug_blocks(graph: Graph, out: Symbol, z: Symbol | None, params: list[Symbol],
                 point: dict[Symbol, sympy.Basic]) -> list[Block]:
    grad = _grad(out, params)
    if z is None:
        return [Block("therefore", {}, (Step("vector", Vec(*[Derivative(out, p) for p in params]),
                                             lhs=grad),))]
    factor = _factor(graph, out, z)
    rows = Vec(*[sympy.diff(graph.nodes[z], p) for p in params])
    z_value = graph.inline(z).xreplace(point)
    plugged = Mul(_noeval(factor, {z: z_value}), _noeval(rows, point), evaluate=False)
    inputs = [s for s in graph.nodes[z].free_symbols if graph.roles.get(s) == "input"]
    inputs.sort(key=lambda s: s.name)
    shown = {"names": ",".join(graph.latex[s] for s in inputs),
             "values": ",".join(sympy.latex(point[s]) for s in inputs)}
    return [
        Block("therefore", {}, (
            Step("vector", Vec(*[Derivative(out, p) for p in params]), lhs=grad),
            Step("factor_out", Mul(factor, rows, evaluate=False)))),
        Block("sgd_plug", {"inputs": shown["names"], "values": shown["values"], "z": z,
                           "z_value": z_value},
              (Step("substitution", plugged, lhs=grad),), at=point),
    ]


def _update_block(graph: Graph, spec: SgdSpec, lr: sympy.Basic, out: Symbol,
                  params: list[Symbol], point: dict[Symbol, sympy.Basic]) -> Block:
    loss, target = graph.loss, graph.names.get("y")
    grad_out = _grad(out, params)
    truth = Vec(*[p - lr * sympy.diff(graph.inline(loss), p) for p in params])
    step1 = Step("sgd_update", Add(THETA0, Mul(-1, lr, Grad(loss, THETA, Vec(*params)),
                                                  evaluate=False), evaluate=False), lhs=THETA1)
    steps = [step1]
    if target is not None:
        residual = Add(target, -out, evaluate=False)
        steps.append(Step("chain_rule_loss", Add(THETA0, Mul(2, lr, residual, grad_out,
                                                             evaluate=False), evaluate=False)))
        z = next((n for n in graph.deps(out) if n in graph.nodes), None)
        factor = _noeval(_factor(graph, out, z), {z: graph.inline(z).xreplace(point)} if z else {})
        res_value = _noeval(residual, {target: point[target], out: graph.nodes[out].xreplace(
            {z: graph.inline(z).xreplace(point)} if z else point)})
        coeff = Mul(2, lr, res_value, factor, evaluate=False)
        rows = [sympy.diff(graph.nodes[z], p).xreplace(point) if z else Integer1 for p in params]
        steps.append(Step("substitution", Add(Vec(*[point[p] for p in params]),
                                              Mul(coeff, Vec(*rows), evaluate=False),
                                              evaluate=False)))
        steps.append(Step("componentwise", Column(*[
            Add(point[p], coeff if r == 1 and i == 0 else Mul(coeff, r, evaluate=False),
                evaluate=False) for i, (p, r) in enumerate(zip(params, rows, strict=True))])))
    return Block("sgd_update_heading", {}, tuple(steps), at=point,
                 extra={THETA0: Vec(*params), THETA1: truth})


def _answers(graph: Graph, lr: sympy.Basic, params: list[Symbol],
             point: dict[Symbol, sympy.Basic]) -> dict[str, sympy.Basic]:
    loss = graph.inline(graph.loss)
    return {f"{p}^(1)": (p - lr * sympy.diff(loss, p)).xreplace(point) for p in params}
