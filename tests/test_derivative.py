"""kind: derivative — every rule application is a verified step, and each answer equals
sympy's diff at random points to 40 digits (an independent computation: the rules never
call diff)."""

from __future__ import annotations

import random
from pathlib import Path

import mpmath
import pytest
import sympy

from generator.errors import SpecErrors
from generator.solvers.problem import Problem, prepare
from generator.theme.messages import builtin_messages

x = sympy.Symbol("x")
NAMES = {"x": x, "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "exp": sympy.exp,
         "ln": sympy.log, "sqrt": sympy.sqrt, "arctan": sympy.atan, "arcsin": sympy.asin,
         "arccos": sympy.acos, "tanh": sympy.tanh}

# The six, then one of every rule and a few nestings of them.
CASES = ["x^2*sin(x)", "exp(x)/(1 + x^2)", "ln(cos(x))", "arctan(sqrt(x))", "(3*x + 1)^10",
         "x^x", "5", "x", "-x", "3*x^4 - 2*x + 7", "1/x", "x^(1/3)", "tan(x)", "arcsin(x)",
         "arccos(2*x)", "tanh(x^2)", "sigma(x)", "sigma(2*x + 1)", "softplus(x)",
         "exp(x^2)*cos(3*x)", "sin(x^2)^3", "x*exp(x)*ln(x)", "sqrt(1 - x^2)",
         "(x^2 + 1)/(x - 3)", "x^sin(x)", "ln(ln(x))", "2*exp(-x)/(1 + exp(-x))"]


def _problem(tmp_path: Path, body: str) -> Problem:
    path = tmp_path / "d.yaml"
    path.write_text("id: d\ntitle: t\nkind: derivative\n" + body, encoding="utf-8")
    return prepare(path)


def _truth(text: str) -> sympy.Basic:
    calls = {**NAMES, "sigma": lambda u: 1 / (1 + sympy.exp(-u)),
             "softplus": lambda u: sympy.log(1 + sympy.exp(u))}
    return sympy.diff(sympy.sympify(text.replace("^", "**"), locals=calls), x)


def _same(answer: sympy.Basic, truth: sympy.Basic) -> None:
    plain = answer.replace(lambda e: callable(getattr(e, "plain", None)), lambda e: e.plain())
    rng = random.Random(19)
    with mpmath.workdps(50):
        for _ in range(5):
            point = sympy.Rational(rng.randint(101, 449), 1000)  # inside every domain here
            got = sympy.N(plain.subs(x, point), 45)
            want = sympy.N(truth.subs(x, point), 45)
            assert abs(got - want) <= sympy.Float("1e-35") * (1 + abs(want)), (point, got, want)


@pytest.mark.parametrize("text", CASES)
def test_answer_equals_sympy_diff_and_every_step_is_verified(tmp_path: Path, text: str) -> None:
    problem = _problem(tmp_path, f"function: \"{text}\"\n")
    steps = problem.solution.steps()
    assert steps and all(s.check is not None and s.check.status != "failed" for s in steps)
    _same(problem.solution.answers["f'(x)"], _truth(text))


def _rules(problem: Problem) -> list[str]:
    return [s.rule for s in problem.solution.steps()]


def test_the_six_use_the_rules_a_teacher_names(tmp_path: Path) -> None:
    cases = {"x^2*sin(x)": ["d_product", "d_power", "d_sin", "d_substitute"],
             "exp(x)/(1 + x^2)": ["d_quotient", "d_exp", "d_sum", "d_constant", "d_power",
                                  "d_simplify"],
             "ln(cos(x))": ["d_chain_log", "d_cos", "d_substitute", "d_simplify"],
             "arctan(sqrt(x))": ["d_chain_atan", "d_power", "d_substitute", "d_tidy"],
             "(3*x + 1)^10": ["d_chain_power", "d_sum", "d_constant", "d_constant_multiple"],
             "x^x": ["d_log_diff", "d_product", "d_variable", "d_log", "d_multiply_y"]}
    for text, expected in cases.items():
        rules = _rules(_problem(tmp_path, f"function: \"{text}\"\n"))
        assert [r for r in rules if r in expected] == sorted(
            (r for r in rules if r in expected), key=rules.index)
        assert set(expected) <= set(rules), (text, rules)
        assert rules[-1] == "d_result"


def test_sub_derivations_are_numbered_by_nesting(tmp_path: Path) -> None:
    problem = _problem(tmp_path, "function: \"sin((x^2 + 1)^3)\"\n")
    labels = [b.params["label"] for sec in problem.solution.sections for b in sec.blocks
              if b.key == "d_part"]
    assert labels == ["1", "1.1"]


def test_value_at_a_point_is_exact_and_correctly_rounded(tmp_path: Path) -> None:
    problem = _problem(tmp_path, "function: \"x^2*sin(x)\"\nat: pi/3\nprecision: 8\n")
    exact = problem.solution.answers["f'(pi/3)"]
    truth = _truth("x^2*sin(x)").subs(x, sympy.pi / 3)
    assert sympy.simplify(exact - truth) == 0
    last = problem.solution.steps()[-1]
    assert last.relation == r"\approx" and last.digits == 8
    assert last.check is not None and last.check.status != "failed"


def test_a_list_gives_parts_a_b_with_their_answers(tmp_path: Path) -> None:
    problem = _problem(tmp_path, "function: [\"x^2\", \"exp(2*x)\"]\nat: 0\n")
    assert [s.params["label"] for s in problem.solution.sections] == ["a", "b"]
    assert problem.solution.answers == {"(a) f'(x)": 2 * x, "(a) f'(0)": 0,
                                        "(b) f'(x)": 2 * sympy.exp(2 * x), "(b) f'(0)": 2}


@pytest.mark.parametrize("body, key, message", [
    ("function: relu(x)\n", "function", "relu has no derivative rule here"),
    ("function: [x, abs(x)]\n", "function[1]", "Abs has no derivative rule here"),
    ("function: sqrt(x)\nat: 0\n", "at", "f' is not defined at x = 0"),
    ("function: foo(x)\n", "function", "function 'foo' is not allowed"),
    ("function: x\nname: x\n", "name", "f and its variable have one name"),
])
def test_errors_name_the_key(tmp_path: Path, body: str, key: str, message: str) -> None:
    with pytest.raises(SpecErrors) as caught:
        _problem(tmp_path, body)
    text = caught.value.render()
    assert f": {key}: {message}" in text, text


def test_every_rule_key_has_words_in_both_languages() -> None:
    import generator.solvers.parts.diff_rules as rules

    keys = {f"d_{o.key}" for o in rules.OUTER.values()} | {
        f"d_chain_{o.key}" for o in rules.OUTER.values()} | {
        "d_constant", "d_variable", "d_power", "d_exp_base", "d_chain_power",
        "d_chain_exp_base", "d_sum", "d_constant_multiple", "d_product", "d_quotient",
        "d_log_diff", "d_multiply_y", "d_substitute", "d_tidy", "d_simplify", "d_result"}
    for lang in ("en", "zh-TW"):
        assert keys <= set(builtin_messages(lang)["rules"]), lang
    zh = builtin_messages("zh-TW")["rules"]
    for word, key in (("連鎖律", "d_chain_log"), ("乘法律", "d_product"),
                      ("除法律", "d_quotient"), ("冪次律", "d_power")):
        assert word in zh[key]
