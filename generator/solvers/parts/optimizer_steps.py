"""The checked steps of one update with an optimizer (generator/solvers/parts/optimizers.py).

Per update: η_t when a schedule is set; per parameter the batch gradient ḡ, the decayed
gradient (L2), each state value (v, G, s, m, v, m̂, v̂), then θ ← … written as the textbook
writes it with numbers, and its value. Every left side means the same formula applied to
sympy's own derivative of the inlined loss (the verifier's route), so each printed number
is checked, as the plain SGD steps are.
"""

from __future__ import annotations

import sympy
from sympy import Symbol

from generator.algebra.fixed_decimal import fixed_decimal
from generator.algebra.trace import Section, Step
from generator.graph.model import Graph
from generator.solvers.parts import optimizers
from generator.solvers.parts.optimizer_working import Working, rate_line
from generator.solvers.parts.sample_steps import PlaceKey, Places, places_of, value_step
from generator.solvers.parts.training_steps import (
    Run,
    _sym,
    introduced,
    mean_steps,
    quantity_places,
    sample_blocks,
    theta_shown,
    update_blocks,
    with_numbers,
)
from generator.spec.models import TrainingSpec

LATEX = {"g": r"\tilde{{g}}_{{{p}}}^{{({t})}}", "v": "v_{{{p}}}^{{({t})}}",
         "G": "G_{{{p}}}^{{({t})}}", "s": "s_{{{p}}}^{{({t})}}", "m": "m_{{{p}}}^{{({t})}}",
         "mhat": r"\hat{{m}}_{{{p}}}^{{({t})}}", "vhat": r"\hat{{v}}_{{{p}}}^{{({t})}}"}


def _state_sym(names: dict[Symbol, str], key: str, base: str, p: Symbol, t: int) -> Symbol:
    sym = Symbol(f"opt_{key}_{p.name}_{t}")
    names[sym] = LATEX[key].format(p=base, t=t)
    return sym


def _rate(settings: optimizers.Settings, t: int, names: dict[Symbol, str],
          places: int, extra: dict[Symbol, sympy.Basic]) -> list[Step]:
    if settings.schedule is None:
        return []
    eta = Symbol(f"opt_eta_{t}")
    names[eta] = rf"\eta_{{{t}}}"
    extra[eta] = settings.rate(t)
    rule = f"lr_{settings.schedule[0]}"
    value = value_step(rule, eta, sympy.N(settings.rate(t), 40), settings.rate(t), places)
    worked = rate_line(settings, t)
    if worked is None:
        return [value]  # η_1 = η: nothing to work out
    # The numbers line means the schedule's formula as written here, checked against
    # Settings.rate (η_min + (η − η_min)(…)/2 worked out by sympy).
    return [Step(rule, worked[0], lhs=eta, value=worked[1]),
            value_step("arithmetic", None, sympy.N(settings.rate(t), 40), settings.rate(t),
                       places)]


def _param_steps(spec: TrainingSpec, graph: Graph, r: Run, t: int, p: Symbol,
                 places: Places, extra: dict[Symbol, sympy.Basic]) -> list[Step]:
    """After ḡ (`mean_steps`): g̃ (L2), each state value, θ ← … with numbers, its value."""
    settings = optimizers.Settings.of(spec)
    prev, base = r.thetas[t - 1][p], graph.latex[p]
    state = r.states[t - 2][p] if t > 1 else optimizers.start(settings)
    g = _sym(graph, r.names, "g", p, t)
    exact, _ = optimizers.update(settings, t, prev, extra[g], state)
    computed = r.states[t - 1][p]
    steps: list[Step] = []
    syms = {"g": g}
    # Each name as the number its own line printed (ḡ, m, v, m̂, …), θ as the table.
    printed = {g: fixed_decimal(r.grads[t - 1][p], places["grad", p])}
    theta_now = theta_shown(spec, graph, r, t, places)[p]
    work = Working(settings, t, theta_now, prev)
    keys = (*optimizers.STATE[settings.name], *optimizers.SHOWN.get(settings.name, ()))
    for key in ("g", *keys) if settings.weight_decay and not settings.decoupled else keys:
        rule = "weight_decay_l2" if key == "g" else f"{settings.name}_{key}"
        place = places["grad", p] if key == "g" else places[key, p]
        new = _state_sym(r.names, key, base, p, t)
        extra[new] = work.meaning(key, syms, state.get(key, 0), extra)
        steps += work.lines(rule, new, key, syms, printed,
                            state_shown(r, t, p, key, places), extra[new],
                            (computed[key], exact[key], place))
        syms[key] = new
        printed[new] = fixed_decimal(computed[key], place)
    th = _sym(graph, r.names, "theta", p, t)
    rate = (fixed_decimal(settings.rate(t), places["rate", ""]) if settings.schedule
            else sympy.nsimplify(spec.lr))  # η as the file writes it, η_t as its line
    shown, value = optimizers.formula(settings, t, prev, syms, r.digits, (theta_now, rate))
    # θ means the textbook formula over the state's meanings, built as the line is: the
    # same formula summed in another order differs in the 44th digit of its Floats.
    extra[th] = value.xreplace({sym: extra[sym] for sym in syms.values()})
    steps.append(Step(f"{settings.name}_update", shown, lhs=th, value=value))
    steps += with_numbers(shown, {sym: printed[sym] for sym in syms.values()}, extra[th],
                          r.thetas[t][p], extra[th], places["theta", p])
    return steps


def state_shown(r: Run, t: int, p: Symbol, key: str, places: Places) -> sympy.Basic:
    """A state value before update t as its line printed it (0 at the start)."""
    if t == 1 or key not in r.states[t - 2][p] or key == "g":
        return sympy.Integer(0)
    return fixed_decimal(r.states[t - 2][p][key], places[key, p])


def _places(graph: Graph, r: Run, settings: optimizers.Settings) -> Places:
    """quantity_places, and one number of decimals per state value (m, v, m̂, …) over
    every parameter and update, as for the gradients."""
    out: dict[PlaceKey, int] = quantity_places(graph, r)
    for key in (*optimizers.STATE[settings.name], *optimizers.SHOWN.get(settings.name, ())):
        places = places_of([s[p][key] for s in r.states for p in r.params], r.digits)
        out.update({(key, p): places for p in r.params})
    out["rate", ""] = places_of([settings.rate(t) for t in range(1, len(r.batches) + 1)],
                                r.digits)
    return out


def optimizer_sections(spec: TrainingSpec, graph: Graph, r: Run) -> list[Section]:
    """One section per update, as `training_steps.step_blocks` writes plain SGD: each
    sample's forward pass and gradient, the batch mean, then the optimizer's update."""
    settings = optimizers.Settings.of(spec)
    places = _places(graph, r, settings)
    sections = []
    for t, batch in enumerate(r.batches, start=1):
        samples, extra = sample_blocks(spec, graph, r, t, places)
        steps = _rate(settings, t, r.names, places["rate", ""], extra)
        for p in r.params:
            steps += mean_steps(graph, r, p, t, places, extra)
            steps += _param_steps(spec, graph, r, t, p, places, extra)
        sections.append(Section("training_update", (*introduced(samples, t, batch),
                                                    *update_blocks(steps, extra)),
                                params={"t": str(t), "name": spec.optimizer}))
    return sections
