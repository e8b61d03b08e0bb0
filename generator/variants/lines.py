"""Step 5 of a gradient variant, built and checked without building sympy trees per variant.

The same lines as `numeric.numeric_section` (given values, forward pass, substituted
gradient, decimal), made the fast way for many variants:

- values: each line's value is its template expression (the node's display form, the
  solver's gradient) evaluated with mpmath at 40 digits over the variant's numbers;
  exact rationals (z00 = 3) with Python's Fraction;
- checks: every line against the truth compiled once with `lambdify` (the inlined node,
  `diff` of the inlined loss); a `≈` line against the rounding rule;
- text: LaTeX and sympy strings by filling templates printed once (`generator/variants/slots.py`);
  each printed line is then read back and evaluated over the variant's numbers
  (`generator/variants/reading.py`), so the text, not only its value, is checked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
import sympy
from sympy import Derivative, Symbol

from generator.algebra.numbers import (
    as_decimal,
    decimal_text,
    exact_rational,
    mp_rational,
    mp_value,
)
from generator.algebra.trace import Block, Check, Section, Step
from generator.graph.model import Graph
from generator.graph.values import needed_nodes, values_latex
from generator.solvers.parts.substitution import written_value
from generator.variants.reading import LineReader
from generator.variants.slots import Shown, Slots

Point = Mapping[Symbol, sympy.Rational]
Agree = Callable[[Any, Any, int | None], tuple[bool, str]]


def exact_fraction(expr: sympy.Basic, env: Mapping[Symbol, Fraction]) -> Fraction | None:
    """The exact rational value of `expr` over `env`, or None when it is not rational."""
    if expr.is_Rational:
        return Fraction(int(expr.p), int(expr.q))
    if isinstance(expr, Symbol):
        return env.get(expr)
    if expr.is_Add or expr.is_Mul:
        parts = [exact_fraction(a, env) for a in expr.args]
        if any(p is None for p in parts):
            return None
        total = parts[0]
        for p in parts[1:]:
            total = total + p if expr.is_Add else total * p  # type: ignore[operator]
        return total
    if expr.is_Pow and expr.exp.is_Integer:
        base = exact_fraction(expr.base, env)
        if base is None or (base == 0 and expr.exp < 0):
            return None
        return base ** int(expr.exp)
    return None


@dataclass
class _Env:
    """One variant's numbers so far: mpmath values, exact fractions, LaTeX and text."""

    mp: dict[Symbol, Any]
    fractions: dict[Symbol, Fraction]
    shown: dict[Symbol, tuple[str, str]]  # what a line shows for a leaf or short node
    exact_text: dict[Symbol, str]
    exact_tex: dict[Symbol, tuple[str, str]] = field(default_factory=dict)


@dataclass
class Exact:
    """A variant's answer, exactly: LaTeX and a sympy string (σ written with exp)."""

    latex: str
    text: str


def _over_ones_dropped(expr: sympy.Basic, ones: set[Symbol]) -> sympy.Basic:
    """`expr` without its factors 1/c for constants c = 1, nothing else re-evaluated."""
    if not ones or not expr.args:
        return expr
    args = [_over_ones_dropped(a, ones) for a in expr.args]
    if isinstance(expr, sympy.Mul):
        args = [a for a in args if not (isinstance(a, sympy.Pow) and a.base in ones
                                        and a.exp.is_negative is True)] or [sympy.Integer(1)]
        if len(args) == 1:
            return args[0]
    if args == list(expr.args):
        return expr
    return expr.func(*args, evaluate=False)


class NumericLines:
    """Compiled once per problem; `build(point)` makes one variant's Step 5."""

    def __init__(self, graph: Graph, answers: Mapping[Symbol, sympy.Basic], digits: int,
                 decimals: frozenset[Symbol], slots: Slots,
                 truth: Mapping[sympy.Basic, Callable[..., Any]], agree: Agree) -> None:
        # A constant equal to 1 in a denominator (2/n, n = 1) would print as 2/1: leave it out.
        ones = {c for c, v in graph.constants.items() if v == 1}
        self.graph, self.digits = graph, digits
        self.answers = {var: _over_ones_dropped(expr, ones) for var, expr in answers.items()}
        self.decimals, self.slots, self.truth, self.agree = decimals, slots, truth, agree
        self.nodes = needed_nodes(graph, list(answers.values()))
        self.reader = LineReader(graph.latex, agree)

    def build(self, point: Point, args: list[Any]
              ) -> tuple[Section, list[str], dict[Symbol, Exact]]:
        """Call inside `mpmath.workdps(DPS)`; `args` are the leaf values for `truth`."""
        graph, slots = self.graph, self.slots
        full = {**point, **{s: v for s, v in graph.constants.items() if v.is_Rational}}
        env = _Env(
            mp={s: mp_rational(v) for s, v in full.items()},
            fractions={s: Fraction(int(v.p), int(v.q)) for s, v in full.items()},
            shown={s: slots.value(as_decimal(v) if s in self.decimals else v)
                   for s, v in full.items()},
            exact_text={s: slots.text(v) for s, v in full.items()})
        env.exact_tex = dict(env.shown)
        failures: list[str] = []
        forward = [step for node in self.nodes for step in self._node(node, env, args, failures)]
        blocks = [Block("given_values", {"values": values_latex(
                      graph, point, lambda v: slots.value(v)[0], self.decimals)}),
                  Block("forward_pass", {}, tuple(forward))]
        exact: dict[Symbol, Exact] = {}
        for var, expr in self.answers.items():
            lhs = Derivative(graph.loss, var)
            got, truth = mp_value(expr, env.mp), self.truth[lhs](*args)
            blocks.append(Block("numeric_answer", {"param": var}, (
                self._step("substitution", lhs, slots.fill_strings(expr, env.shown), got, truth,
                           None, failures, env.mp),
                self._approx(got, truth, failures))))
            exact[var] = Exact(slots.fill_strings(expr, env.exact_tex),
                               slots.fill_text_strings(expr, env.exact_text))
        return Section("numeric", tuple(blocks)), failures, exact

    def _node(self, node: Symbol, env: _Env, args: list[Any], failures: list[str]
              ) -> list[Step]:
        """`z00 = 1·2 + … = 3` or `o00 = σ(3) ≈ 0.952574`, checked; updates `env`."""
        slots, expr = self.slots, self.graph.display[node]
        got, truth = mp_value(expr, env.mp), self.truth[node](*args)
        steps = [self._step("substitution", node, slots.fill_strings(expr, env.shown), got,
                            truth, None, failures, env.mp)]
        env.mp[node] = got
        value = _compact(expr, env.fractions)
        # As numeric_section: with data written as 0.5, a terminating result reads −0.5.
        written = written_value(value) if self.decimals and value is not None else value
        if isinstance(value, sympy.Rational):
            env.fractions[node] = Fraction(int(value.p), int(value.q))
            if not isinstance(expr, sympy.Rational | Symbol):
                steps.append(self._step("arithmetic", None, slots.value(written)[0],
                                        mp_value(value, {}), truth, None, failures, env.mp))
        elif value is not None and (closed := exact_rational(value)) is not None:
            # σ(0) = 0.5 exactly, as numeric_section states it.
            shown = written_value(closed) if self.decimals else closed
            steps.append(self._step("arithmetic", None, slots.value(shown)[0],
                                    mp_value(closed, {}), truth, None, failures, env.mp))
        else:
            steps.append(self._approx(got, truth, failures))
        if value is not None:  # short: later lines write it in place of the node
            env.shown[node] = slots.value(written)
            env.exact_tex[node] = slots.value(value)
            env.exact_text[node] = slots.text(value)
        else:
            tex = slots.fill_strings(expr, env.exact_tex)
            env.exact_tex[node] = (tex, rf"\left({tex}\right)")
            env.exact_text[node] = f"({slots.fill_text_strings(expr, env.exact_text)})"
        return steps

    def _approx(self, got: Any, truth: Any, failures: list[str]) -> Step:
        shown = decimal_text(got, self.digits)
        return self._step("approximate", None, shown, mpmath.mpf(shown), truth, self.digits,
                          failures, {})

    def _step(self, rule: str, lhs: sympy.Basic | None, latex: str, got: Any, truth: Any,
              digits: int | None, failures: list[str], values: Mapping[Symbol, Any]) -> Step:
        ok, how = self.agree(got, truth, digits)
        relation = r"\approx" if digits is not None else "="
        if ok:  # the value is right; the text must state it too (`values`: names on it)
            misread = self.reader.check(latex, values, truth, digits)
            ok, how = (True, how) if misread is None else (False, misread)
        if not ok:
            failures.append(f"{lhs if lhs is not None else '…'} {relation} {latex}: {how}")
        # Step.digits stays None: it would reprint the line; this line is already text.
        return Step(rule, Shown(latex), lhs=lhs, relation=relation,
                    check=Check("numeric" if ok else "failed", "mpmath", how))


def _compact(expr: sympy.Basic, fractions: Mapping[Symbol, Fraction]) -> sympy.Basic | None:
    """A node's exact value when short enough to write in its place: 3, -1/2, σ(3)."""
    value = exact_fraction(expr, fractions)
    if value is not None:
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(expr, sympy.Function) and len(expr.args) == 1:
        arg = exact_fraction(expr.args[0], fractions)
        if arg is not None:
            return expr.func(sympy.Rational(arg.numerator, arg.denominator))
    return None
