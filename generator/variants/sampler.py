"""Variants: draw the numbers of `vary:`, keep the draws that satisfy `where:`.

Variant k of problem P under base seed S draws from `random.Random(seed)` with
seed = sha256(S, P, k): the same numbers whatever N is, whatever else is built, and
whatever PYTHONHASHSEED is. A draw that breaks a `where:` condition is thrown away
and drawn again (rejection sampling), at most MAX_TRIES times per variant.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import mpmath
import sympy
from sympy import Symbol

from generator.algebra.expr import ExprError, parse_condition
from generator.algebra.numbers import DPS, compile_mp, mp_rational, number
from generator.errors import SpecError, SpecErrors
from generator.graph.model import Graph
from generator.solvers import registry
from generator.solvers.kind import Answers, Point
from generator.solvers.problem import Problem
from generator.spec.source import Source
from generator.spec.vary import MAX_CANDIDATES, Draw

T = TypeVar("T")

MAX_TRIES = 1000  # draws per variant before giving up on `where:`


def variant_seed(base: int, problem_id: str, key: str) -> int:
    """A stable 64-bit seed for one variant (`key` is "5" or "student:B0123")."""
    text = f"solgen-variant\0{base}\0{problem_id}\0{key}"
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def candidates(draw: Draw) -> list[sympy.Rational]:
    """Every value a draw can take, in a fixed order (drawn uniformly)."""
    if draw.int_ is not None:
        lo, hi = draw.int_
        if (hi - lo) // draw.step >= MAX_CANDIDATES:
            raise ExprError(f"more than {MAX_CANDIDATES} values", "use a larger step")
        values = [sympy.Integer(v) for v in range(lo, hi + 1, draw.step)]
    elif draw.decimal is not None:
        scale = 10**draw.digits
        lo_k = math.ceil(number(draw.decimal[0]) * scale)
        hi_k = math.floor(number(draw.decimal[1]) * scale)
        if hi_k - lo_k >= MAX_CANDIDATES:
            raise ExprError(f"more than {MAX_CANDIDATES} values", "use fewer digits")
        values = [sympy.Rational(k, scale) for k in range(lo_k, hi_k + 1)]
    elif draw.fraction is not None:
        (n0, n1), (d0, d1) = draw.fraction.num, draw.fraction.den
        if (n1 - n0 + 1) * (d1 - d0 + 1) > MAX_CANDIDATES:
            raise ExprError(f"more than {MAX_CANDIDATES} values", "use smaller ranges")
        values = sorted({sympy.Rational(n, d) for n in range(n0, n1 + 1)
                         for d in range(d0, d1 + 1)})
    else:
        values = list(dict.fromkeys(number(v) for v in draw.choice or []))
    excluded = {number(v) for v in draw.exclude} | ({sympy.Integer(0)} if draw.nonzero else set())
    kept = [v for v in values if v not in excluded]
    if not kept:
        raise ExprError("no value is left to draw", "widen the range or exclude less")
    return kept


@dataclass(frozen=True)
class Slot:
    """One `vary:` entry: the symbols it fills (an array fills each element) and values."""

    name: str
    symbols: tuple[Symbol, ...]
    values: tuple[sympy.Rational, ...]
    decimal: bool = False  # drawn as decimals: shown as 0.7, not 7/10


@dataclass(frozen=True)
class Condition:
    index: int
    text: str
    where: Any  # Location of the `where:` item
    holds: Callable[[list[Any]], bool]  # compiled: leaf values (mpmath) → does it hold?


EPS = mpmath.mpf(10) ** -25  # differences are evaluated at DPS digits; below this, equal
_OPS: dict[str, Callable[[Any], bool]] = {
    "==": lambda d: bool(abs(d) <= EPS), "!=": lambda d: bool(abs(d) > EPS),
    "<": lambda d: bool(d < -EPS), "<=": lambda d: bool(d <= EPS),
    ">": lambda d: bool(d > EPS), ">=": lambda d: bool(d >= -EPS),
}


def _compile(formula: Any, side: Callable[[Any], Callable[..., Any]]
             ) -> Callable[[list[Any]], bool]:
    """A sympy Boolean as a Python function (and/or short-circuit, no sympy per draw)."""
    if isinstance(formula, sympy.And | sympy.Or):
        parts = [_compile(a, side) for a in formula.args]
        join = all if isinstance(formula, sympy.And) else any
        return lambda args: join(p(args) for p in parts)
    if isinstance(formula, sympy.Not):
        inner = _compile(formula.args[0], side)
        return lambda args: not inner(args)
    if formula in (sympy.true, sympy.false):
        return lambda args: bool(formula)
    fn, op = side(formula), _OPS[formula.rel_op]
    return lambda args: op(fn(*args))


@dataclass
class Drawn:
    point: Point  # every leaf with a number: fixed values and drawn ones
    drawn: tuple[tuple[Symbol, sympy.Rational], ...]  # the varied symbols, in `vary:` order
    tries: int

    @property
    def identity(self) -> tuple[sympy.Rational, ...]:
        return tuple(v for _, v in self.drawn)


@dataclass
class Tally:
    """How often each condition rejected a draw (for errors and `solgen stress`)."""

    tries: int = 0
    accepted: int = 0
    rejected: dict[int, int] = field(default_factory=dict)


def answer_exprs(problem: Problem) -> Answers:
    """{name usable in `where:`: (answer key, exact answer over leaves, its LaTeX name)}."""
    return registry.variants(problem.spec).answers(problem.spec, problem.graph)


class Sampler:
    """Compiled once per problem: slots, fixed values and conditions; `sample(seed)` is fast."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        spec, graph, source = problem.spec, problem.graph, problem.source
        self.hooks = registry.variants(spec)
        self.tally = Tally()
        self.base = _fixed_values(problem)
        self.slots = _slots(self.hooks.vary(spec), graph, source, problem)
        self.args = sorted({*self.base, *(s for sl in self.slots for s in sl.symbols)},
                           key=lambda s: s.name)
        self.answers = answer_exprs(problem)
        self.conditions = _conditions(problem, self.answers, self.args)
        given = self.hooks.decimals(spec, graph)
        redrawn = {s for sl in self.slots for s in sl.symbols}
        self.decimals = frozenset({*(given - redrawn), *(s for sl in self.slots if sl.decimal
                                                         for s in sl.symbols)})

    def space(self) -> int:
        """How many different draws there are before `where:` (the uniqueness bound)."""
        return math.prod(len(sl.values) ** len(sl.symbols) for sl in self.slots)

    def sample(self, seed: int) -> Drawn:
        """Draw until every condition holds; raise SpecErrors after MAX_TRIES draws."""
        rng = random.Random(seed)
        for tries in range(1, MAX_TRIES + 1):
            drawn = tuple((sym, rng.choice(sl.values)) for sl in self.slots for sym in sl.symbols)
            point = {**self.base, **dict(drawn)}
            self.tally.tries += 1
            if self.accepts(point):
                self.tally.accepted += 1
                return Drawn(point, drawn, tries)
        raise self.impossible(seed)

    def accepts(self, point: Point) -> bool:
        """Does every `where:` condition hold at `point` (tallied)?"""
        if not self.conditions:
            return True
        with mpmath.workdps(DPS):
            args = [mp_rational(point[s]) for s in self.args]
            for cond in self.conditions:
                if not cond.holds(args):
                    self.tally.rejected[cond.index] = self.tally.rejected.get(cond.index, 0) + 1
                    return False
        return True

    def rejection_rates(self, seed: int, draws: int = MAX_TRIES) -> dict[int, int]:
        """How many of `draws` fresh draws each condition rejects, all tried on every draw."""
        rng = random.Random(seed)
        counts = {c.index: 0 for c in self.conditions}
        with mpmath.workdps(DPS):
            for _ in range(draws):
                point = {**self.base, **{sym: rng.choice(sl.values) for sl in self.slots
                                         for sym in sl.symbols}}
                args = [mp_rational(point[s]) for s in self.args]
                for cond in self.conditions:
                    counts[cond.index] += not cond.holds(args)
        return counts

    def impossible(self, seed: int) -> SpecErrors:
        """The error of a draw that never met `where:`, naming the worst condition."""
        # Draws stop at the first failed condition; to name the culprit fairly, try
        # every condition on the same number of fresh draws.
        counts = self.rejection_rates(seed)
        worst = max(self.conditions, key=lambda c: counts[c.index])
        t = self.tally
        rate = 100 * t.accepted / t.tries if t.tries else 0.0
        return SpecErrors([SpecError(
            worst.where, f"no draw satisfied the conditions in {MAX_TRIES} tries; "
            f"`{worst.text}` alone rejects {counts[worst.index]} of {MAX_TRIES} draws "
            f"(acceptance rate {rate:.1f}% over all {t.tries} draws)",
            "loosen this condition or change the ranges under vary:")])


def _fixed_values(problem: Problem) -> Point:
    spec, graph = problem.spec, problem.graph
    point: Point = {s: v for s, v in graph.constants.items() if v.is_Rational}
    point.update(registry.variants(spec).values(spec, graph))
    return point


def _slots(vary: dict[str, Draw], graph: Graph, source: Source, problem: Problem) -> list[Slot]:
    allowed = registry.variants(problem.spec).names(problem.spec, graph)
    slots: list[Slot] = []
    errors: list[SpecError] = []
    for name, draw in vary.items():
        if name not in allowed:
            errors.append(SpecError(source.at(("vary", name)), f"{name!r} cannot be varied",
                                    "vary: names " + ", ".join(sorted(allowed))))
            continue
        try:
            values = tuple(candidates(draw))
        except ExprError as exc:
            errors.append(SpecError(source.at(("vary", name)), exc.message, exc.hint))
            continue
        symbols = tuple(graph.arrays[name].values()) if name in graph.arrays else (
            graph.names[name],)
        slots.append(Slot(name, symbols, values, draw.decimal is not None))
    if errors:
        raise SpecErrors(errors)
    return slots


def _conditions(problem: Problem, answers: Answers,
                args: list[Symbol]) -> list[Condition]:
    spec, graph, source = problem.spec, problem.graph, problem.source
    names: dict[str, sympy.Basic] = {**graph.names,
                                     **{n: Symbol(f"_answer_{n}") for n in answers}}
    by_answer = {Symbol(f"_answer_{n}"): e for n, (_, e, _) in answers.items()}
    out: list[Condition] = []
    errors: list[SpecError] = []
    for i, text in enumerate(registry.variants(spec).where(spec)):
        where = source.at(("where", i))
        try:
            formula = parse_condition(text, names)
        except ExprError as exc:
            errors.append(SpecError(where, exc.message, exc.hint))
            continue
        missing = sorted({s.name for s in graph.inline(formula.xreplace(by_answer)).free_symbols
                          if s not in set(args)})
        if missing:
            errors.append(SpecError(where, f"{', '.join(missing)} has no number",
                                    "give it under values: (or data:/init:) or vary:"))
            continue

        def side(rel: Any) -> Callable[..., Any]:
            return compile_mp(args, graph.inline((rel.lhs - rel.rhs).xreplace(by_answer)))

        out.append(Condition(i, str(text), where, _compile(formula, side)))
    if errors:
        raise SpecErrors(errors)
    return out


@dataclass(frozen=True)
class Variant:
    label: str  # "v005" or the student id: names the files
    key: str  # what the seed was made from: "5" or "student:B0123"
    seed: int
    drawn: Drawn
    student: str | None = None
    name: str | None = None


class SpaceTooSmall(SpecErrors):
    pass


def numbered(sampler: Sampler, base_seed: int, count: int) -> list[Variant]:
    """Variants 1…count, skipping a k whose draw repeats an earlier one."""
    pid = sampler.problem.spec.id
    _room(sampler, count)
    out: list[Variant] = []
    seen: set[tuple[sympy.Rational, ...]] = set()
    k = 0
    while len(out) < count:
        k += 1
        if k > 20 * count + 100:
            raise _too_small(sampler, f"found only {len(out)} different variants in {k - 1} "
                             f"draws, fewer than the {count} asked for")
        seed = variant_seed(base_seed, pid, str(k))
        drawn = sampler.sample(seed)
        if drawn.identity in seen:
            continue
        seen.add(drawn.identity)
        out.append(Variant(f"v{k:03d}", str(k), seed, drawn))
    return out


def for_students(sampler: Sampler, base_seed: int,
                 students: Iterable[tuple[str, str]]) -> list[Variant]:
    """One variant per student, seeded by the id: adding students never changes others.

    A student whose draw repeats an earlier student's draws again (key `student:id:2`, …);
    earlier rows are never changed, so appending to the roster is safe.
    """
    pid = sampler.problem.spec.id
    roster = list(students)
    _room(sampler, len(roster))
    return [Variant(student, key, seed, drawn, student, name)
            for student, name, key, seed, drawn in per_student(
                roster, lambda key: variant_seed(base_seed, pid, key), sampler.sample,
                lambda drawn: drawn.identity,
                lambda student: _too_small(sampler, f"no new variant left for student {student}"))]


def per_student(roster: list[tuple[str, str]], seed_of: Callable[[str], int],
                sample: Callable[[int], T], identity: Callable[[T], Hashable],
                no_room: Callable[[str], Exception]) -> list[tuple[str, str, str, int, T]]:
    """(student, name, key, seed, draw) per roster row, each seeded by its key: a draw that
    repeats an earlier student's is drawn again under `student:id:2`, … (up to 100 tries,
    then `no_room(student)`). A problem's variants and a sheet's packets both draw so."""
    out: list[tuple[str, str, str, int, T]] = []
    seen: set[Hashable] = set()
    for student, name in roster:
        for attempt in range(1, 101):
            key = f"student:{student}" + (f":{attempt}" if attempt > 1 else "")
            seed = seed_of(key)
            drawn = sample(seed)
            if identity(drawn) not in seen:
                break
        else:
            raise no_room(student)
        seen.add(identity(drawn))
        out.append((student, name, key, seed, drawn))
    return out


def _room(sampler: Sampler, count: int) -> None:
    space = sampler.space()
    if count > space:
        raise _too_small(sampler, f"vary: allows only {space} different draws, "
                         f"fewer than the {count} variants asked for")


def _too_small(sampler: Sampler, message: str) -> SpaceTooSmall:
    return SpaceTooSmall([SpecError(sampler.problem.source.at(("vary",)), message,
                                    "widen the ranges under vary: or ask for fewer variants")])
