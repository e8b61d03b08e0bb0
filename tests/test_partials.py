"""kind: partials — each first and second partial derived by the rules and verified; every
answer equals sympy's diff at random points to 40 digits."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
import sympy

from generator.errors import SpecErrors
from generator.solvers.problem import Problem, prepare

x, y, z = sympy.symbols("x y z")
CALLS = {"exp": sympy.exp, "ln": sympy.log, "sin": sympy.sin, "cos": sympy.cos,
         "sqrt": sympy.sqrt, "arctan": sympy.atan}


def _problem(tmp_path: Path, body: str) -> Problem:
    path = tmp_path / "p.yaml"
    path.write_text("id: p\ntitle: t\nkind: partials\n" + body, encoding="utf-8")
    return prepare(path)


def _close(a: sympy.Basic, b: sympy.Basic, xs: list[sympy.Symbol]) -> None:
    rng = random.Random(7)
    for _ in range(4):
        point = {v: sympy.Rational(rng.randint(101, 900), 1000) for v in xs}
        got, want = sympy.N(a.xreplace(point), 45), sympy.N(b.xreplace(point), 45)
        assert abs(got - want) <= sympy.Float("1e-35") * (1 + abs(want)), (point, got, want)


@pytest.mark.parametrize("text, names", [
    ("x^2*y + exp(x*y)", "x y"),
    ("sin(x*y)/(1 + y^2)", "x y"),
    ("ln(x^2 + y^2)", "x y"),
    ("y*exp(x/y)", "x y"),
    ("arctan(y/x)", "x y"),
    ("x*y*z + sqrt(x^2 + z)", "x y z"),
])
def test_partials_and_hessian_equal_sympy_diff(tmp_path: Path, text: str, names: str) -> None:
    xs = [sympy.Symbol(n) for n in names.split()]
    problem = _problem(tmp_path, f"function: \"{text}\"\nvariables: [{', '.join(names.split())}]\n")
    steps = problem.solution.steps()
    assert all(s.check is not None and s.check.status != "failed" for s in steps)
    f = sympy.sympify(text.replace("^", "**"), locals={**CALLS, **{v.name: v for v in xs}})
    answers = problem.solution.answers
    for v in xs:
        _close(answers[f"df/d{v.name}"], sympy.diff(f, v), xs)
    for u, v in itertools.product(xs, xs):
        _close(answers[f"d2f/d{u.name}d{v.name}"], sympy.diff(f, u, v), xs)


def test_each_partial_is_derived_by_the_rules_with_the_others_held_fixed(
        tmp_path: Path) -> None:
    problem = _problem(tmp_path, "function: \"x^2*y + exp(x*y)\"\n")
    rules = [s.rule for s in problem.solution.steps()]
    assert {"d_sum", "d_constant_multiple", "d_chain_exp", "p_again", "p_collect"} <= set(rules)
    keys = [sec.key for sec in problem.solution.sections]
    assert keys == ["", "p_first", "p_first", "p_second", "p_second", "p_second", "p_collect"]


def test_values_at_a_point(tmp_path: Path) -> None:
    problem = _problem(tmp_path, "function: \"x^2*y + exp(x*y)\"\nat: {x: 1, y: 0}\n")
    last = problem.solution.sections[-1].blocks[-1]
    assert last.key == "p_at"
    gradient, hessian = (s.rhs for s in last.steps)
    assert list(gradient.args[2:]) == [0, 2]  # 2xy + y e^{xy}, x² + x e^{xy} at (1, 0)
    assert list(hessian.args[2:]) == [0, 3, 3, 1]


def test_without_hessian_there_are_no_second_partials(tmp_path: Path) -> None:
    problem = _problem(tmp_path, "function: \"x*y\"\nhessian: false\n")
    assert "p_second" not in [sec.key for sec in problem.solution.sections]
    assert set(problem.solution.answers) == {"df/dx", "df/dy"}


@pytest.mark.parametrize("body, key, message", [
    ("function: x*y\nat: {x: 1}\n", "at", "give a number for every variable"),
    ("function: x*y\nvariables: [x, x]\n", "variables", "distinct names"),
    ("function: relu(x)*y\n", "function", "relu has no derivative rule here"),
    ("function: ln(x)*y\nat: {x: 0, y: 1}\n", "at", "is not defined at this point"),
])
def test_errors_name_the_key(tmp_path: Path, body: str, key: str, message: str) -> None:
    with pytest.raises(SpecErrors) as caught:
        _problem(tmp_path, body)
    text = caught.value.render()
    assert f": {key}: " in text and message in text, text


def test_log_differentiation_names_its_power_with_a_letter_no_variable_uses(
        tmp_path: Path) -> None:
    # f = x^{xy}: "let y = x^{xy}" would rename the variable y; the sheet says v, and the
    # built sheet (every fragment read back) and the answers are right.
    from click.testing import CliRunner

    from generator.cli import main

    path = tmp_path / "p.yaml"
    path.write_text("id: p\ntitle: t\nkind: partials\nfunction: x^(x*y)\nvariables: [x, y]\n",
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(path), "--out", str(tmp_path / "out"),
                                       "--format", "md"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out" / "en" / "p.md").read_text(encoding="utf-8")
    assert r"Let $v = x^{x y}$; then $\ln v = x y \ln x$" in text
    assert "Let $y =" not in text and r"multiply both sides by $v$" in text
    answers = prepare(path).solution.answers
    _close(answers["df/dx"], sympy.diff(x**(x * y), x), [x, y])
