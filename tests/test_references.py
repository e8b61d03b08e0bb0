"""A substituted SGD variant's references (variants/instances.py: every node's value and
θ¹ over the drawn leaves, in one compiled function) are the values sympy gives, each at its
head's place, and a reference in the wrong place fails the variant."""

from __future__ import annotations

import mpmath
import pytest
import sympy
from conftest import ROOT

from generator.build.outputs import prepare_all
from generator.variants.instances import Instances
from generator.variants.sampler import Sampler, numbered
from generator.variants.solution import SUBSTITUTE_AFTER, Template

SGD = ROOT / "problems" / "week1-sgd-step-variants.yaml"


def _template() -> tuple[Template, Sampler]:
    problem = prepare_all([SGD])[0]
    sampler = Sampler(problem)
    template = Template(problem, sampler)
    template.in_full = SUBSTITUTE_AFTER  # substitute from the first variant on
    return template, sampler


def test_references_are_sympys_values_at_40_digits() -> None:
    template, sampler = _template()
    instances = template.instances
    assert isinstance(instances, Instances)
    graph = template.problem.graph
    nodes = [h for h in instances.heads if h in graph.nodes]
    others = [h for h in instances.heads if h not in graph.nodes]
    assert len(nodes) == len(graph.nodes) and len(others) == 1  # θ¹, a vector
    for variant in numbered(sampler, 5, 30):
        point = variant.drawn.point
        solved = template.solve(variant)
        assert solved.failures == ()
        with mpmath.workdps(50):
            values = instances.references(*[mpmath.mpf(int(point[s].p)) / int(point[s].q)
                                             for s in instances.leaves])
        for head in nodes:
            start, end = instances.heads[head]
            truth = sympy.N(graph.inline(head).xreplace(point).rewrite(sympy.exp), 50)
            assert end == start + 1 and abs(values[start] - truth) < 1e-38 * (1 + abs(truth))
        start, end = instances.heads[others[0]]
        answers = [sympy.N(sympy.sympify(a.sympy_text), 50) for a in solved.answers]
        assert len(answers) == end - start
        for got, truth in zip(values[start:end], answers, strict=True):
            assert abs(got - truth) < 1e-38 * (1 + abs(truth))


def test_a_reference_in_the_wrong_place_fails_the_variant(
        monkeypatch: pytest.MonkeyPatch) -> None:
    template, sampler = _template()
    instances = template.instances
    assert isinstance(instances, Instances)
    heads = dict(instances.heads)
    first, second = list(heads)[:2]
    heads[first], heads[second] = heads[second], heads[first]
    monkeypatch.setattr(instances, "heads", heads)
    failed = [template.solve(v).failures for v in numbered(sampler, 5, 5)]
    assert all(failed), failed
