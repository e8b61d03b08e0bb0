"""SGD variants by substitution (variants/instances.py) print what variants solved in full print.

Each variant is made both ways in one process: substituted into the template proved once,
and (with the template switched off) redrawn, solved and verified in full as before issue
16. Every sheet, in both languages and in Markdown and LaTeX, must be the same bytes; the
answers and the counts of proved/numeric lines too. Problems other than the built-in one
take the other branches of the SGD solver (a loss that is not (t − out)², tanh, decimals).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy
from conftest import ROOT, variant_sheets

from generator.build.outputs import prepare_all
from generator.variants.sampler import Sampler, numbered
from generator.variants.solution import SUBSTITUTE_AFTER, Solved, Template
from generator.view.model import check_counts

SGD = ROOT / "problems" / "week1-sgd-step-variants.yaml"


def _problem(tmp_path: Path, replacements: dict[str, str]) -> Path:
    text = SGD.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "sgd.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _both_ways(path: Path, count: int) -> tuple[list[Solved], list[Solved], Template]:
    problem = prepare_all([path])[0]
    sampler = Sampler(problem)
    template = Template(problem, sampler)
    assert template.instances is not None  # the template was proved: variants substitute
    template.in_full = SUBSTITUTE_AFTER  # substitute from the first variant on
    variants = numbered(sampler, 5, count)
    substituted = [template.solve(v) for v in variants]
    instances, template.instances = template.instances, None
    in_full = [template.solve(v) for v in variants]
    # tanh(−3) evaluates to −tanh(3): such a variant is solved in full (Slotted.evaluated).
    assert any(not s.read_back for s in substituted) and all(s.read_back for s in in_full)
    template.instances = instances
    return substituted, in_full, template


def _same(path: Path, count: int) -> list[Solved]:
    substituted, in_full, template = _both_ways(path, count)
    assert [s.failures for s in substituted] == [() for _ in substituted]
    assert [s.failures for s in in_full] == [() for _ in in_full]
    for a, b in zip(substituted, in_full, strict=True):
        assert [(x.key, x.latex, x.sympy_text, x.decimal) for x in a.answers] == [
            (x.key, x.latex, x.sympy_text, x.decimal) for x in b.answers]
        assert check_counts(a.solution) == check_counts(b.solution)
        assert [st.check.status for st in a.solution.steps() if st.check] == [
            st.check.status for st in b.solution.steps() if st.check]
    mine, theirs = variant_sheets(template, substituted), variant_sheets(template, in_full)
    assert len(mine) == 8 * count
    assert [i for i, (x, y) in enumerate(zip(mine, theirs, strict=True)) if x != y] == []
    return substituted


def test_substituted_sgd_variants_print_the_bytes_of_variants_solved_in_full() -> None:
    solved = _same(SGD, 120)
    assert all(not s.read_back for s in solved)  # σ never evaluates: every one substituted


def test_a_class_substitutes_after_its_first_variants() -> None:
    problem = prepare_all([SGD])[0]
    sampler = Sampler(problem)
    template = Template(problem, sampler)
    solved = [template.solve(v) for v in numbered(sampler, 5, SUBSTITUTE_AFTER + 2)]
    assert [s.read_back for s in solved] == [True] * SUBSTITUTE_AFTER + [False, False]
    drawn = [dict(s.variant.drawn.point) for s in solved]
    # The draws reach the numbers a printer treats apart: 0, 1, −1, decimals, y = 0 and 1.
    values = {v for point in drawn for v in point.values()}
    assert {sympy.Integer(0), sympy.Integer(1), sympy.Integer(-1), sympy.Rational(-1, 2)
            } <= values or {sympy.Integer(0), sympy.Integer(1), sympy.Integer(-1)} <= values
    assert any(not v.is_Integer for v in values)


@pytest.mark.parametrize("replacements", [
    # Another loss: θ⁰ − α (∂L/∂h) ∇θh, not the (t − h)² shortcut; y as a decimal.
    {"L: (y - h)^2": "L: (h - y)^2/2", "y: {choice: [0, 1]}": "y: {decimal: [0, 1], digits: 1}",
     "  - abs(next_w1 - w1) >= 0.001\n": ""},
    # tanh, decimals in the data and a learning rate of 0.5.
    {"h: sigma(z)": "h: tanh(z)", "x1: {int: [-3, 3], nonzero: true}":
     "x1: {decimal: [-2, 2], digits: 1}", "lr: 0.1": "lr: 0.5",
     "  - abs(next_w1 - w1) >= 0.001\n": ""},
])
def test_other_sgd_problems_substitute_with_the_same_bytes(
        tmp_path: Path, replacements: dict[str, str]) -> None:
    _same(_problem(tmp_path, replacements), 40)


def test_a_wrong_number_in_a_slot_fails_the_variant(monkeypatch: pytest.MonkeyPatch) -> None:
    # The per-variant checks are real: z worked out one too high makes its lines disagree
    # with the lines before them (each evaluated at 40 digits from the slots' numbers).
    from generator.variants import instances

    real = instances.exact_fraction
    monkeypatch.setattr(instances, "exact_fraction",
                        lambda expr, env: None if real(expr, env) is None else
                        real(expr, env) + 1)  # type: ignore[operator]
    problem = prepare_all([SGD])[0]
    sampler = Sampler(problem)
    template = Template(problem, sampler)
    template.in_full = SUBSTITUTE_AFTER
    solved = template.solve(numbered(sampler, 5, 1)[0])
    assert not solved.read_back  # substituted, not solved in full
    assert any(f.startswith("arithmetic:") for f in solved.failures), solved.failures
