"""The numbers of a training run, and the checked steps that print them.

`run` does forward and backward passes with sympy Floats (mpmath underneath) at a
working precision; `step_blocks` turns each SGD step into steps whose left-hand sides
the verifier recomputes from the inlined loss, so every printed number is checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy
from sympy import Add, Float, Mul, Symbol

from generator.algebra.trace import Block, Section, Step
from generator.graph.model import Graph
from generator.solvers.parts import optimizers
from generator.solvers.parts.backprop import deltas
from generator.spec.models import TrainingSpec

Point = dict[Symbol, sympy.Basic]


@dataclass
class Run:
    params: list[Symbol]
    dps: int  # working precision, significant digits
    digits: int  # shown
    order: list[int]
    symbolic: dict[Symbol, sympy.Basic]  # ∂ℓ/∂θ in node symbols
    batches: list[list[int]] = field(default_factory=list)
    thetas: list[Point] = field(default_factory=list)  # θ^(0), θ^(1), …
    velocities: list[Point] = field(default_factory=list)  # v^(1), … (momentum only)
    grads: list[Point] = field(default_factory=list)  # mean batch gradient of each step
    losses: list[sympy.Basic] = field(default_factory=list)  # mean loss over all data
    states: list[dict[Symbol, dict[str, sympy.Basic]]] = field(default_factory=list)  # others
    names: dict[Symbol, str] = field(default_factory=dict)
    momentum: float = 0.0  # μ as the file writes it


def _samples(spec: TrainingSpec, graph: Graph) -> list[Point]:
    return [{graph.names[k]: sympy.nsimplify(v) for k, v in s.items()} for s in spec.data]


def _forward(graph: Graph, point: Point, dps: int) -> Point:
    values = dict(point)
    for node, body in graph.nodes.items():
        values[node] = sympy.N(body.xreplace(values), dps)
    return values


def _backward(graph: Graph, values: Point, local: dict[tuple[Symbol, Symbol], sympy.Basic],
              params: list[Symbol], dps: int) -> Point:
    """δ of every node from the loss down, numerically: δ_v = Σ_c δ_c · ∂c/∂v(values)."""
    delta: Point = {graph.loss: Float(1, dps)}
    for v in [*reversed(list(graph.nodes)), *params]:
        if v == graph.loss:
            continue
        terms = [delta[c] * sympy.N(d.xreplace(values), dps)
                 for (c, u), d in local.items() if u == v and c in delta]
        delta[v] = sympy.N(Add(*terms), dps) if terms else Float(0, dps)
    return delta


def _batches(spec: TrainingSpec) -> tuple[list[int], list[list[int]]]:
    order = list(spec.order or range(1, len(spec.data) + 1))
    out, at = [], 0
    for _ in range(spec.steps):
        batch = [order[(at + i) % len(order)] for i in range(spec.batch_size)]
        at += spec.batch_size
        out.append(batch)
    return order, out


def run(spec: TrainingSpec, graph: Graph) -> Run:
    params = [s for s, r in graph.roles.items() if r == "param"]
    dps = max(40, spec.precision + 20)
    # Sorted, not set order: the sums below must add in the same order on every run.
    local = {(c, v): sympy.diff(body, v) for c, body in graph.nodes.items()
             for v in graph.deps(c)}
    order, batches = _batches(spec)
    result = Run(params, dps, spec.precision, order, deltas(graph, params), batches,
                 momentum=spec.momentum)
    samples = _samples(spec, graph)
    theta: Point = {graph.names[k]: Float(sympy.nsimplify(v), dps) for k, v in spec.init.items()}
    velocity: Point = {p: Float(0, dps) for p in params}
    lr, mu = Float(sympy.nsimplify(spec.lr), dps), Float(sympy.nsimplify(spec.momentum), dps)
    result.thetas.append(theta)
    result.losses.append(_mean_loss(graph, samples, theta, dps))
    settings = optimizers.Settings.of(spec) if optimizers.used(spec) else None
    state = {p: optimizers.start(settings) for p in params} if settings else {}
    for t, batch in enumerate(batches, start=1):
        total = {p: Float(0, dps) for p in params}
        for k in batch:
            values = _forward(graph, {**samples[k - 1], **theta}, dps)
            delta = _backward(graph, values, local, params, dps)
            total = {p: total[p] + delta[p] for p in params}
        grad = {p: sympy.N(total[p] / len(batch), dps) for p in params}
        if settings is None:
            velocity = {p: sympy.N(mu * velocity[p] + grad[p], dps) for p in params}
            theta = {p: sympy.N(theta[p] - lr * velocity[p], dps) for p in params}
            result.velocities.append(velocity)
        else:
            theta, state = _optimizer_step(settings, t, theta, grad, state, dps)
            result.states.append(state)
        result.grads.append(grad)
        result.thetas.append(theta)
        result.losses.append(_mean_loss(graph, samples, theta, dps))
    return result


def _optimizer_step(settings: optimizers.Settings, t: int, theta: Point, grad: Point,
                    state: dict[Symbol, dict[str, sympy.Basic]], dps: int
                    ) -> tuple[Point, dict[Symbol, dict[str, sympy.Basic]]]:
    new_theta, new_state = {}, {}
    for p in theta:
        kept, value = optimizers.update(settings, t, theta[p], grad[p], state[p])
        new_state[p] = {k: sympy.N(v, dps) for k, v in kept.items()}
        new_theta[p] = sympy.N(value, dps)
    return new_theta, new_state


def _mean_loss(graph: Graph, samples: list[Point], theta: Point, dps: int) -> sympy.Basic:
    total = Add(*[_forward(graph, {**s, **theta}, dps)[graph.loss] for s in samples])
    return sympy.N(total / len(samples), dps)


def _exact(value: sympy.Basic) -> sympy.Basic:
    return sympy.Rational(value) if isinstance(value, Float) else value


def _sym(graph: Graph, names: dict[Symbol, str], kind: str, p: Symbol, t: int,
         k: int = 0) -> Symbol:
    sym = Symbol(f"{kind}_{p.name}_{t}_{k}")
    base = graph.latex[p]
    names[sym] = {"theta": f"{base}^{{({t})}}", "g": rf"\bar{{g}}_{{{base}}}^{{({t})}}",
                  "v": f"v_{{{base}}}^{{({t})}}",
                  # g_{θ,k}: the gradient of sample k's loss alone (k numbers the data); a
                  # name the read-back of printed lines reads as one symbol, as ḡ.
                  "sample": f"g_{{{base},{k}}}^{{({t})}}"}[kind]
    return sym


def step_blocks(spec: TrainingSpec, graph: Graph, r: Run) -> list[Section]:
    """Per step: the mean batch gradient, the velocity (momentum), the new parameters."""
    loss = graph.inline(graph.loss)
    samples = _samples(spec, graph)
    lr, mu = sympy.nsimplify(spec.lr), sympy.nsimplify(spec.momentum)
    init = {graph.names[k]: sympy.nsimplify(v) for k, v in spec.init.items()}
    sections = []
    for t, batch in enumerate(r.batches, start=1):
        prev = r.thetas[t - 1]
        steps: list[Step] = []
        extra: dict[Symbol, sympy.Basic] = {}
        for p in r.params:
            g, th = _sym(graph, r.names, "g", p, t), _sym(graph, r.names, "theta", p, t)
            # Each sample's gradient as the exact value of its 40-digit float: the mean of
            # the floats rounded again to 40 digits differs from the mean the verifier
            # takes at 60 digits by ~1e-41, and a batch of 3 failed its own check.
            per_sample = [_exact(sympy.diff(loss, p).xreplace({**samples[k - 1], **prev}))
                          for k in batch]
            truth = Add(*per_sample) / len(batch)
            extra[g] = truth
            steps += _mean_steps(graph, r, p, t, batch, per_sample, extra)
            shown_v, direction = g, truth
            if mu:
                steps += _momentum_steps(graph, r, p, t, g, extra)
                shown_v = v = _sym(graph, r.names, "v", p, t)
                direction = extra[v]
            extra[th] = prev[p] - lr * direction
            # θ⁰ as the file writes it (0, 0.5), later θ rounded as the table shows it.
            shown = Add(init[p] if t == 1 else _number(prev[p], r.digits),
                        Mul(-1, Float(lr, r.digits), shown_v, evaluate=False), evaluate=False)
            steps.append(Step("sgd_update", shown, lhs=th, value=prev[p] - lr * shown_v))
            steps.append(_approx("arithmetic", None, r.thetas[t][p], r.digits))
        sections.append(Section("training_step", (Block(
            "training_step_intro", {"t": str(t), "batch": ", ".join(map(str, batch))},
            tuple(steps), extra=extra),), params={"t": str(t)}))
    return sections


def _mean_steps(graph: Graph, r: Run, p: Symbol, t: int, batch: list[int],
                per_sample: list[sympy.Basic], extra: dict[Symbol, sympy.Basic]) -> list[Step]:
    """Each sample's gradient, then their mean: the working a TA shows (issue 15)."""
    g = _sym(graph, r.names, "g", p, t)
    shown = []
    steps: list[Step] = []
    for k, truth in zip(batch, per_sample, strict=True):
        gk = _sym(graph, r.names, "sample", p, t, k)
        extra[gk] = truth
        # A sample with x = 0 has a gradient of exactly 0: `= 0`, not `≈ 0.0`.
        steps.append(Step("sample_gradient", truth, lhs=gk) if truth == 0 else
                     _approx("sample_gradient", gk, sympy.N(truth, r.dps), r.digits))
        shown.append(gk)
    mean = Mul(sympy.Pow(len(batch), -1, evaluate=False), Add(*shown, evaluate=False),
               evaluate=False)  # printed as 1/n (…): the mean as the seeds write it
    steps.append(Step("batch_gradient", mean, lhs=g))
    steps.append(_approx("arithmetic", None, r.grads[t - 1][p], r.digits))
    return steps


def _momentum_steps(graph: Graph, r: Run, p: Symbol, t: int, g: Symbol,
                    extra: dict[Symbol, sympy.Basic]) -> list[Step]:
    """v = μ·v_before + ḡ with μ and v_before as numbers, then its value."""
    v = _sym(graph, r.names, "v", p, t)
    mu = sympy.nsimplify(r.momentum)
    before = r.velocities[t - 2][p] if t > 1 else Float(0, r.dps)
    extra[v] = mu * before + extra[g]
    shown = Add(Mul(Float(mu, r.digits), _number(before, r.digits), evaluate=False), g,
                evaluate=False)
    return [Step("momentum", shown, lhs=v, value=mu * before + g),
            _approx("arithmetic", None, r.velocities[t - 1][p], r.digits)]


def _number(value: sympy.Basic, digits: int) -> sympy.Basic:
    """A number shown inside a line: a zero (v⁰, a parameter at 0) is 0, as the seeds
    write it, not the Float `0.0`."""
    return sympy.Integer(0) if value.is_zero else Float(value, digits)


def _approx(rule: str, lhs: Symbol | None, value: sympy.Basic, digits: int) -> Step:
    # Shown rounded, checked at full precision.
    return Step(rule, Float(value, digits), lhs=lhs, relation=r"\approx", value=value)
