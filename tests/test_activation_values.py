"""Every activation with `values:` builds, and each shown decimal equals an independent
central difference of the loss read back from the answer key (the crash of issue 13:
relu, leaky_relu, softplus and softmax had no mpmath evaluation on the values path)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy
from threeway import answer_key, central_difference, inlined

from generator.solvers.problem import prepare

FIXTURES = Path(__file__).parent / "fixtures" / "activations"
VALUES = {  # the `values:` of the fixtures, written again here so the test does not read them
    "x1": 1, "x2": -2, "y": sympy.Rational(1, 2),
    "W11": sympy.Rational(1, 2), "W12": sympy.Rational(-1, 4), "W21": 1,
    "W22": sympy.Rational(3, 4), "V11": 1, "V12": -1,
}
SOFTMAX_VALUES = {
    "x1": 1, "x2": -2, "y1": 0, "y2": 1, "y3": 0,
    "W11": sympy.Rational(1, 2), "W12": sympy.Rational(-1, 4), "W21": 1,
    "W22": sympy.Rational(3, 4), "W31": sympy.Rational(1, 10), "W32": sympy.Rational(1, 5),
}


def _shown_decimals(path: Path) -> dict[str, sympy.Rational]:
    """The decimal each numeric answer shows, by parameter name."""
    problem = prepare(path)
    found: dict[str, sympy.Rational] = {}
    for section in problem.solution.sections:
        for block in section.blocks:
            if block.key == "numeric_answer":
                last = block.steps[-1]
                # `≈ 0.952574`, or `= 0.25` when the answer is an exact number (relu's is)
                assert last.relation in (r"\approx", "=")
                found[str(block.params["param"])] = sympy.Rational(last.value)
    return found


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "softplus", "softmax"])
def test_activation_with_values_matches_central_differences(name: str) -> None:
    path = FIXTURES / f"{name}.yaml"
    shown = _shown_decimals(path)
    assert set(shown) == {"W11", "W12", "W21", "W22", *(["W31", "W32"] * (name == "softmax"))}
    loss = inlined(answer_key(path))
    given = SOFTMAX_VALUES if name == "softmax" else VALUES
    point = {sympy.Symbol(k): sympy.Rational(v) for k, v in given.items()}
    for param, decimal in shown.items():
        truth = central_difference(loss, sympy.Symbol(param), point)
        # precision 6 (the default): the shown decimal is the truth rounded to 6 places
        assert abs(decimal - truth) <= sympy.Rational(1, 2 * 10**6), (param, decimal, truth)
