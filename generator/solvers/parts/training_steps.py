"""The numbers of a training run, and the checked steps that print them.

`run` does forward and backward passes with sympy Floats (mpmath underneath) at a
working precision and keeps each sample's node values and δ; `step_blocks` turns each SGD
step into each sample's forward pass and gradient (sample_steps.py), then per parameter
the batch mean with its numbers, the velocity and the update: steps whose left-hand sides
the verifier recomputes by its own route, so every printed number is checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import sympy
from sympy import Add, Float, Mul, Symbol

from generator.algebra.fixed_decimal import fixed_decimal
from generator.algebra.notation import Paren
from generator.algebra.numbers import substitute
from generator.algebra.trace import Block, Section, Step
from generator.graph.model import Graph
from generator.solvers.parts import optimizers
from generator.solvers.parts.backprop import deltas
from generator.solvers.parts.sample_steps import (
    FULL,
    MANY,
    PlaceKey,
    Places,
    Sample,
    Writer,
    derivatives,
    grad_symbol,
    label_difference,
    needed_deltas,
    places_of,
    shown_nodes,
    value_step,
)
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
    # per update, sample k → (node values, ∂L/∂v of its loss): the forward values shown
    passes: list[dict[int, tuple[Point, Point]]] = field(default_factory=list)


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
        result.passes.append({})
        for k in batch:
            values = _forward(graph, {**samples[k - 1], **theta}, dps)
            delta = _backward(graph, values, local, params, dps)
            result.passes[-1][k] = (values, delta)
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


def _sym(graph: Graph, names: dict[Symbol, str], kind: str, p: Symbol, t: int,
         k: int = 0) -> Symbol:
    sym = Symbol(f"{kind}_{p.name}_{t}_{k}")
    base = graph.latex[p]
    names[sym] = {"theta": f"{base}^{{({t})}}", "g": rf"\bar{{g}}_{{{base}}}^{{({t})}}",
                  "v": f"v_{{{base}}}^{{({t})}}"}[kind]
    return sym


def step_blocks(spec: TrainingSpec, graph: Graph, r: Run) -> list[Section]:
    """Per step: each sample's forward pass and gradient, then per parameter the batch
    mean, the velocity (momentum) and the new value."""
    lr = sympy.nsimplify(spec.lr)
    places = quantity_places(graph, r)
    sections = []
    for t, batch in enumerate(r.batches, start=1):
        prev = r.thetas[t - 1]
        samples, extra = sample_blocks(spec, graph, r, t, places)
        steps: list[Step] = []
        for p in r.params:
            g, th = _sym(graph, r.names, "g", p, t), _sym(graph, r.names, "theta", p, t)
            steps += mean_steps(graph, r, p, t, places, extra)
            shown_v, direction = g, extra[g]
            if r.momentum:
                steps += _momentum_steps(graph, r, p, t, g, places, extra)
                shown_v = v = _sym(graph, r.names, "v", p, t)
                direction = extra[v]
            extra[th] = prev[p] - lr * direction
            # θ⁰ as the file writes it (0, 0.5), later θ rounded as the table shows it.
            shown = Add(theta_shown(spec, graph, r, t, places)[p],
                        Mul(-1, Float(lr, r.digits), shown_v, evaluate=False), evaluate=False)
            steps.append(Step("sgd_update", shown, lhs=th, value=prev[p] - lr * shown_v))
            # v (or ḡ) by the number its own line printed: θ − η·(−0.47270), as a TA.
            printed = (r.velocities[t - 1] if r.momentum else r.grads[t - 1])[p]
            steps += with_numbers(shown, {shown_v: fixed_decimal(
                printed, places["v" if r.momentum else "grad", p])},
                prev[p] - lr * direction, r.thetas[t][p], extra[th], places["theta", p])
        sections.append(Section("training_step", (*introduced(samples, t, batch),
                                                  *update_blocks(steps, extra)),
                                params={"t": str(t)}))
    return sections


def introduced(samples: list[Block], t: int, batch: list[int]) -> list[Block]:
    """The step's lead-in opens its first sample's sentence: one paragraph with the
    display it leads into, so a page never ends on the lead-in alone."""
    first = replace(samples[0], params={**samples[0].params, "t": str(t),
                                        "before": str(t - 1),
                                        "batch": ", ".join(map(str, batch))})
    return [first, *samples[1:]]


def update_blocks(steps: list[Step], extra: dict[Symbol, sympy.Basic]) -> list[Block]:
    """The batch mean and update, one display per parameter (a display starts with the
    lhs of a ḡ, or of η_t before it): short displays fill a page where one tall display
    of every parameter would leave half a page empty before it."""
    groups: list[list[Step]] = []
    for step in steps:
        # η_t's lines (its value, or its numbers then the value) open the first display.
        opens = step.rule == "batch_gradient" and not (groups and groups[-1][0].rule.startswith(
            "lr_") and all(s.rule != "batch_gradient" for s in groups[-1]))
        if opens or not groups:
            groups.append([])
        groups[-1].append(step)
    return [Block("training_mean_update" if not i else "", {}, tuple(group), extra=extra)
            for i, group in enumerate(groups)]


def quantity_places(graph: Graph, r: Run) -> dict[PlaceKey, int]:
    """The decimals of every quantity of the run: each node's value, each g (a sample's
    and the batch mean), θ and v per parameter; one quantity, one number of decimals."""
    passes = [one for update in r.passes for one in update.values()]
    out = {("node", v): places_of([vals[v] for vals, _ in passes], r.digits)
           for v in shown_nodes(graph)}
    # Every gradient (g of a node or a parameter, ḡ, v) with one number of decimals: the
    # lines of one sample and of the mean sit side by side and are read down as a column.
    shown = needed_deltas(graph, r.params)
    grads = [d[v] for _, d in passes for v in shown]
    grads += [g[p] for g in [*r.grads, *r.velocities] for p in r.params]
    # δ_z = p − y is p's number less a label, so it keeps p's decimals (0.348645 − 0 is
    # 0.348645, not ≈ 0.34865), and every other gradient takes as many: g_b = g_z and the
    # mean of the g's are read against it in the same column.
    labelled = [out["node", p] for v, p in label_difference(graph, r.params).items()
                if v in shown and ("node", p) in out]
    places = max([places_of(grads, r.digits), *labelled])
    out.update({("grad", v): places for v in shown})
    for p in r.params:
        out["theta", p] = places_of([theta[p] for theta in r.thetas], r.digits)
        out["v", p] = out["grad", p]
    return out

def theta_shown(spec: TrainingSpec, graph: Graph, r: Run, t: int,
                places: Places) -> Point:
    """θ^(t−1) as a line prints it: θ⁰ as the file writes it, later θ as the table."""
    if t == 1:
        return {graph.names[k]: sympy.nsimplify(v) for k, v in spec.init.items()}
    return {p: fixed_decimal(r.thetas[t - 1][p], places["theta", p]) for p in r.params}


def sample_blocks(spec: TrainingSpec, graph: Graph, r: Run, t: int,
                  places: Places
                  ) -> tuple[list[Block], dict[Symbol, sympy.Basic]]:
    """The batch's samples, one display each; and what their g_{θ,k} mean, for the
    block of the batch mean (a block's names mean what its own `extra` says)."""
    samples = _samples(spec, graph)
    # θ as exact decimals (θ⁰ as the file writes it, later θ the run's 40 digits): a line
    # and the value it is checked against then agree exactly, not to the 42nd digit of
    # two Float sums taken in another order.
    exact_theta = ({graph.names[k]: sympy.nsimplify(v) for k, v in spec.init.items()}
                   if t == 1 else {p: sympy.Rational(str(v)) for p, v in r.thetas[t - 1].items()})
    shown_theta = theta_shown(spec, graph, r, t, places)
    writer = Writer(graph, r.names, r.params, places, derivatives(graph, r.params))
    many = len(r.batches[t - 1]) > FULL or len(shown_nodes(graph)) > MANY
    blocks, extra, rest = [], {}, []
    for i, k in enumerate(r.batches[t - 1]):
        values, deltas = r.passes[t - 1][k]
        given = ",\\ ".join(f"{graph.latex[graph.names[n]]} = {v}"
                            for n, v in spec.data[k - 1].items())
        sample = Sample(t, k, given, {**samples[k - 1], **exact_theta},
                        {**samples[k - 1], **shown_theta}, values, deltas)
        if many and i:
            rest.append(sample)
        else:
            blocks.append(writer.block(sample))
    if rest:
        blocks += writer.table(rest, r.batches[t - 1][0])
    for block in blocks:
        extra.update({g: v for g, v in block.extra.items() if g.name.startswith("sample_")})
    return blocks, extra


def mean_steps(graph: Graph, r: Run, p: Symbol, t: int,
               places: Places,
               extra: dict[Symbol, sympy.Basic]) -> list[Step]:
    """ḡ = 1/n (g₁ + g₂), the same with the numbers of the sample blocks, its value."""
    g = _sym(graph, r.names, "g", p, t)
    batch = r.batches[t - 1]
    shown = [grad_symbol(graph, r.names, p, t, k) for k in batch]
    extra[g] = Add(*[extra[gk] for gk in shown]) / len(batch)
    half = sympy.Pow(len(batch), -1, evaluate=False)
    mean = Mul(half, Add(*shown, evaluate=False), evaluate=False)  # 1/n (…), as the seeds
    numbers = substitute(mean, {gk: fixed_decimal(r.passes[t - 1][k][1][p], places["grad", p])
                                for gk, k in zip(shown, batch, strict=True)}, shown=True)
    return [Step("batch_gradient", mean, lhs=g),
            Step("substitution", numbers, value=mean),
            value_step("arithmetic", None, r.grads[t - 1][p], extra[g], places["grad", p])]


def _momentum_steps(graph: Graph, r: Run, p: Symbol, t: int, g: Symbol,
                    places: Places,
                    extra: dict[Symbol, sympy.Basic]) -> list[Step]:
    """v = μ·v_before + ḡ with μ and v_before as numbers, then its value."""
    v = _sym(graph, r.names, "v", p, t)
    mu = sympy.nsimplify(r.momentum)
    before = r.velocities[t - 2][p] if t > 1 else Float(0, r.dps)
    extra[v] = mu * before + extra[g]
    shown = Add(Mul(Float(mu, r.digits), fixed_decimal(before, places["v", p]),
                    evaluate=False), g, evaluate=False)
    return [Step("momentum", shown, lhs=v, value=mu * before + g),
            *with_numbers(shown, {g: fixed_decimal(r.grads[t - 1][p], places["grad", p])},
                          extra[v], r.velocities[t - 1][p], extra[v], places["v", p])]


def with_numbers(line: sympy.Basic, printed: dict[Symbol, sympy.Basic], meant: sympy.Basic,
                 value: sympy.Basic, exact: sympy.Basic, places: int) -> list[Step]:
    """A formula line's names put in as the numbers their own lines printed, then its
    value: `= 0.9·0 + (−0.47270)`, `≈ −0.47270`. The numbers line means the formula at
    the exact values (`meant`), as a sample's numbers line does (sample_steps.Writer);
    the value line is the rounding of that."""
    # A negative number added is bracketed, + (−0.47270), as a TA writes it in; in a
    # product the printer brackets it already.
    terms = set(line.args) if isinstance(line, Add) else set()
    numbers = substitute(line, {s: Paren(v) if s in terms and v.is_Number and v < 0 else v
                                for s, v in printed.items()}, shown=True)
    return [Step("substitution", numbers, value=meant),
            value_step("arithmetic", None, value, exact, places)]

