"""One SGD step for a small model, written as seed 000 writes it (substitute only)."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Any

import sympy
from sympy import Add, Derivative, Mul, Symbol, UnevaluatedExpr

from generator.algebra.evaluator import Evaluator
from generator.algebra.expr import ExprError, parse
from generator.algebra.functions import sigmoid
from generator.algebra.notation import Column, Grad, Vec
from generator.algebra.numbers import as_decimal, number
from generator.algebra.rounded import RoundedValues
from generator.algebra.trace import Block, Section, Solution, Step
from generator.errors import SpecError, SpecErrors
from generator.graph.meaning import loss_kind
from generator.graph.model import Graph
from generator.solvers.kind import Answers, GraphKind, Point, Slotted, Variants
from generator.solvers.parts.partials import sigmoid_prime
from generator.spec.models import SgdSpec
from generator.spec.source import Source

THETA = Symbol("theta")
THETA0, THETA1 = Symbol("theta0"), Symbol("theta1")
NAMES = {THETA: r"\theta", THETA0: r"\theta^{0}", THETA1: r"\theta^{1}"}


@lru_cache(maxsize=512)
def _diff(expr: sympy.Basic, var: Symbol) -> sympy.Basic:
    """sympy.diff, once per expression: every variant of a problem differentiates the same
    symbolic model (its numbers are put in afterwards)."""
    return sympy.diff(expr, var)


def _noeval(expr: sympy.Basic, point: dict[Symbol, sympy.Basic], shown: bool = False
            ) -> sympy.Basic:
    """Put numbers in without simplifying anything: 4 + 5·1 + 6·2 stays as written.

    `shown`: a negative number replacing a factor is kept in brackets, so w1·x1 with
    w1 = −1 prints (−1)·1 as the line above it has w₁x₁, not −1 (a sign that drops the
    factor); the step checks the plain form (its `value`)."""
    if expr in point:
        return point[expr]
    if not expr.args:
        return expr
    args = [_noeval(a, point, shown) for a in expr.args]
    if isinstance(expr, Mul):
        if shown:
            args = [UnevaluatedExpr(v) if a in point and v.is_Number and v < 0 else v
                    for a, v in zip(expr.args, args, strict=True)]
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
    point = {graph.names[k]: exact(v) for k, v in {**spec.data, **spec.init}.items()}
    return solve_at(spec, graph, point)


def node_values(graph: Graph, point: dict[Symbol, sympy.Basic],
                given: dict[Symbol, sympy.Basic]) -> dict[Symbol, sympy.Basic]:
    """Each node's value at `point`. A `given` value is taken as it is (a variant
    template's slot for the pre-activation); the nodes after it are worked out from it."""
    if not given:
        return {node: graph.inline(node).xreplace(point) for node in graph.nodes}
    values: dict[Symbol, sympy.Basic] = {}
    for node, expr in graph.nodes.items():
        values[node] = given[node] if node in given else expr.xreplace({**point, **values})
    return values


def pre_activation(graph: Graph, out: Symbol) -> Symbol | None:
    pre = [n for n in graph.deps(out) if n in graph.nodes]
    return pre[0] if len(pre) == 1 else None


def solve_at(spec: SgdSpec, graph: Graph, point: dict[Symbol, sympy.Basic],
             given: dict[Symbol, sympy.Basic] | None = None, numeric: bool = True
             ) -> Solution:
    """The solution at `point`: numbers, or a variant template's slots with the slot of
    the pre-activation `given` (SgdVariants.template)."""
    values = node_values(graph, point, given or {})
    params = [graph.names[p] for p in spec.params]
    out = graph.names[spec.output]
    lr = parse(spec.lr, graph.names)
    z = pre_activation(graph, out)
    shown, names = _output_of_inputs(graph, spec, out)
    blocks = [
        Block("sgd_model", {}, tuple(Step("definition", graph.display[n],
                                          lhs=shown if n == out else n)
                                     for n in reversed(list(graph.nodes)) if n != graph.loss),
              layout="inline", extra={shown: graph.nodes[out]}),
        Block(f"sgd_loss_{loss_kind(graph)}", {},
              (Step("definition", graph.display[graph.loss], lhs=graph.loss),)),
        Block("sgd_data", _data_params(spec, graph)),
        _substitute_block(graph, point, values, given or {}),
        *_gradient_blocks(graph, out, z, params),
        *_plug_blocks(graph, spec, z, params, point, values),
        _update_block(graph, spec, lr, out, params, point, values, numeric),
    ]
    answers = _answers(graph, lr, params, point)
    return Solution(spec.id, spec.kind, (Section("", tuple(blocks), level=0),), answers,
                    {**NAMES, **names}, decimal_data=decimal_data(spec))


def decimal_data(spec: SgdSpec) -> bool:
    """Whether the data were written as decimals (0.1 is then printed 0.1, not 1/10)."""
    return any(isinstance(v, float) for v in (*spec.data.values(), *spec.init.values(),
                                              spec.lr))


def _output_of_inputs(graph: Graph, spec: SgdSpec, out: Symbol
                      ) -> tuple[Symbol, dict[Symbol, str]]:
    """The model's output written as a function of the data it reads, h(x₁,x₂), as the
    seed states the model (issue 15); the symbol means the output node."""
    used = graph.inline(out).free_symbols
    inputs = [graph.names[k] for k in spec.data if graph.names[k] in used]
    # Named as printed (a label, not an identifier): the key and trace read h(x1,x2).
    shown = Symbol(f"{out.name}({','.join(x.name for x in inputs)})")
    return shown, {shown: f"{graph.latex[out]}({','.join(graph.latex[x] for x in inputs)})"}


def _tuple_latex(graph: Graph, names: list[str], values: list[float | int]) -> dict[str, str]:
    return {"names": ",".join(graph.latex[graph.names[n]] for n in names),
            "values": ",".join(_number_text(v) for v in values)}


def _number_text(value: float | int) -> str:
    """A number as the author wrote it: 0.5 stays 0.5 (repr is the shortest exact form)."""
    return repr(value) if isinstance(value, float) else str(value)


def exact(value: float | int) -> sympy.Rational:
    """The exact decimal the author wrote: 0.1 is 1/10, not the binary float near it."""
    return sympy.Rational(repr(value)) if isinstance(value, float) else sympy.Integer(value)


def _data_params(spec: SgdSpec, graph: Graph) -> dict[str, sympy.Basic | str]:
    data = _tuple_latex(graph, list(spec.data), list(spec.data.values()))
    init = _tuple_latex(graph, list(spec.init), list(spec.init.values()))
    return {"data_names": data["names"], "data_values": data["values"],
            "init_names": init["names"], "init_values": init["values"]}


def _substitute_block(graph: Graph, point: dict[Symbol, sympy.Basic],
                      values: dict[Symbol, sympy.Basic], given: dict[Symbol, sympy.Basic]
                      ) -> Block:
    steps = []
    # Each other node as its own expression at the point (a node of nodes stays one).
    others = {n: given.get(n, graph.nodes[n].xreplace(point)) for n in graph.nodes}
    for node in graph.nodes:
        if node == graph.loss:
            continue
        known = {**point, **{n: v for n, v in others.items() if n != node}}
        plain = _noeval(graph.display[node], known)
        steps.append(Step("substitution", _noeval(graph.display[node], known, shown=True),
                          lhs=node, value=plain))
        value = values[node]
        if value != plain:
            steps.append(Step("arithmetic", value))
    return Block("sgd_substitute_data", {}, tuple(steps), at=point, layout="inline")


def _gradient_blocks(graph: Graph, out: Symbol, z: Symbol | None,
                     params: list[Symbol]) -> list[Block]:
    if z is None:
        steps = tuple(Step("differentiate", _diff(graph.inline(out), p),
                           lhs=Derivative(out, p)) for p in params)
        return [Block("sgd_gradient_heading", {"output": out}, steps, layout="inline")]
    body = graph.nodes[out]
    head = Block("sgd_gradient_heading", {"output": out}, (
        Step("local_derivative", Derivative(body, z), lhs=Derivative(out, z)),
        Step("sigmoid_prime", sigmoid_prime(z)) if isinstance(body, sigmoid) else
        Step("differentiate", _diff(body, z)),
    ))
    per_param = []
    for p in params:
        chain = Mul(Derivative(out, z), Derivative(z, p), evaluate=False)
        local = _diff(graph.nodes[z], p)
        # ∂z/∂b = 1 leaves σ'(z) alone: `σ'(z) · 1` is no course form
        shown = Derivative(body, z) if local == 1 else Mul(Derivative(body, z), local,
                                                             evaluate=False)
        per_param += [Step("chain_rule", chain, lhs=Derivative(out, p)), Step("local", shown)]
    return [head, Block("", {}, tuple(per_param), layout="inline")]


def _grad(out: Symbol, params: list[Symbol]) -> Grad:
    return Grad(out, THETA, Vec(*params))


def _factor(graph: Graph, out: Symbol, z: Symbol | None) -> sympy.Basic:
    """∂out/∂z as the seed writes it: σ(z)(1 − σ(z)) for a sigmoid neuron."""
    if z is None:
        return sympy.Integer(1)
    body = graph.nodes[out]
    if isinstance(body, sigmoid) and body.args[0] == z:
        return sigmoid_prime(z)
    return _diff(body, z)


def _rows(graph: Graph, out: Symbol, z: Symbol | None, params: list[Symbol]) -> list[sympy.Basic]:
    inner = graph.nodes[z if z is not None else out]
    return [_diff(inner, p) for p in params]


def _plug_blocks(graph: Graph, spec: SgdSpec, z: Symbol | None, params: list[Symbol],
                 point: dict[Symbol, sympy.Basic], values: dict[Symbol, sympy.Basic]
                 ) -> list[Block]:
    out = graph.names[spec.output]
    grad = _grad(out, params)
    if z is None:
        return [Block("therefore", {}, (Step("vector", Vec(*[Derivative(out, p) for p in params]),
                                             lhs=grad),))]
    factor = _factor(graph, out, z)
    rows = Vec(*_rows(graph, out, z, params))
    plugged = Mul(_noeval(factor, {z: values[z]}), _noeval(rows, point), evaluate=False)
    return [
        Block("therefore", {}, (
            Step("vector", Vec(*[Derivative(out, p) for p in params]), lhs=grad),
            Step("factor_out", Mul(factor, rows, evaluate=False)))),
        Block("sgd_plug", plug_params(graph, spec, z, values[z]),
              (Step("substitution", plugged, lhs=grad),), at=point),
    ]


def plug_params(graph: Graph, spec: SgdSpec, z: Symbol, z_value: sympy.Basic
                ) -> dict[str, sympy.Basic | str]:
    """`With (x₁,x₂)=(1,2) and z=3 in this problem`: the inputs z reads, as written."""
    inputs = [s for s in graph.nodes[z].free_symbols if graph.roles.get(s) == "input"]
    inputs.sort(key=lambda s: s.name)
    return {"inputs": ",".join(graph.latex[s] for s in inputs),
            "values": ",".join(_number_text(spec.data[s.name]) for s in inputs), "z": z,
            "z_value": z_value}


def _loss_factor(graph: Graph, out: Symbol) -> tuple[sympy.Basic, sympy.Basic] | None:
    """For L = (t − out)²: (t − out) and t, so the update reads θ⁰ + 2α(t − out)∇θ out."""
    shown = graph.display[graph.loss]
    if isinstance(shown, sympy.Pow) and shown.exp == 2 and isinstance(shown.base, Add):
        terms = shown.base.args
        if len(terms) == 2 and terms[1] == -out:
            return shown.base, terms[0]
    return None


def _update_block(graph: Graph, spec: SgdSpec, lr: sympy.Basic, out: Symbol,
                  params: list[Symbol], point: dict[Symbol, sympy.Basic],
                  values: dict[Symbol, sympy.Basic], numeric: bool) -> Block:
    loss = graph.loss
    z = next((n for n in graph.deps(out) if n in graph.nodes), None)
    z_at = {z: values[z]} if z is not None else {}
    truth = Vec(*[p - lr * _diff(graph.inline(loss), p) for p in params])
    steps = [Step("sgd_update", Add(THETA0, Mul(-1, lr, Grad(loss, THETA, Vec(*params)),
                                                evaluate=False), evaluate=False), lhs=THETA1)]
    residual = _loss_factor(graph, out)
    if residual is not None:
        scale, shown_dl = 2, residual[0]
        rule = "chain_rule_loss"
    else:  # any other loss: θ⁰ − α (∂L/∂out) ∇θ out
        scale, shown_dl = -1, _diff(graph.nodes[loss], out)
        rule = "chain_rule"
    steps.append(Step(rule, Add(THETA0, Mul(scale, lr, shown_dl, _grad(out, params),
                                            evaluate=False), evaluate=False)))
    out_value = graph.nodes[out].xreplace(z_at) if z is not None else graph.inline(out).xreplace(
        point)
    coeff = Mul(scale, lr, _noeval(shown_dl, {**point, out: out_value}),
                _noeval(_factor(graph, out, z), z_at), evaluate=False)
    symbolic = _rows(graph, out, z, params)
    rows = [r.xreplace(point) for r in symbolic]
    steps.append(Step("substitution", Add(Vec(*[point[p] for p in params]),
                                          Mul(coeff, Vec(*rows), evaluate=False),
                                          evaluate=False)))
    # A row that is 1 by itself (the bias) shows no factor; x₁ = 1 substituted shows "·1".
    steps.append(Step("componentwise", Column(*[
        Add(point[p], coeff if s == 1 else Mul(coeff, r, evaluate=False), evaluate=False)
        for p, s, r in zip(params, symbolic, rows, strict=True)])))
    if spec.mode == "numeric":
        # θ¹ in decimals; a variant template keeps θ¹'s formula here (SgdVariants.instance).
        steps.append(Step("numeric_value", Column(*(decimals(truth, point) if numeric else
                                                    truth.args)),
                          relation=r"\approx", digits=spec.precision))
    # A number for α is a given the statement must state (issue 15); a name stays a name.
    given: sympy.Basic | str = "" if not lr.is_Number else (
        as_decimal(lr) if isinstance(spec.lr, float) else lr)
    return Block("sgd_update_heading", {"lr": given}, tuple(steps), at=point,
                 extra={THETA0: Vec(*params), THETA1: truth})


@lru_cache(maxsize=64)
def _evaluator(expr: sympy.Basic) -> Evaluator:
    return Evaluator(expr, [], 50)


def decimals(truth: sympy.Basic, point: dict[Symbol, sympy.Basic]) -> list[Any]:
    """θ¹ at `point`, 50 digits. The mpmath walk, not sympy.N: N builds σ as
    1/(1 + e^(−z)) each time (~6 ms); one walker per formula, kept for every variant."""
    return [_evaluator(v)(point) for v in truth.args]


@lru_cache(maxsize=64)
def _rounded(truth: sympy.Basic, places: int) -> RoundedValues:
    return RoundedValues(sorted(truth.free_symbols, key=str), list(truth.args), places)


def _answers(graph: Graph, lr: sympy.Basic, params: list[Symbol],
             point: dict[Symbol, sympy.Basic]) -> dict[str, sympy.Basic]:
    loss = graph.inline(graph.loss)
    return {f"{p}^(1)": (p - lr * _diff(loss, p)).xreplace(point) for p in params}


class SgdVariants(Variants[SgdSpec]):
    """Every line shows numbers. The solution is written once with slots (`template`) and
    proved once with symbols; a variant puts its numbers into the slots (`instance`)."""

    solved_in_full = True
    question_blocks = ("sgd_model", "sgd_loss", "sgd_data")  # sgd_loss_<kind> by prefix

    def names(self, spec: SgdSpec, graph: Graph) -> set[str]:
        return {*spec.data, *spec.init}

    def values(self, spec: SgdSpec, graph: Graph) -> Point:
        return {graph.names[n]: number(v) for n, v in {**spec.data, **spec.init}.items()}

    def answers(self, spec: SgdSpec, graph: Graph) -> Answers:
        lr = parse(spec.lr, graph.names)
        loss = graph.inline(graph.loss)
        out: Answers = {}
        for name in spec.params:
            var = graph.names[name]
            out[f"next_{name}"] = (f"{var}^(1)", var - lr * _diff(loss, var),
                                   f"{graph.latex[var]}^{{(1)}}")
        return out

    def check_draws(self, spec: SgdSpec, source: Source,
                    slots: list[tuple[str, tuple[sympy.Rational, ...]]]) -> list[SpecError]:
        # The step shows data as written: every drawn value needs an exact decimal form.
        errors = []
        for name, values in slots:
            bad = [v for v in values if not v.is_Integer and sympy.Rational(
                repr(float(v))) != v]
            if bad:
                errors.append(SpecError(source.at(("vary", name)),
                                        f"{bad[0]} has no exact decimal form",
                                        "an sgd_step problem draws integers or decimals"))
        return errors

    def redraw(self, spec: SgdSpec, graph: Graph, point: Point) -> SgdSpec:
        # The solver reads numbers as the author writes them (3, 0.5): hand it those.
        data = {n: plain_number(point[graph.names[n]]) for n in spec.data}
        init = {n: plain_number(point[graph.names[n]]) for n in spec.init}
        return spec.model_copy(update={"data": data, "init": init})

    def template(self, spec: SgdSpec, graph: Graph) -> Slotted | None:
        z = pre_activation(graph, graph.names[spec.output])
        if z is None:
            return None
        leaves = [graph.names[n] for n in {**spec.data, **spec.init}]
        slots = {v: sympy.Dummy(f"v_{v.name}") for v in leaves}
        z_slot = sympy.Dummy(f"v_{z.name}")
        solution = solve_at(spec, graph, dict(slots), {z: z_slot}, numeric=False)
        out = graph.names[spec.output]
        values = node_values(graph, dict(slots), {z: z_slot})
        params = [graph.names[p] for p in spec.params]
        evaluated = (*[v for n, v in values.items() if n not in (z, graph.loss)],
                     *[r.xreplace(slots) for r in _rows(graph, out, z, params)])
        return Slotted(solution, slots, {z_slot: graph.inline(z)}, evaluated,
                       frozenset({"sgd_substitute_data"}))  # _noeval(shown=True) there

    def instance(self, spec: SgdSpec, graph: Graph, slotted: Slotted, point: Point,
                 env: dict[sympy.Basic, sympy.Basic]) -> Solution:
        varied = self.redraw(spec, graph, point)
        exact_point = {graph.names[k]: exact(v) for k, v in {**varied.data,
                                                              **varied.init}.items()}
        solution = slotted.filler.solution(slotted.solution, env)
        z = pre_activation(graph, graph.names[spec.output])
        assert z is not None  # else no template
        (z_slot,) = slotted.derived
        blocks = []
        for block in solution.sections[0].blocks:
            if block.key == "sgd_data":  # numbers as the author writes them: 0.5, 3
                block = replace(block, params=_data_params(varied, graph))
            elif block.key == "sgd_plug":
                block = replace(block, params=plug_params(graph, varied, z, env[z_slot]))
            elif block.steps and block.steps[-1].rule == "numeric_value":
                truth = block.extra[THETA1]
                # Compiled, the walk's bytes kept (algebra/rounded.py): ≈ 2 ms a variant.
                rounded = _rounded(truth, spec.precision)
                last = replace(block.steps[-1], rhs=Column(*rounded(exact_point)))
                block = replace(block, steps=(*block.steps[:-1], last))
            blocks.append(block)
        # The exact answers are the caller's (variants/answer_templates.py): evaluating
        # them here is most of a variant's sympy work.
        return replace(solution, sections=(replace(solution.sections[0], blocks=tuple(blocks)),),
                       answers={}, decimal_data=decimal_data(varied))

    def task(self, spec: SgdSpec, graph: Graph) -> tuple[str, dict[str, Any]]:
        lr = parse(spec.lr, graph.names)
        return "task_sgd_step", {"lr": as_decimal(lr) if isinstance(spec.lr, float) else lr}


def plain_number(value: sympy.Rational) -> int | float:
    """3 → 3, 7/10 → 0.7 (`check_draws` refused values without an exact decimal form)."""
    if value.is_Integer:
        return int(value)
    return float(value)


KIND = GraphKind[SgdSpec]("sgd_step", validate, solve, SgdVariants())
