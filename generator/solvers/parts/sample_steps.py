"""Each sample's forward pass and gradient with its numbers, as a TA writes them (issue 15).

For sample k of the batch of update t, one display: every node of the model with the
sample's inputs and θ^(t−1) put in, then its value (`z₃ = 0.5·2 + (−0.25)(−1) + 0 =
1.25000`, `p₃ = σ(1.25) ≈ 0.777300`); then g_{v,k} = ∂L/∂v of that sample's loss for each
node from the loss down, and for each parameter, written as Step 2 writes it (p − y, or
Σ_c g_c ∂c/∂v) with the numbers above put in, then its value. Each line is a step: the
left side means the node's value (or sympy's derivative of the inlined loss) at the
sample, so the verifier checks it at 40 digits by a route the run did not take.

Where a batch has more than `FULL` samples, or the model more than `MANY` nodes, only the
first sample is written out this way; each further sample gets one compact display of
values only (its prediction and its parameter gradients, still checked steps): a page of
the same arithmetic again teaches nothing the first sample did not, and the gradients are
what the batch mean needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_EVEN, Context, Decimal

import sympy
from sympy import Add, Mul, Symbol

from generator.algebra.fixed_decimal import fixed_decimal
from generator.algebra.numbers import substitute
from generator.algebra.trace import Block, Step
from generator.graph.model import Graph
from generator.solvers.parts.backprop import _local, relevant, user_map
from generator.solvers.parts.cross_entropy import sigmoid_bce_steps

Point = dict[Symbol, sympy.Basic]
PlaceKey = tuple[str, "Symbol | str"]
Places = Mapping[PlaceKey, int]  # ("node" | "grad" | "theta" | …, v) → decimals
FULL = 4  # samples of a batch written out in full
COLUMNS = 7  # at most this many parameter gradients in one table (page width)
MANY = 8  # nodes (loss left out) beyond which only the first sample is written out


@dataclass(frozen=True)
class Sample:
    """One sample of one update: where it is taken and what the run computed there."""

    t: int  # the update
    k: int  # the sample's number in the data
    given: str  # its inputs as the file writes them (LaTeX)
    exact: Point  # inputs and θ^(t−1), exact where the file gives them
    shown: Point  # the same as printed: data as written, θ rounded as the table shows it
    values: Mapping[Symbol, sympy.Basic]  # node values at the working precision
    deltas: Mapping[Symbol, sympy.Basic]  # ∂L/∂v of this sample's loss, same precision


def node_latex(graph: Graph, v: Symbol, t: int, k: int | str) -> str:
    """z_{3}^{(1)}: node z at sample 3 in update 1 (h_{1} → h_{1,3})."""
    base = graph.latex[v]
    if base.endswith("}") and "_{" in base and base.rindex("_{") > base.rfind("^"):
        return f"{base[:-1]},{k}}}^{{({t})}}"
    return f"{base}_{{{k}}}^{{({t})}}"


def grad_latex(graph: Graph, v: Symbol, t: int, k: int | str) -> str:
    """g_{v,k}^{(t)}: ∂L/∂v of sample k's loss (the name the batch mean adds up)."""
    return f"g_{{{graph.latex[v]},{k}}}^{{({t})}}"


def node_symbol(graph: Graph, names: dict[Symbol, str], v: Symbol, t: int, k: int) -> Symbol:
    sym = Symbol(f"fwd_{v.name}_{t}_{k}")
    names[sym] = node_latex(graph, v, t, k)
    return sym


def grad_symbol(graph: Graph, names: dict[Symbol, str], v: Symbol, t: int, k: int) -> Symbol:
    sym = Symbol(f"sample_{v.name}_{t}_{k}")
    names[sym] = grad_latex(graph, v, t, k)
    return sym


def value_step(rule: str, lhs: Symbol | None, value: sympy.Basic, exact: sympy.Basic,
               places: int) -> Step:
    """`= 1.25000` when the exact value is that decimal, else `≈ 0.777300`: always
    `places` decimals, the quantity's, so one quantity reads alike on the whole sheet."""
    shown = fixed_decimal(value, places)
    if not exact.is_Rational and not exact.atoms(sympy.Float):
        exact = exact.rewrite(sympy.exp)  # σ(0) is 1/2: `= 0.500000`, not `≈`
    if exact.is_Rational and (exact * 10**places).is_Integer:
        return Step(rule, shown, lhs=lhs, value=exact, digits=places)
    written = sympy.Rational(str(shown))  # the decimal printed, not its binary Float
    return Step(rule, shown, lhs=lhs, relation=r"\approx", value=written, digits=places)


def shown_nodes(graph: Graph) -> list[Symbol]:
    return [n for n in graph.nodes if n != graph.loss]


def derivatives(graph: Graph, params: list[Symbol]) -> dict[Symbol, sympy.Basic]:
    """∂L/∂v over the leaves for every node on a path to a param, and every param: the
    verifier's meaning of g_{v,k}, worked out once for all samples."""
    full = graph.inline(graph.loss)
    out = {v: graph.inline(sympy.diff(graph.inline_above(graph.loss, v), v))
           for v in relevant(graph, params)}
    out.update({p: sympy.diff(full, p) for p in params})
    return out

def needed_deltas(graph: Graph, params: list[Symbol]) -> list[Symbol]:
    """The nodes whose δ a parameter's gradient uses, from the loss down, then the params:
    under σ and BCE, δ_z = p − y needs no ∂L/∂p, so none is written."""
    order = [*relevant(graph, params), *params]
    uses = user_map(graph, {*order, graph.loss})
    names = {v: Symbol(f"delta_{v.name}") for v in order}
    needed = set(params)
    for v in reversed(order):  # users before what they use: params first
        if v in needed:
            formula = _delta_formula(graph, v, uses.get(v, []), names)
            needed |= {u for u, g in names.items() if g in formula.free_symbols}
    return [v for v in order if v in needed]


def label_difference(graph: Graph, params: list[Symbol]) -> dict[Symbol, Symbol]:
    """v → p for each δ_v that Step 2 writes as p − y (σ under BCE): its number is p's
    less a label, so it reads with p's decimals (p = 0.777300, g = 0.777300 − 1 ≈
    −0.222700), not with the other gradients' (≈ −0.22270, a digit dropped for nothing)."""
    order = [*relevant(graph, params), *params]
    uses = user_map(graph, {*order, graph.loss})
    out: dict[Symbol, Symbol] = {}
    for v in order:
        if sigmoid_bce_steps(graph, v, uses.get(v, [])):
            out[v] = graph.losses[graph.loss][2][0]
    return out


def _delta_formula(graph: Graph, v: Symbol, kids: list[Symbol],
                   g: Mapping[Symbol, Symbol]) -> sympy.Basic:
    """δ_v as Step 2 writes it: p − y under σ and BCE, else Σ_c g_c ∂c/∂v (taught forms)."""
    if sigmoid_bce_steps(graph, v, kids):
        (y,), (p,) = graph.losses[graph.loss][1], graph.losses[graph.loss][2]
        return Add(p, Mul(-1, y, evaluate=False), evaluate=False)
    terms: list[sympy.Basic] = []
    for c in kids:
        lo = _local(graph, c, v)
        terms.append(lo if c == graph.loss else g[c] if lo == 1
                     else Mul(g[c], lo, evaluate=False))
    return terms[0] if len(terms) == 1 else Add(*terms, evaluate=False)


@dataclass
class Writer:
    """Writes the sample blocks of one run: its graph, names, params and decimals."""

    graph: Graph
    names: dict[Symbol, str]
    params: list[Symbol]
    places: Places
    truths: Mapping[Symbol, sympy.Basic]  # `derivatives(graph, params)`

    def block(self, s: Sample) -> Block:
        """Sample s as one display: forward values, then each g with its numbers."""
        graph = self.graph
        nodes = {v: node_symbol(graph, self.names, v, s.t, s.k) for v in shown_nodes(graph)}
        grads = {v: grad_symbol(graph, self.names, v, s.t, s.k)
                 for v in needed_deltas(graph, self.params)}
        constants = {c: v for c, v in graph.constants.items() if v.is_Rational}
        exact = {**s.exact, **constants}
        extra = self.meanings(s, nodes, grads)
        canonical = {**exact, **nodes}
        shown: dict[sympy.Basic, sympy.Basic] = {**s.shown, **constants}
        shown.update({v: fixed_decimal(s.values[v], self.places["node", v]) for v in nodes})
        shown.update({grads[v]: fixed_decimal(s.deltas[v], self.places["grad", v])
                      for v in grads})
        steps: list[Step] = []
        for v, sym in nodes.items():
            steps += self._line("sample_forward", sym, graph.display[v], canonical, shown,
                                s.values[v], extra[sym], self.places["node", v])
        for v, formula in self._formulas(grads).items():
            steps += self._line("sample_gradient", grads[v], formula, canonical, shown,
                                s.deltas[v], extra[grads[v]], self.places["grad", v])
        return Block("training_sample", {"k": str(s.k), "values": s.given}, tuple(steps),
                     extra=extra, layout="chain")

    def meanings(self, s: Sample, nodes: Mapping[Symbol, Symbol],
                 grads: Mapping[Symbol, Symbol]) -> dict[Symbol, sympy.Basic]:
        """What sample s's names mean: each node's value and ∂L/∂v over the leaves, at
        the sample's inputs and θ (the verifier's route, not the run's)."""
        constants = {c: v for c, v in self.graph.constants.items() if v.is_Rational}
        exact = {**s.exact, **constants}
        extra: dict[Symbol, sympy.Basic] = {
            sym: self.graph.inline(v).xreplace(exact) for v, sym in nodes.items()}
        extra.update({sym: self.truths[v].xreplace(exact) for v, sym in grads.items()})
        return extra

    def table(self, samples: list[Sample], first: int) -> list[Block]:
        """The samples after the first as tables: a row per sample, its prediction and
        each parameter's gradient as columns (at most `COLUMNS` gradients a table). Each
        cell is a checked step (`≈` its value), laid out as a table by the view."""
        graph = self.graph
        last = shown_nodes(graph)[-1]
        t = samples[0].t
        heads = {v: self._head(v, t, "g" if v in self.params else "node")
                 for v in [last, *self.params]}
        blocks = []
        tables = -(-len(self.params) // COLUMNS)
        width = -(-len(self.params) // tables)  # as even as they go: 5 + 5, not 7 + 3
        for start in range(0, len(self.params), width):
            columns = [*([last] if not start else []), *self.params[start:start + width]]
            steps, extra = [], {}
            for s in samples:
                node = node_symbol(graph, self.names, last, s.t, s.k)
                grads = {p: grad_symbol(graph, self.names, p, s.t, s.k) for p in self.params}
                extra.update(self.meanings(s, {last: node}, grads))
                for v in columns:
                    lhs, value = (node, s.values[v]) if v == last else (grads[v], s.deltas[v])
                    kind = "node" if v == last else "grad"
                    step = value_step("sample_forward" if v == last else "sample_gradient",
                                      lhs, value, extra[lhs], self.places[kind, v])
                    steps.append(replace(step, params={"row": sympy.Integer(s.k),
                                                       "column": heads[v]}))
            blocks.append(Block("training_sample_table" if not start else "",
                                {"samples": ", ".join(str(s.k) for s in samples),
                                 "first": str(first)}, tuple(steps), extra=extra,
                                layout="table"))
        return blocks

    def _head(self, v: Symbol, t: int, kind: str) -> Symbol:
        """A column's name: u_{k}^{(1)}, g_{w_{1},k}^{(1)} (k: the row's sample)."""
        sym = Symbol(f"head_{kind}_{v.name}_{t}")
        self.names[sym] = (grad_latex if kind == "g" else node_latex)(self.graph, v, t, "k")
        return sym

    def _formulas(self, grads: Mapping[Symbol, Symbol]) -> dict[Symbol, sympy.Basic]:
        uses = user_map(self.graph, {*relevant(self.graph, self.params), self.graph.loss})
        return {v: _delta_formula(self.graph, v, uses.get(v, []), grads)
                for v in needed_deltas(self.graph, self.params)}

    def _line(self, rule: str, lhs: Symbol, formula: sympy.Basic,
              canonical: Mapping[sympy.Basic, sympy.Basic],
              shown: Mapping[sympy.Basic, sympy.Basic], value: sympy.Basic,
              exact: sympy.Basic, places: int) -> list[Step]:
        """lhs = (formula with numbers) = / ≈ value; the numbers line left out when it is
        the value itself (a node that copies an input)."""
        # `substitute` builds every node unevaluated itself; no `evaluate(False)` around it,
        # whose results sympy's cache would hand to evaluating code later.
        numbers = substitute(formula, shown, shown=True)
        meant = substitute(formula, canonical)
        last = value_step("arithmetic", None, value, exact, places)
        if isinstance(formula, Symbol) and formula not in canonical:
            # g_b = g_z (a bias): the name, not its number twice (`= −0.2227 ≈ −0.2227`).
            return [Step(rule, formula, lhs=lhs), last]
        if numbers.is_Number:
            return [Step(rule, last.rhs, lhs=lhs, relation=last.relation, value=last.value,
                         digits=places)]
        return [Step(rule, numbers, lhs=lhs, value=meant), last]


def places_of(values: list[sympy.Basic], digits: int) -> int:
    """The decimals of one quantity on the whole sheet: the fewest that give its largest
    value `digits` significant digits (as a table column since issue 15)."""
    known = []
    for v in values:
        x = Decimal(str(sympy.N(v, 45)))
        if x:
            known.append(digits - 1 - Context(prec=digits, rounding=ROUND_HALF_EVEN
                                              ).plus(x).adjusted())
    return max(0, min(known, default=0))
