"""What one problem kind contributes, as hooks that later stages call without knowing the kind.

Each kind module in generator/solvers/ ends with `KIND = Kind(...)` (or `GraphKind`), and
generator/solvers/registry.py names the module. Everything after the solver — variants/,
view/, build/ — asks the registry for the kind's hooks instead of testing the spec's class,
so a kind's rules live in its own module. Hooks take the spec and the graph (never a
Problem: that lives above this module), and return plain values: symbols, numbers,
message keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, Generic, TypeVar

import sympy
from sympy import Symbol

from generator.algebra.instance import Filler
from generator.algebra.trace import Solution
from generator.errors import SpecError
from generator.graph.compiler import compile_graph
from generator.graph.model import Graph
from generator.spec.models import GraphSpec, ProblemBase
from generator.spec.source import Source
from generator.spec.vary import Draw

S = TypeVar("S", bound=ProblemBase)
G = TypeVar("G", bound=GraphSpec)
Point = dict[Symbol, sympy.Rational]
# name usable in `where:` → (answer key, exact answer over the leaves, LaTeX of what is asked)
Answers = dict[str, tuple[str, sympy.Basic, str]]


@dataclass(frozen=True)
class Slotted:
    """A solution written once with slots for a variant's numbers (algebra/instance.py)."""

    solution: Solution
    slots: dict[Symbol, Symbol]  # leaf → the slot its drawn number goes into
    derived: dict[Symbol, sympy.Basic]  # slot → its value over the leaves (z's number)
    # What the solver builds *evaluated* from slots (σ(z) is σ(z), but tanh(−3) becomes
    # −tanh(3)): a variant is substituted only if each, evaluated at its numbers, is what
    # putting them in unevaluated gives; else it is solved in full.
    evaluated: tuple[sympy.Basic, ...] = ()
    bracketed: frozenset[str] = frozenset()  # see Filler

    @cached_property
    def filler(self) -> Filler:
        return Filler(frozenset([*self.slots.values(), *self.derived]), self.bracketed)

    def filled_by(self, filler: Filler) -> Slotted:
        """This template, its slots filled by `filler` (a line-printing one: the variant's
        lines are then made from templates, not built, variants/printed.py)."""
        made = replace(self)
        made.__dict__["filler"] = filler  # cached_property's own place
        return made


class Variants(Generic[G]):
    """How a kind's variants are drawn, solved and shown (docs/variants.md).

    Two ways to solve a variant. By default the solution is derived once with symbols
    and each variant adds a numeric section that substitutes its numbers into ∂loss/∂v
    for the symbols `substituted` names (generator/variants/lines.py). A kind whose
    every line shows numbers sets `solved_in_full` and writes the drawn numbers into its
    spec with `redraw`; each variant is then solved and verified like a problem file.
    """

    solved_in_full = False
    # Key prefixes of the blocks of the solved variant that state its question sheet;
    # None: the model (its nodes) and the drawn values.
    question_blocks: tuple[str, ...] | None = None

    def vary(self, spec: G) -> dict[str, Draw]:
        return spec.vary

    def where(self, spec: G) -> list[str]:
        return spec.where

    def names(self, spec: G, graph: Graph) -> set[str]:
        """What `vary:` may name: every leaf that is not a constant, and arrays whole."""
        leaves = {s.name for s, r in graph.roles.items() if r in ("input", "param", "hyper")}
        return leaves | set(graph.arrays)

    def values(self, spec: G, graph: Graph) -> Point:
        """The numbers the file itself gives (a draw replaces those it varies)."""
        return {}

    def decimals(self, spec: G, graph: Graph) -> frozenset[Symbol]:
        """Leaves the file writes as decimals (shown as 0.7, not 7/10)."""
        return frozenset()

    def answers(self, spec: G, graph: Graph) -> Answers:
        """The numbers a variant asks for, exact over the leaves."""
        raise NotImplementedError

    def check_draws(self, spec: G, source: Source,
                    slots: list[tuple[str, tuple[sympy.Rational, ...]]]) -> list[SpecError]:
        """Errors for values a `vary:` entry may draw but the kind cannot show."""
        return []

    def substituted(self, spec: G, graph: Graph) -> list[Symbol]:
        """The v whose ∂loss/∂v a variant's numeric section works out (not solved_in_full)."""
        raise NotImplementedError

    def redraw(self, spec: G, graph: Graph, point: Point) -> G:
        """The spec with a variant's numbers written in (solved_in_full)."""
        raise NotImplementedError

    def template(self, spec: G, graph: Graph) -> Slotted | None:
        """For a kind solved in full: its solution once with slots, so that a variant is
        only its numbers put in (derive once, substitute per variant); None: every
        variant is solved and verified in full."""
        return None

    def instance(self, spec: G, graph: Graph, slotted: Slotted, point: Point,
                 env: dict[sympy.Basic, sympy.Basic]) -> Solution:
        """The variant at `point` from `template`'s solution, `env` filling its slots:
        what `redraw` + solve would give, line for line. Its `answers` may be left empty:
        the caller states them (variants/answer_templates.py)."""
        raise NotImplementedError

    def task(self, spec: G, graph: Graph) -> tuple[str, dict[str, Any]]:
        """The question sheet's task: a `variants` message key and its parameters.

        A parameter is an expression, or a list of them joined by commas; `digits` is
        added by the sheet.
        """
        raise NotImplementedError


@dataclass(frozen=True)
class GraphFigure:
    """Draw the computation graph with the chain-rule paths to these leaves highlighted."""

    wrt: tuple[sympy.Symbol, ...]


@dataclass(frozen=True)
class PlotFigure:
    """Plot a function of one variable and its first `order` derivatives."""

    definition: sympy.Basic  # in plain sympy (no solgen Function classes)
    variable: sympy.Symbol
    name: str  # the function's LaTeX name, e.g. \\sigma
    label: str  # what it is: sigma, tanh, exp or custom
    order: int


Figure = GraphFigure | PlotFigure


def no_figure(spec: Any, graph: Graph) -> Figure | None:
    return None


def no_question(spec: Any, solution: Solution) -> Solution | None:
    return None


@dataclass(frozen=True)
class Kind(Generic[S]):
    """One `kind:`: its solver and checks, its variants (None: `vary:` is refused) and the
    picture its sheets may show (what to draw; `view/pictures.py` draws it)."""

    name: str
    validate: Callable[[S, Graph, Source], None]
    solve: Callable[[S, Graph], Solution]
    variants: Variants[Any] | None = None
    figure: Callable[[S, Graph], Figure | None] = no_figure
    # What a question sheet shows of a part without `vary:` (a sheet's packets): the part
    # of the solved solution that asks, without what answers; None: only its heading.
    question: Callable[[S, Solution], Solution | None] = no_question

    def graph(self, spec: S, source: Source) -> Graph:
        """The computation graph the solver works on (none for most kinds)."""
        return Graph()


@dataclass(frozen=True)
class GraphKind(Kind[G]):
    """A kind built on a computation graph (`nodes:`, `layers:`, `loss:`)."""

    def graph(self, spec: G, source: Source) -> Graph:
        return compile_graph(spec, source)
