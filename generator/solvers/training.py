"""k steps of mini-batch SGD (optional momentum), in numbers, with a table per step.

The solver computes with a forward pass and a numeric backward pass (δ per node, the
local partials evaluated at the node values) at `precision + 20` significant digits
(at least 40). Each printed number is then checked by the verifier against an
independent route: sympy's derivative of the fully inlined loss at the same point.

Conventions (stated in the output): the batch loss is the mean of the per-sample loss;
momentum keeps v ← μv + g and steps θ ← θ − ηv with v = 0 at the start (PyTorch's SGD).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal

import sympy
from sympy import Float

from generator.algebra.trace import Block, Section, Solution, Step
from generator.errors import SpecError, SpecErrors
from generator.graph.model import Graph
from generator.solvers.kind import GraphKind
from generator.solvers.parts import matrix_training, matrix_training_model, optimizers
from generator.solvers.parts.backprop import backward_sections
from generator.solvers.parts.optimizer_steps import optimizer_sections
from generator.solvers.parts.subgradient import subgradient_notes
from generator.solvers.parts.training_steps import Run, run, step_blocks
from generator.spec.models import TrainingSpec
from generator.spec.source import Source


def validate(spec: TrainingSpec, graph: Graph, source: Source) -> None:
    errors = []
    inputs = {s for s, r in graph.roles.items() if r == "input"}
    params = {s for s, r in graph.roles.items() if r == "param"}
    for i, sample in enumerate(spec.data):
        given = {graph.names.get(n) for n in sample}
        for name in sample:
            if graph.names.get(name) not in inputs:
                errors.append(SpecError(source.at(("data", i, name)), f"{name!r} is not an input"))
        missing = sorted(s.name for s in inputs - given)
        if missing:
            errors.append(SpecError(source.at(("data", i)), f"no value for {missing[0]!r}",
                                    "give every input a value in every sample"))
    for name in spec.init:
        if graph.names.get(name) not in params:
            errors.append(SpecError(source.at(("init", name)), f"{name!r} is not a param"))
    for sym in sorted(params - {graph.names.get(n) for n in spec.init}, key=str):
        errors.append(SpecError(source.at(("init",)), f"no value for {sym.name!r}",
                                "give every param a starting value under init:"))
    for i, k in enumerate(spec.order or []):
        if k > len(spec.data):
            errors.append(SpecError(source.at(("order", i)), f"there is no sample {k}",
                                    f"samples are numbered 1 to {len(spec.data)}"))
    if graph.roles and any(r == "hyper" for r in graph.roles.values()):
        errors.append(SpecError(source.at(("hypers",)), "training needs numbers everywhere",
                                "write hyper-parameters as constants or numbers"))
    if spec.form == "matrix":
        errors += matrix_training_model.problems(spec, graph, source)
    if errors:
        raise SpecErrors(errors)


def solve(spec: TrainingSpec, graph: Graph) -> Solution:
    result = run(spec, graph)
    params = result.params
    intro = [
        Block("sgd_model", {}, tuple(Step("definition", graph.display[n], lhs=n)
                                     for n in graph.nodes), layout="aligned"),
        *_kink_notes(graph),
        Block("training_data", {}, table=_data_table(spec, graph)),
        *_setup(spec, graph, result),
    ]
    if spec.form == "matrix":
        return _matrix(spec, graph, result, intro)
    backward, names = backward_sections(graph, params)
    result.names.update(names)
    # δ of every node, then ∂ℓ/∂θ: the same derivation as a gradient problem, without ∇W.
    grads = [b for sec in backward if sec.key != "backprop_matrix" for b in sec.blocks
             if b.key != "forward_definitions"]  # Step 1 already shows the model
    sections = [Section("training_model", tuple(intro)),
                Section("training_gradients", (Block("training_gradient"), *grads)),
                *(optimizer_sections(spec, graph, result) if optimizers.used(spec)
                  else step_blocks(spec, graph, result)),
                Section("training_table", (Block("training_table_intro", {},
                                                 table=_table(result)),))]
    # The matrices' numbers are decimals rounded to `precision` places, held exactly.
    return _solution(spec, result, sections, decimal=True)


def _solution(spec: TrainingSpec, result: Run, sections: list[Section],
              decimal: bool = False) -> Solution:
    answers = {f"{p.name}^({len(result.thetas) - 1})": result.thetas[-1][p]
               for p in result.params}
    answers["loss^(0)"] = result.losses[0]
    answers[f"loss^({len(result.losses) - 1})"] = result.losses[-1]
    # Data written as decimals (0.5) print as decimals, not 1/2, as in sgd_step.
    decimal = decimal or any(isinstance(v, float) for v in (
        *[v for sample in spec.data for v in sample.values()], *spec.init.values(), spec.lr,
        spec.momentum))
    return Solution(spec.id, spec.kind, tuple(sections), answers, result.names,
                    decimal_data=decimal)


def _matrix(spec: TrainingSpec, graph: Graph, result: Run, intro: list[Block]) -> Solution:
    """form: matrix: the model and settings, each step in matrix notation, the table."""
    model = matrix_training_model.recognize(graph)
    rule = Block("training_matrix_rule", matrix_training.rule_params(spec, graph, model))
    sections = [Section("training_model", (*intro, rule)),
                *matrix_training.sections(spec, graph, result, model),
                Section("training_table", (Block("training_table_intro", {},
                                                 table=_table(result)),))]
    # The matrices' numbers are decimals rounded to `precision` places, held exactly.
    return _solution(spec, result, sections, decimal=True)


def _data_table(spec: TrainingSpec, graph: Graph) -> tuple[tuple[sympy.Basic | str, ...], ...]:
    names = list(spec.data[0])
    head: tuple[sympy.Basic | str, ...] = ("col_sample", *[graph.names[n] for n in names])
    rows = [(sympy.Integer(i + 1), *[sympy.nsimplify(s[n]) for n in names])
            for i, s in enumerate(spec.data)]
    return (head, *rows)


def _kink_notes(graph: Graph) -> list[Block]:
    # Every number of the run takes ReLU'(0) from this convention, so the sheet states it.
    keys = [key for key, _ in graph.notes if key.endswith("_subgradient")]
    keys += [key for key, _ in subgradient_notes(graph)]
    items = tuple((key, dict[str, sympy.Basic | str]()) for key in keys)
    return [Block("", {}, (), items=items)] if items else []


def _setup(spec: TrainingSpec, graph: Graph, result: Run) -> list[Block]:
    """The settings sentence; with an optimizer, its update rule, weight decay, schedule."""
    if not optimizers.used(spec):
        return [Block("training_setup", _setup_params(spec, graph, result))]
    s = optimizers.Settings.of(spec)
    params = {k: v for k, v in _setup_params(spec, graph, result).items() if k != "momentum"}
    blocks = [Block("training_setup_optimizer", params),
              Block(f"training_rule_{s.name}", {"mu": s.momentum, "beta1": s.beta1,
                                                 "beta2": s.beta2, "rho": s.rho,
                                                 "eps": sympy.Float(s.eps, 3)})]
    if s.weight_decay:
        key = "training_decay_decoupled" if s.decoupled else "training_decay_l2"
        blocks.append(Block(key, {"wd": s.weight_decay}))
    if s.schedule is not None:
        kind, k, c = s.schedule
        blocks.append(Block(f"training_schedule_{kind}", {"k": str(k), "c": c}))
    return blocks


def _setup_params(spec: TrainingSpec, graph: Graph, result: Run
                  ) -> dict[str, sympy.Basic | str]:
    # θ⁰ as the file writes it (0.5, not 1/2): a statement states every given (issue 15).
    init = {graph.names[k]: v for k, v in spec.init.items()}
    return {"params": ", ".join(graph.latex[p] for p in result.params),
            "init": ", ".join(str(init[p]) for p in result.params),
            "lr": sympy.nsimplify(spec.lr), "batch": str(spec.batch_size),
            "order": ", ".join(str(k) for k in result.order),
            "momentum": sympy.nsimplify(spec.momentum), "steps": str(spec.steps),
            "digits": str(spec.precision), "work": str(result.dps)}


def _table(result: Run) -> tuple[tuple[sympy.Basic | str, ...], ...]:
    head: tuple[sympy.Basic | str, ...] = ("col_step", "col_batch", *result.params, "col_loss")
    columns = [_column([theta[p] for theta in result.thetas], result.digits)
               for p in result.params]
    losses = _column(result.losses, result.digits)
    rows: list[tuple[sympy.Basic | str, ...]] = []
    for t in range(len(result.thetas)):
        # A batch of one sample is that sample's number: a 1-tuple would print as (1,).
        batch: sympy.Basic | str = ("col_initial" if not t else
                                    sympy.Integer(result.batches[t - 1][0])
                                    if len(result.batches[t - 1]) == 1
                                    else sympy.Tuple(*result.batches[t - 1]))
        rows.append((sympy.Integer(t), batch, *[c[t] for c in columns], losses[t]))
    return (head, *rows)


def _column(values: list[sympy.Basic], digits: int) -> list[sympy.Basic]:
    """One table column: every cell rounded from its working-precision value to the same
    decimals, the fewest that `digits` significant digits give any of its cells.

    Rounding each cell to `digits` significant digits first and then to the column's
    decimals rounded twice (−0.05835049… → −0.0583505 → a tie): each cell is rounded once,
    here, and carries exactly the decimals of the column (view/columns.py prints them)."""
    exact = [Decimal(str(sympy.N(v, 45))) for v in values]
    known = [digits - 1 - _significant(x, digits).adjusted() for x in exact if x]
    places = max(0, min(known, default=0))
    cells: list[sympy.Basic] = []
    for x in exact:
        shown = x.quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN)
        # Significant digits such that the Float knows exactly `places` decimals.
        cells.append(Float(str(shown), places + 1 + shown.adjusted()) if shown
                     else sympy.Integer(0))
    return cells


def _significant(x: Decimal, digits: int) -> Decimal:
    return Context(prec=digits, rounding=ROUND_HALF_EVEN).plus(x)


# No variants yet (issue 16): `vary:` is refused by solvers/registry.py.
KIND = GraphKind[TrainingSpec]("training", validate, solve)
