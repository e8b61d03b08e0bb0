"""The exact proof of lines of numbers (generator/check/exact.py) against sympy's ladder."""

from __future__ import annotations

import pytest
import sympy
from conftest import ROOT

from generator.algebra.functions import sigmoid
from generator.check import exact, verify
from generator.check.verify import Proofs, compare

S = sympy.Rational


def _noeval(*args: sympy.Basic) -> sympy.Basic:
    return sympy.Mul(*args, evaluate=False)


def test_equal_lines_of_numbers_are_proved() -> None:
    s = sigmoid(S(-14, 5))
    line = sympy.Add(S(1, 5), _noeval(2, S(1, 10), 1 - s, s, 1 - s), evaluate=False)
    truth = S(1, 5) + S(1, 5) * s * (1 - s) ** 2
    assert exact.equal(line, truth) is True
    assert compare(line, truth).status == "proved"


def test_unequal_or_unknown_is_left_to_sympy() -> None:
    s = sigmoid(S(3))
    assert exact.equal(s * (1 - s), s - s**2 + S(1, 10**20)) is None
    assert exact.equal(sympy.Float("0.5"), S(1, 2)) is None  # floats are not exact
    assert exact.equal(sympy.sqrt(2), sympy.sqrt(2)) is None  # a root: not handled here
    assert exact.equal(S(1) / sympy.Integer(0), S(1)) is None  # a pole
    # σ(−x) = 1 − σ(x) is a relation between atoms, not a polynomial identity
    assert exact.equal(sigmoid(S(-3)), 1 - s) is None
    assert compare(s * (1 - s), s - s**2 + S(1, 10**20)).status == "failed"


@pytest.mark.parametrize("name", ["week1-sgd-step-variants", "week1-sgd-step"])
def test_statuses_are_those_of_sympys_ladder(name: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Every step of several SGD variants: the same status with and without the fast
    proof and the shared Proofs (the footers count them, so outputs stay the same)."""
    from generator.build.outputs import prepare_all
    from generator.solvers import registry
    from generator.variants.sampler import Sampler, numbered

    problem = prepare_all([ROOT / "problems" / f"{name}.yaml"])[0]
    graph = problem.graph
    specs = [problem.spec]
    if registry.vary(problem.spec):
        hooks = registry.variants(problem.spec)
        specs += [hooks.redraw(problem.spec, graph, v.drawn.point)
                  for v in numbered(Sampler(problem), 9, 6)]
    proofs = Proofs(graph)
    fast = [verify.check(registry.solve(s, graph), graph, proofs)[0] for s in specs]
    monkeypatch.setattr(exact, "equal", lambda a, b, memo=None: None)
    slow = [verify.check(registry.solve(s, graph), graph)[0] for s in specs]
    for f, s in zip(fast, slow, strict=True):
        assert [st.check.status for st in f.steps() if st.check] == [
            st.check.status for st in s.steps() if st.check]
        assert all(st.check and st.check.status != "failed" for st in f.steps())
