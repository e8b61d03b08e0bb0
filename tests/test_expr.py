"""The expression parser: sympy syntax over declared names, nothing else."""

from __future__ import annotations

import pytest
import sympy

from generator.algebra.expr import ExprError, parse, parse_condition
from generator.algebra.functions import sigmoid

X, Y = sympy.symbols("x y")
NAMES = {"x": X, "y": Y}


@pytest.mark.parametrize(("text", "expected"), [
    ("x + y^2", X + Y**2),
    ("x + y**2", X + Y**2),
    ("2*x^3/4", X**3 / 2),
    ("sigma(x) - tanh(y)", sigmoid(X) - sympy.tanh(Y)),
    ("0.5*x", X / 2),
    ("-x", -X),
    (3, sympy.Integer(3)),
    ("exp(-x)/(1 + exp(-x))", sympy.exp(-X) / (1 + sympy.exp(-X))),
])
def test_parses(text: str, expected: sympy.Expr) -> None:
    assert parse(text, NAMES) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("__import__('os')", "function '__import__' is not allowed"),
    ("x.__class__", "attribute access .__class__ is not allowed"),
    ("(lambda: 1)()", "this call"),
    ("lambda: 1", "Lambda is not allowed in an expression"),
    ("z + 1", "unknown symbol 'z'"),
    ("_x", "name '_x' is not allowed"),
    ("10**10**10", "exponent 10000000000 is larger than 1000"),
    ("(9**999)**999", "digits"),
    ("x[0]", "Subscript is not allowed"),
    ("(", "unbalanced brackets or quotes"),
    ("f(x)", "function 'f' is not allowed"),
    ("sigma", "'sigma' is a function"),
    ("1/0", "division by zero"),
    ("'text'", "is not a number"),
    ("x if y else 1", "IfExp is not allowed"),
    ("sigma(x, y)", "sigma(...)"),
    ("-" * 100 + "x", "nested deeper than 60 levels"),
    ("(" * 300 + "x" + ")" * 300, "cannot read expression"),
    ("", "empty expression"),
])
def test_rejects(text: str, message: str) -> None:
    with pytest.raises(ExprError) as info:
        parse(text, NAMES)
    assert message in info.value.message


# ---- `where:` conditions ----

@pytest.mark.parametrize(("text", "holds", "fails"), [
    ("abs(x) <= 4", {"x": -4}, {"x": 5}),
    ("0 < x < y", {"x": 1, "y": 2}, {"x": 2, "y": 2}),
    ("x != 0 and not y == 1", {"x": 3, "y": 2}, {"x": 3, "y": 1}),
    ("x >= 2 or y > x", {"x": 0, "y": 1}, {"x": 1, "y": 0}),
    ("sigma(x) < 1/2", {"x": -1}, {"x": 1}),
])
def test_conditions_hold_where_they_should(text: str, holds: dict[str, int],
                                           fails: dict[str, int]) -> None:
    condition = parse_condition(text, NAMES)
    for point, expected in ((holds, True), (fails, False)):
        values = {NAMES[k]: sympy.Integer(v) for k, v in point.items()}
        assert bool(condition.xreplace(values).doit()) is expected


@pytest.mark.parametrize(("text", "message"), [
    ("x + 1", "'x + 1' is a value, not a condition"),
    ("x and y", "and / or / not join comparisons, not numbers"),
    ("(x < 1) < 2", "a comparison cannot be used as a number"),
    ("x is y", "only < <= > >= == != compare values"),
    ("x in y", "only < <= > >= == != compare values"),
    ("-(x < 1)", "a comparison cannot be used as a number"),
    ("(x < 1) + 1", "a comparison cannot be used as a number"),
    ("__import__('os') == 1", "function '__import__' is not allowed"),
])
def test_conditions_reject(text: str, message: str) -> None:
    with pytest.raises(ExprError) as info:
        parse_condition(text, NAMES)
    assert message in info.value.message


def test_values_do_not_accept_comparisons() -> None:
    with pytest.raises(ExprError) as info:
        parse("x < 1", NAMES)
    assert "Compare is not allowed" in info.value.message
