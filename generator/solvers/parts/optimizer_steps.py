"""The checked steps of one update with an optimizer (generator/solvers/parts/optimizers.py).

Per update: η_t when a schedule is set; per parameter the batch gradient ḡ, the decayed
gradient (L2), each state value (v, G, s, m, v, m̂, v̂), then θ ← … written as the textbook
writes it with numbers, and its value. Every left side means the same formula applied to
sympy's own derivative of the inlined loss (the verifier's route), so each printed number
is checked, as the plain SGD steps are.
"""

from __future__ import annotations

import sympy
from sympy import Add, Float, Symbol

from generator.algebra.trace import Block, Section, Step
from generator.graph.model import Graph
from generator.solvers.parts import optimizers
from generator.solvers.parts.training_steps import Run, _approx, _samples, _sym
from generator.spec.models import TrainingSpec

LATEX = {"g": r"\tilde{{g}}_{{{p}}}^{{({t})}}", "v": "v_{{{p}}}^{{({t})}}",
         "G": "G_{{{p}}}^{{({t})}}", "s": "s_{{{p}}}^{{({t})}}", "m": "m_{{{p}}}^{{({t})}}",
         "mhat": r"\hat{{m}}_{{{p}}}^{{({t})}}", "vhat": r"\hat{{v}}_{{{p}}}^{{({t})}}"}


def _state_sym(names: dict[Symbol, str], key: str, base: str, p: Symbol, t: int) -> Symbol:
    sym = Symbol(f"opt_{key}_{p.name}_{t}")
    names[sym] = LATEX[key].format(p=base, t=t)
    return sym


def _rate(settings: optimizers.Settings, t: int, names: dict[Symbol, str],
          digits: int, extra: dict[Symbol, sympy.Basic]) -> list[Step]:
    if settings.schedule is None:
        return []
    eta = Symbol(f"opt_eta_{t}")
    names[eta] = rf"\eta_{{{t}}}"
    extra[eta] = settings.rate(t)
    rule = f"lr_{settings.schedule[0]}"
    return [Step(rule, Float(sympy.N(settings.rate(t), 40), digits), lhs=eta,
                 relation=r"\approx", value=settings.rate(t))]


def _param_steps(spec: TrainingSpec, graph: Graph, r: Run, t: int, p: Symbol,
                 truth: sympy.Basic, extra: dict[Symbol, sympy.Basic]) -> list[Step]:
    settings = optimizers.Settings.of(spec)
    prev, base = r.thetas[t - 1][p], graph.latex[p]
    state = r.states[t - 2][p] if t > 1 else optimizers.start(settings)
    exact, _ = optimizers.update(settings, t, prev, truth, state)
    computed = r.states[t - 1][p]
    g = _sym(graph, r.names, "g", p, t)
    extra[g] = truth
    steps = [_approx("batch_gradient", g, r.grads[t - 1][p], r.digits)]
    syms = {"g": g}
    if settings.weight_decay and not settings.decoupled:
        syms["g"] = _state_sym(r.names, "g", base, p, t)
        extra[syms["g"]] = exact["g"]
        steps.append(_approx("weight_decay_l2", syms["g"], computed["g"], r.digits))
    for key in (*optimizers.STATE[settings.name], *optimizers.SHOWN.get(settings.name, ())):
        syms[key] = _state_sym(r.names, key, base, p, t)
        extra[syms[key]] = exact[key]
        steps.append(_approx(f"{settings.name}_{key}", syms[key], computed[key], r.digits))
    th = _sym(graph, r.names, "theta", p, t)
    shown, value = optimizers.formula(settings, t, prev, syms, r.digits)
    # θ means the textbook formula over the state's meanings, built as the line is: the
    # same formula summed in another order differs in the 44th digit of its Floats.
    extra[th] = value.xreplace({sym: extra[sym] for sym in syms.values()})
    steps.append(Step(f"{settings.name}_update", shown, lhs=th, value=value))
    steps.append(_approx("arithmetic", None, r.thetas[t][p], r.digits))
    return steps


def optimizer_sections(spec: TrainingSpec, graph: Graph, r: Run) -> list[Section]:
    """One section per update, as `training_steps.step_blocks` writes plain SGD."""
    loss = graph.inline(graph.loss)
    samples = _samples(spec, graph)
    settings = optimizers.Settings.of(spec)
    sections = []
    for t, batch in enumerate(r.batches, start=1):
        prev = r.thetas[t - 1]
        extra: dict[Symbol, sympy.Basic] = {}
        steps = _rate(settings, t, r.names, r.digits, extra)
        for p in r.params:
            truth = Add(*[sympy.diff(loss, p).xreplace({**samples[k - 1], **prev})
                          for k in batch]) / len(batch)
            steps += _param_steps(spec, graph, r, t, p, truth, extra)
        sections.append(Section("training_update", (Block(
            "training_step_intro", {"t": str(t), "batch": ", ".join(map(str, batch))},
            tuple(steps), extra=extra),), params={"t": str(t), "name": spec.optimizer}))
    return sections
