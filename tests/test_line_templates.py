"""Substituted SGD variants printed from templates (variants/line_templates.py,
variants/answer_templates.py) print and state what sympy prints and evaluates.

Every slot line of 400 SGD variants, with and without decimal data, is compared with
sympy's printer on the tree the line stands for; every exact answer with sympy's
evaluation of the answer's formula at the variant's numbers, and its value at 40 digits
with mpmath finite differences of the loss (independent of the solver's formulas). A
template filled wrongly (two slots swapped) is caught by the first comparison of its
class, which then prints in full for good.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
import sympy
from conftest import ROOT

from generator.algebra.numbers import DPS
from generator.algebra.printing import SolutionPrinter
from generator.build.outputs import prepare_all
from generator.variants import answer_templates, line_templates
from generator.variants.lines import exact_fraction
from generator.variants.printed import Filled
from generator.variants.sampler import Sampler, numbered
from generator.variants.slots import plain_text
from generator.variants.solution import SUBSTITUTE_AFTER, Template

SGD = ROOT / "problems" / "week1-sgd-step-variants.yaml"


def _template() -> tuple[Template, Sampler]:
    problem = prepare_all([SGD])[0]
    sampler = Sampler(problem)
    template = Template(problem, sampler)
    assert template.instances is not None
    return template, sampler


def _envs(template: Template, sampler: Sampler, count: int
          ) -> list[dict[sympy.Basic, sympy.Basic]]:
    assert template.instances is not None
    slotted = template.instances.slotted
    envs = []
    for variant in numbered(sampler, 11, count):
        point = variant.drawn.point
        env: dict[sympy.Basic, sympy.Basic] = {slot: point[leaf]
                                               for leaf, slot in slotted.slots.items()}
        fractions = {s: Fraction(int(v.p), int(v.q)) for s, v in point.items()}
        for slot, meaning in slotted.derived.items():
            value = exact_fraction(meaning, fractions)
            assert value is not None
            env[slot] = sympy.Rational(value.numerator, value.denominator)
        envs.append({**point, **env})
    return envs


def _lines(template: Template) -> list[tuple[sympy.Basic, bool]]:
    assert template.instances is not None
    slotted = template.instances.slotted
    return [(e, block.key in slotted.bracketed) for block in slotted.solution.sections[0].blocks
            for st in block.steps for e in (st.lhs, st.rhs)
            if e is not None and slotted.filler.has(e)]


@pytest.mark.parametrize("decimal_data", [True, False])
def test_every_slot_line_prints_as_sympy_prints_its_tree(decimal_data: bool) -> None:
    template, sampler = _template()
    assert template.texts is not None and template.instances is not None
    printer = SolutionPrinter({**template.problem.graph.latex,
                               **template.instances.slotted.solution.names},
                              decimal_data=decimal_data)
    filler, lines = template.instances.slotted.filler, template.texts.lines
    shapes = _lines(template)
    assert len(shapes) == 6  # z's sum, z, σ(z), ∇θh, θ¹ substituted and by component
    compared = 0
    for env in _envs(template, sampler, 400):
        for shape, bracket in shapes:
            want = printer.doprint(filler.expr(shape, env, bracket))
            assert lines.text(shape, env, bracket, decimal_data) == want
            compared += 1
    assert compared == 2400
    # ≈ 15 units a variant (terms, entries, products) meet ≈ 225 classes in 400 variants:
    # the templates are reused, and none was refused.
    assert 0 < lines.learnt < 300 and lines.refused == 0


def test_a_filled_line_printed_otherwise_prints_its_tree() -> None:
    template, sampler = _template()
    assert template.texts is not None and template.instances is not None
    filler = template.instances.slotted.filler
    env = _envs(template, sampler, 1)[0]
    shape, bracket = _lines(template)[0]
    filled = Filled(shape, env, bracket, template.texts.lines)
    printer = SolutionPrinter(template.problem.graph.latex, decimal_data=True)
    tree = filler.expr(shape, env, bracket)
    assert printer.doprint(filled) == printer.doprint(tree)
    assert filled.text(True) == printer.doprint(tree)


def test_a_slot_swapped_in_a_line_template_is_caught_and_printed_in_full(
        monkeypatch: pytest.MonkeyPatch) -> None:
    real = line_templates.LinePrinter._template

    def swapped(self: line_templates.LinePrinter, unit: object, fill: object) -> object:
        pieces = real(self, unit, fill)  # type: ignore[arg-type]
        if pieces is None:
            return None
        # The first two numbers' places exchanged: w₁x₁ would print x₁w₁.
        slots = [p for p in pieces if isinstance(p, tuple) and p[0] == "S"]
        if len(slots) < 2 or slots[0] == slots[1]:
            return pieces
        a, b = slots[0], slots[1]
        return tuple(b if p == a else a if p == b else p for p in pieces)

    monkeypatch.setattr(line_templates.LinePrinter, "_template", swapped)
    template, sampler = _template()
    assert template.texts is not None and template.instances is not None
    printer = SolutionPrinter(template.problem.graph.latex, decimal_data=True)
    filler, lines = template.instances.slotted.filler, template.texts.lines
    for env in _envs(template, sampler, 60):
        for shape, bracket in _lines(template):
            want = printer.doprint(filler.expr(shape, env, bracket))
            assert lines.text(shape, env, bracket, True) == want
    # w₁·x₁ and w₂·x₂ (two numbers, distinct stand-ins): refused whenever both show.
    assert lines.refused > 0


def _loss_gradient(template: Template, point: dict[sympy.Basic, sympy.Basic],
                   leaf: sympy.Symbol) -> mpmath.mpf:
    """∂L/∂leaf at `point` by a central difference at 60 digits (no formula of the solver)."""
    graph = template.problem.graph
    loss = graph.inline(graph.loss)
    fn = sympy.lambdify(sorted(loss.free_symbols, key=str), loss, "mpmath")
    names = sorted(loss.free_symbols, key=str)
    with mpmath.workdps(60):
        def at(shift: mpmath.mpf) -> mpmath.mpf:
            values = [mpmath.mpf(int(point[s].p)) / int(point[s].q) + (shift if s == leaf else 0)
                      for s in names]
            return fn(*values)
        step = mpmath.mpf(10) ** -20
        return (at(step) - at(-step)) / (2 * step)


def test_every_exact_answer_is_sympys_and_agrees_with_finite_differences() -> None:
    template, sampler = _template()
    made = template.answer_templates
    assert made is not None and made.usable
    lr = sympy.Rational(str(template.problem.spec.lr))
    for env in _envs(template, sampler, 300):
        for key, formula in made.formulas.items():
            with mpmath.workdps(DPS):
                latex, text, value = made.answer(key, env)
            exact = formula.xreplace(env)
            assert (latex, text) == (template.tex(exact), plain_text(exact))
            leaf = template.problem.graph.names[key.removesuffix("^(1)")]
            with mpmath.workdps(60):
                start = mpmath.mpf(int(env[leaf].p)) / int(env[leaf].q)
                rate = mpmath.mpf(int(lr.p)) / int(lr.q)
                want = start - rate * _loss_gradient(template, env, leaf)
                assert abs(value - want) < mpmath.mpf(10) ** -35, (key, env)


def test_a_slot_swapped_in_an_answer_template_is_caught(
        monkeypatch: pytest.MonkeyPatch) -> None:
    real = answer_templates.AnswerTemplates._cut

    def swapped(self: answer_templates.AnswerTemplates, text: str, stand: object,
                which: int) -> object:
        pieces = real(self, text, stand, which)  # type: ignore[arg-type]
        if pieces is None:
            return None
        holes = sorted({p for p in pieces if isinstance(p, int)})
        if len(holes) < 2:
            return pieces
        a, b = holes[0], holes[1]
        return tuple(b if p == a else a if p == b else p for p in pieces)

    monkeypatch.setattr(answer_templates.AnswerTemplates, "_cut", swapped)
    template, sampler = _template()
    made = template.answer_templates
    assert made is not None
    for env in _envs(template, sampler, 40):
        for key, formula in made.formulas.items():
            exact = formula.xreplace(env)
            assert made.answer(key, env)[:2] == (template.tex(exact), plain_text(exact))
    refused = [c for t in made.templates.values() for c, v in t._templates.items() if v is None]
    assert refused  # z and b (both shown as they are) swapped: every such class refused


def test_substituted_variants_are_made_from_the_fourth_on() -> None:
    template, sampler = _template()
    solved = [template.solve(v) for v in numbered(sampler, 3, SUBSTITUTE_AFTER + 3)]
    assert [s.slots is not None for s in solved] == [False] * SUBSTITUTE_AFTER + [True] * 3
    for s in solved[SUBSTITUTE_AFTER:]:
        assert not s.failures
        lines = [st.rhs for st in s.solution.steps() if isinstance(st.rhs, Filled)]
        assert len(lines) == 6  # no slot line was built as a tree
