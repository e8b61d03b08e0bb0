"""One variant's solution: the template derived once with symbols, numbers put in per variant.

By default a problem is solved and verified once, with symbols (DESIGN.md: derive once,
substitute per variant). Each variant only adds the numeric section (forward pass and
the substituted answer), and every line of that section is checked here with mpmath at
40 digits against the exact gradient (sympy `diff` of the inlined loss, compiled once).
A kind whose every line shows numbers (`solved_in_full`, e.g. sgd_step) has each
variant solved and verified in full. The kind's hooks (solvers/kind.py) say which.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import mpmath
import sympy
from sympy import Derivative, Symbol

from generator.algebra.numbers import DPS, compile_mp, decimal_text, mp_rational, mp_value
from generator.algebra.printing import SolutionPrinter
from generator.algebra.trace import Solution
from generator.check.verify import Proofs
from generator.check.verify import check as verify_check
from generator.errors import SpecError, SpecErrors
from generator.graph.model import Graph
from generator.solvers import registry
from generator.solvers.kind import Answers
from generator.solvers.problem import Problem
from generator.variants.answer_templates import SubstitutedAnswers
from generator.variants.instances import Instances
from generator.variants.lines import NumericLines
from generator.variants.printed import VariantTexts
from generator.variants.sampler import Sampler, Variant, answer_exprs
from generator.variants.slots import Shown, Slots, plain_text

EPS = mpmath.mpf(10) ** -30
SUBSTITUTE_AFTER = 3  # variants of a class solved in full before the template is proved


@dataclass(frozen=True)
class Answer:
    key: str  # as in the solution's answers: "Derivative(MSE, w11)", "b^(1)"
    exact: sympy.Basic | None  # the exact number (SGD); gradients keep only its strings
    value: Any  # mpmath value at DPS digits
    digits: int
    label: str  # LaTeX of what is asked: \frac{∂MSE}{∂w_{11}}, b^{(1)}
    latex: str  # LaTeX of the exact value
    sympy_text: str  # what plain `sympy.sympify` reads back as the exact value

    @property
    def decimal(self) -> str:
        return decimal_text(self.value, self.digits)


@dataclass(frozen=True)
class Solved:
    variant: Variant
    solution: Solution
    answers: tuple[Answer, ...]
    failures: tuple[str, ...]  # steps whose check failed (empty when all is well)
    extra_steps: int  # steps checked for this variant alone
    # False: the lines are instances of a template proved once (variants/instances.py);
    # their numbers were checked as numbers, so the sheet does not read them back.
    read_back: bool = True
    # A substituted variant's numbers in the template's slots (its lines are printed
    # from the line templates, variants/printed.py); None when solved in full.
    slots: Mapping[sympy.Basic, sympy.Basic] | None = None


class Template:
    """Everything a variant reuses: the symbolic solution and compiled truths."""

    def __init__(self, problem: Problem, sampler: Sampler) -> None:
        self.problem = problem
        self.hooks = sampler.hooks
        self.args = sampler.args
        self.decimals = sampler.decimals
        graph = problem.graph
        self.digits = getattr(problem.spec, "precision", 6)
        self.tex = SolutionPrinter(graph.latex).doprint
        self.slots = Slots(graph.latex, self.tex)
        answers = answer_exprs(problem)
        self._check_numbers(answers)
        _check_draws(sampler, problem)
        self.truth: dict[str, tuple[sympy.Basic, Callable[..., Any]]] = {
            key: (expr, compile_mp(self.args, expr)) for key, expr, _ in answers.values()}
        self.labels = {key: label for key, _, label in answers.values()}
        self.node_truth = {n: compile_mp(self.args, graph.inline(n)) for n in graph.nodes}
        self.lines = self._lines(graph)
        self.proofs = Proofs(graph)  # symbolic lines proved once for every variant
        self._instances: Instances | None = None
        self._tried = False  # whether the slotted template was made (lazily, see below)
        self._texts: VariantTexts | None = None
        self._answers: SubstitutedAnswers | None = None
        self.in_full = 0  # variants solved in full so far
        # The symbolic part: the solution without a numeric section of the base values.
        sections = tuple(s for s in problem.solution.sections if s.key != "numeric")
        self.symbolic = replace(problem.solution, sections=sections)
        # The variant's numeric section keeps the base's heading (its step number).
        self.numeric_params = next((s.params for s in problem.solution.sections
                                    if s.key == "numeric"), {})

    def _lines(self, graph: Graph) -> NumericLines | None:
        if self.hooks.solved_in_full:
            return None
        answers = self.problem.solution.answers
        by_param = {v: answers[str(Derivative(graph.loss, v))]
                    for v in self.hooks.substituted(self.problem.spec, graph)}
        truth: dict[sympy.Basic, Callable[..., Any]] = dict(self.node_truth)
        truth.update({Derivative(graph.loss, v): self.truth[str(Derivative(graph.loss, v))][1]
                      for v in by_param})
        return NumericLines(graph, by_param, self.digits, self.decimals, self.slots, truth,
                            _agree)

    @property
    def instances(self) -> Instances | None:
        """A kind solved in full that writes its solution once with slots: proved here once,
        then each variant is substituted (None: each is solved and verified in full)."""
        if not self._tried:
            self.instances = self._make_instances()
        return self._instances

    @instances.setter
    def instances(self, value: Instances | None) -> None:
        self._tried, self._instances, self._texts, self._answers = True, value, None, None
        if value is not None:  # its variants' lines are printed from line templates
            self._texts = VariantTexts(value.slotted, {**self.problem.graph.latex,
                                                       **value.slotted.solution.names})
            value.fill = self._texts.slotted

    @property
    def texts(self) -> VariantTexts | None:
        """The printed lines of substituted variants (None: no template was proved)."""
        return self._texts if self.instances is not None else None

    @property
    def answer_templates(self) -> SubstitutedAnswers | None:
        """The exact answers of substituted variants (None: no template was proved)."""
        if self._answers is None and self.instances is not None:
            self._answers = SubstitutedAnswers(
                {key: expr for key, (expr, _) in self.truth.items()},
                self.instances.slotted.derived, frozenset([*self.args,
                                                           *self.instances.slotted.derived]),
                self.tex, plain_text)
        return self._answers

    def _make_instances(self) -> Instances | None:
        if not self.hooks.solved_in_full:
            return None
        slotted = self.hooks.template(self.problem.spec, self.problem.graph)
        if slotted is None:
            return None
        found = Instances(slotted, self.problem.spec, self.problem.graph, self.hooks,
                          self.proofs, list(self.args), _agree)
        return found if found.proved else None

    def _check_numbers(self, answers: Answers) -> None:
        known = set(self.args)
        for key, expr, _ in answers.values():
            missing = sorted(s.name for s in expr.free_symbols if s not in known)
            if missing:
                source = self.problem.source
                raise SpecErrors([SpecError(source.at(("vary",)), f"{key} still depends on "
                                            f"{', '.join(missing)}: a variant needs numbers",
                                            "give them under values: (data:/init:/lr:) or "
                                            "vary:")])

    def solve(self, variant: Variant) -> Solved:
        if self.hooks.solved_in_full:
            return self._in_full(variant)
        return self._substituted(variant)

    def _args(self, point: dict[Symbol, sympy.Rational]) -> list[Any]:
        return [mp_rational(point[s]) for s in self.args]

    def _substituted(self, variant: Variant) -> Solved:
        point = variant.drawn.point
        leaves = {s: v for s, v in point.items()
                  if self.problem.graph.roles.get(s) != "constant"}
        with mpmath.workdps(DPS):
            args = self._args(point)
            assert self.lines is not None  # made unless solved_in_full
            section, failures, exact = self.lines.build(leaves, args)
            section = replace(section, params=self.numeric_params)
            answers = []
            for var in exact:
                key = str(Derivative(self.problem.graph.loss, var))
                answers.append(Answer(key, None, self.truth[key][1](*args), self.digits,
                                      self.labels[key], exact[var].latex, exact[var].text))
        solution = replace(self.symbolic, sections=(*self.symbolic.sections, section),
                           answers={a.key: Shown(a.sympy_text) for a in answers})
        steps = sum(len(b.steps) for b in section.blocks)
        return Solved(variant, solution, tuple(answers), tuple(failures), steps)

    def _answer(self, key: str, exact: sympy.Basic, value: Any, latex: str | None = None,
                text: str | None = None) -> Answer:
        return Answer(key, exact, value, self.digits, self.labels[key],
                      self.tex(exact) if latex is None else latex,
                      plain_text(exact) if text is None else text)

    def _in_full(self, variant: Variant) -> Solved:
        graph, point = self.problem.graph, variant.drawn.point
        # The first variants are solved in full: a class of one or two does not pay for
        # proving the template (~0.1 s), which pays off from a handful of variants on.
        instances = self.instances if self.in_full >= SUBSTITUTE_AFTER else None
        made = instances.solve(point) if instances is not None else None
        if made is not None:
            solution, failures = made[0], list(made[1])
        else:
            varied = self.hooks.redraw(self.problem.spec, graph, point)
            solution, failed = verify_check(registry.solve(varied, graph), graph,
                                            self.proofs)
            failures = [f"step {i} ({st.rule}): {st.check.detail if st.check else ''}"
                        for i, st in failed]
            self.in_full += 1
        with mpmath.workdps(DPS):
            args = self._args(point)
            if made is not None:
                answers, solution = self._substituted_answers(point, made[2], args, failures,
                                                              solution)
            else:
                answers = tuple(self._answer(key, solution.answers[key],
                                             self.truth[key][1](*args)) for key in self.truth)
                for a in answers:  # the solver's exact answer against the compiled truth
                    ok, how = _agree(mp_value(solution.answers[a.key], {}), a.value, None)
                    if not ok:
                        failures.append(f"answer {a.key}: {how}")
        return Solved(variant, solution, answers, tuple(failures), len(solution.steps()),
                      made is None, made[2] if made is not None else None)

    def _substituted_answers(self, point: Mapping[Symbol, sympy.Rational],
                             env: Mapping[sympy.Basic, sympy.Basic], args: list[Any],
                             failures: list[str], solution: Solution
                             ) -> tuple[tuple[Answer, ...], Solution]:
        """A substituted variant's exact answers from the answer templates, each checked
        at 40 digits against the truth compiled over the drawn leaves."""
        made = self.answer_templates
        assert made is not None  # there are instances
        values = {**point, **env}
        answers = []
        for key in self.truth:
            latex, text, got = made.answer(key, values)
            truth = self.truth[key][1](*args)
            ok, how = _agree(got, truth, None)
            if not ok:
                failures.append(f"answer {key}: {how}")
            answers.append(Answer(key, None, truth, self.digits, self.labels[key], latex,
                                  text))
        shown = {a.key: Shown(a.sympy_text) for a in answers}
        return tuple(answers), replace(solution, answers=shown)


def _check_draws(sampler: Sampler, problem: Problem) -> None:
    """Refuse, before any draw, values the kind cannot show (e.g. 1/3 in an SGD step)."""
    slots = [(slot.name, slot.values) for slot in sampler.slots]
    errors = sampler.hooks.check_draws(problem.spec, problem.source, slots)
    if errors:
        raise SpecErrors(errors)


def _agree(got: Any, truth: Any, digits: int | None) -> tuple[bool, str]:
    if digits is None:
        ok = abs(got - truth) <= EPS * (1 + abs(truth))
        return ok, ("agrees to 30 digits" if ok else
                    f"{mpmath.nstr(got, 15)} ≠ {mpmath.nstr(truth, 15)}")
    # `digits` are decimal places: half a unit in the last place, as verify.rounded.
    ok = abs(got - truth) <= mpmath.mpf(10) ** -digits / 2 * (1 + EPS)
    return ok, (f"correctly rounded to {digits} decimals" if ok else
                f"{mpmath.nstr(got, 15)} is not {mpmath.nstr(truth, 15)} rounded to "
                f"{digits} decimals")


