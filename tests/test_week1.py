"""Week 1 kinds against independent computations, and their input errors word for word."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sympy
from click.testing import CliRunner
from conftest import ROOT

from generator.cli import main

x = sympy.Symbol("x")


def run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, args)
    return result.exit_code, result.output


def write(tmp_path: Path, text: str, name: str = "x.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def derivatives(tmp_path: Path, function: str, order: int) -> dict[str, object]:
    path = write(tmp_path, f"id: d\ntitle: d\nkind: self_derivatives\nfunction: {function}\n"
                 f"order: {order}\nforms: [factored, expanded]\n")
    code, out = run(["show", str(path), "--format", "json"])
    assert code == 0, out
    data: dict[str, object] = json.loads(out)
    return data


@pytest.mark.parametrize(("function", "symbol", "truth"), [
    ("sigma", "s", 1 / (1 + sympy.exp(-x))),
    ("tanh", "t", (sympy.exp(x) - sympy.exp(-x)) / (sympy.exp(x) + sympy.exp(-x))),
])
def test_answer_key_matches_sympy_diff_up_to_order_6(tmp_path: Path, function: str,
                                                     symbol: str, truth: sympy.Expr) -> None:
    key = derivatives(tmp_path, function, 6)
    answers = key["answers"]
    assert isinstance(answers, dict) and len(answers) == 6
    s = sympy.Symbol(symbol)
    for k in range(1, 7):
        poly = sympy.sympify(answers[f"{function}^({k})(x)"])
        assert poly.free_symbols == {s} and poly.is_polynomial(s)
        diff = sympy.simplify((poly.subs(s, truth) - sympy.diff(truth, x, k)).rewrite(sympy.exp))
        assert diff == 0, (k, poly)
    where = sympy.sympify(key["where"][symbol])  # type: ignore[index]
    assert sympy.simplify((where - truth).rewrite(sympy.exp)) == 0


def test_shipped_order6_answer_key_matches_diff_of_the_logistic_function() -> None:
    code, out = run(["show", str(ROOT / "problems" / "sigmoid-derivatives-order6.yaml"),
                     "--format", "json"])
    assert code == 0, out
    key = json.loads(out)
    s, logistic = sympy.Symbol("s"), 1 / (1 + sympy.exp(-x))
    for k in range(1, 7):
        poly = sympy.Poly(sympy.sympify(key["answers"][f"sigma^({k})(x)"]), s)
        assert poly.degree() == k + 1
        for point in (sympy.Rational(-13, 10), sympy.Rational(2, 7), sympy.Integer(3)):
            want = sympy.N(sympy.diff(logistic, x, k).subs(x, point), 50)
            got = sympy.N(poly.as_expr().subs(s, logistic.subs(x, point)), 50)
            assert abs(want - got) < sympy.Float("1e-40") * (1 + abs(want))


def test_every_derivative_line_is_proved(tmp_path: Path) -> None:
    key = derivatives(tmp_path, "sigma", 6)
    checks = {st["check"] for st in key["steps"]}  # type: ignore[attr-defined]
    assert checks == {"proved"}


def test_boxed_sigma_third_derivative_is_the_seed_form() -> None:
    md = (ROOT / "tests" / "golden" / "week1-sigmoid-derivatives" / "en.md").read_text("utf-8")
    assert (r"\boxed{\ \sigma'''(x) = s (1 - s) (1 - 6 s + 6 s^{2})\ }"
            in md)


SEED_STEP3 = """\
id: seed-step3
title: Seed 000 (2a) Step 3 as written
kind: identity
let:
  s: sigma(x)
  ds: {expr: "diff(sigma(x), x)", latex: "s'"}
  dds: {expr: "diff(sigma(x), x, 2)", latex: "s''"}
  ddds: {expr: "diff(sigma(x), x, 3)", latex: "s'''"}
lhs: ddds
lines:
  - dds*(1 - 2*s) + ds*(-2*ds)
  - dds*(1 - 2*s) - 2*ds^2
  - s*(1 - s)*(1 - 2*s) - 2*(s*(1 - s))^2
  - 1 - 6*s + 6*s^2
"""


def test_seed_wrong_sigma3_lines_are_rejected_with_their_lines(tmp_path: Path) -> None:
    code, out = run(["check", str(write(tmp_path, SEED_STEP3))])
    out = out.replace(str(tmp_path) + "/", "")
    assert code == 1
    assert out.startswith("x.yaml:13: lines[2]: line 3 does not follow from line 2\n"
                          "  line 2: dds*(1 - 2*s) - 2*ds^2\n"
                          "  line 3: s*(1 - s)*(1 - 2*s) - 2*(s*(1 - s))^2\n"
                          "  they differ at x=")
    assert "x.yaml:14: lines[3]: line 4 does not follow from line 3\n" in out
    assert "lines[0]" not in out and "lines[1]" not in out
    assert out.endswith("1 of 1 problem files failed; nothing was written.\n")


def test_corrected_step3_passes(tmp_path: Path) -> None:
    text = SEED_STEP3.replace("s*(1 - s)*(1 - 2*s) - 2", "s*(1 - s)*(1 - 2*s)^2 - 2").replace(
        "  - 1 - 6*s + 6*s^2", "  - s*(1 - s)*(1 - 6*s + 6*s^2)")
    assert run(["check", str(write(tmp_path, text))]) == (0, "ok: 1 problem, 4 steps verified\n")


def test_custom_function_with_its_own_p(tmp_path: Path) -> None:
    path = write(tmp_path, "id: g\ntitle: g\nkind: self_derivatives\norder: 6\nfunction:\n"
                 "  name: g\n  definition: 2*sigma(x) - 1\n  derivative: (1 - g^2)/2\n")
    code, out = run(["show", str(path), "--format", "json"])
    assert code == 0, out
    g, truth = sympy.Symbol("g"), 2 / (1 + sympy.exp(-x)) - 1
    for k in range(1, 7):
        poly = sympy.sympify(json.loads(out)["answers"][f"g^({k})(x)"])
        point = {x: sympy.Rational(3, 7)}
        got = sympy.N(poly.subs(g, truth).subs(point), 40)
        assert abs(got - sympy.N(sympy.diff(truth, x, k).subs(point), 40)) < 1e-30


ERRORS = {
    "wrong_p": ("id: g\ntitle: g\nkind: self_derivatives\nfunction:\n  name: g\n"
                "  definition: 2*sigma(x) - 1\n  derivative: 1 - g^2\n",
                "x.yaml:7: function.derivative: g' = 1 - g^2 does not hold for g(x) = "
                "2*sigma(x) - 1\n  hint: sympy's derivative differs at x=-27/20: "),
    "p_not_polynomial": ("id: g\ntitle: g\nkind: self_derivatives\nfunction:\n  name: g\n"
                         "  definition: exp(x)\n  derivative: sqrt(g)\n",
                         "x.yaml:7: function.derivative: 'sqrt(g)' is not a polynomial in g\n"
                         "  hint: write g' using only g, numbers, + - * and whole powers\n"),
    "order_too_high": ("id: d\ntitle: d\nkind: self_derivatives\nfunction: sigma\norder: 40\n",
                       "x.yaml:5: order: Input should be less than or equal to 12\n"),
    "unknown_reason": ("id: i\ntitle: i\nkind: identity\nlines:\n  - x\n"
                       "  - {expr: x, why: magic}\n",
                       "x.yaml:6: lines[1].why: unknown reason 'magic'\n  hint: why is one of: "
                       "add_subtract, chain_rule, combine_fractions, definition_of, "
                       "divide_num_den, expand, multiply_num_den, product_rule, quotient_rule, "
                       "simplify, split_fraction, substitute, take_out\n"),
    "reason_needs_by": ("id: i\ntitle: i\nkind: identity\nlines:\n  - x\n"
                        "  - {expr: 2*x/2, why: multiply_num_den}\n",
                        "x.yaml:6: lines[1].why: reason 'multiply_num_den' needs `by:`\n"
                        '  hint: say what it uses, e.g. by: "exp(x/2)"\n'),
    "unknown_name_in_line": ("id: i\ntitle: i\nkind: identity\nlines:\n  - x\n  - y\n",
                             "x.yaml:6: lines[1]: unknown symbol 'y'\n"
                             "  hint: declare it under inputs, params, constants or nodes\n"),
    "katex_braces": ("id: q\ntitle: q\nkind: discussion\nquestions:\n  - ask: Why?\n"
                     "    answer:\n      en: 'Because $\\frac{1}{2$.'\n",
                     "x.yaml:7: questions[0].answer.en: in $\\frac{1}{2$: a '{' is never "
                     "closed\n  hint: KaTeX needs balanced $…$, braces, \\left…\\right and "
                     "\\begin…\\end; write \\$ for a dollar\n"),
    "symbol_is_variable": ("id: d\ntitle: d\nkind: self_derivatives\nfunction: sigma\n"
                           "symbol: x\n",
                           "x.yaml:5: symbol: f(x) and the variable are both called 'x'\n"
                           "  hint: set `symbol:` to another letter\n"),
    "let_shadows_variable": ("id: i\ntitle: i\nkind: identity\nlet:\n  x: sigma(x)\n"
                             "lines: [x, x]\n",
                             "x.yaml:5: let.x: 'x' is a variable\n"
                             "  hint: give the let: name another spelling\n"),
    "katex_dollar": ("id: q\ntitle: q\nkind: discussion\nquestions:\n  - ask: 'Cost $5?'\n",
                     "x.yaml:5: questions[0].ask: a '$' opens math that is never closed\n"
                     "  hint: KaTeX needs balanced $…$, braces, \\left…\\right and "
                     "\\begin…\\end; write \\$ for a dollar\n"),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_error_message(tmp_path: Path, case: str) -> None:
    text, expected = ERRORS[case]
    code, out = run(["check", str(write(tmp_path, text))])
    out = out.replace(str(tmp_path) + "/", "")
    assert code == 1
    assert out.startswith(expected), out
    assert out.endswith("1 of 1 problem files failed; nothing was written.\n")


def test_sheet_part_must_name_a_problem_file(tmp_path: Path) -> None:
    path = write(tmp_path, "id: s\ntitle: S\nkind: sheet\nparts:\n  - problem: nope.yaml\n",
                 "s.yaml")
    code, out = run(["check", str(path)])
    assert code == 1
    assert out.replace(str(tmp_path) + "/", "") == (
        "s.yaml:5: parts[0].problem: 'nope.yaml' is not a file\n"
        "  hint: name a problem file, relative to this sheet\n"
        "1 of 1 problem files failed; nothing was written.\n")


def test_sheet_part_is_a_problem_or_a_group(tmp_path: Path) -> None:
    path = write(tmp_path, "id: s\ntitle: S\nkind: sheet\nparts:\n  - title: T\n", "s.yaml")
    code, out = run(["check", str(path)])
    assert (code, out.replace(str(tmp_path) + "/", "")) == (1, (
        "s.yaml:5: parts[0]: a part is either `problem:` or a list of `parts:`\n"
        "1 of 1 problem files failed; nothing was written.\n"))


def test_a_sheet_is_told_by_its_top_level_kind(tmp_path: Path) -> None:
    from generator.solvers.sheet import is_sheet

    assert is_sheet(write(tmp_path, "id: s\nkind: 'sheet'  # four parts\n"))
    assert not is_sheet(write(tmp_path, "id: s\nnotes:\n  kind: sheet\nkind: identity\n"))


def test_build_writes_the_week1_sheet_in_both_languages(tmp_path: Path) -> None:
    code, out = run(["build", str(ROOT / "problems"), "--out", str(tmp_path)])
    assert code == 0, out
    key = json.loads((tmp_path / "week1.json").read_text("utf-8"))
    assert list(key["parts"]) == ["1", "2a", "2b", "3"]
    assert key["parts"]["2a"]["answers"]["sigma^(3)(x)"] == "-6*s**4 + 12*s**3 - 7*s**2 + s"
    for lang, part3 in (("zh-TW", "## (3) 課後延伸思考"), ("en", "## (3) Further questions")):
        text = (tmp_path / lang / "week1.md").read_text("utf-8")
        heads = [line for line in text.splitlines() if line.startswith("#")]
        assert heads[0] == "# Week 1 Assignment"
        assert [h[:6] for h in heads[1:5]] == ["## (1)", "## (2)", "### (a", "### (b"]
        assert heads[-1] == part3
        assert (tmp_path / lang / "week1-sgd-step.md").exists()  # problems still build alone


def test_questions_without_answers_print_as_the_seeds_list(tmp_path: Path) -> None:
    path = write(tmp_path, "id: q\ntitle: Q\nkind: discussion\nquestions:\n"
                 "  - ask: {zh-TW: '學習率怎麼選？', en: 'How to choose the learning rate?'}\n"
                 "  - ask: Why does $\\sigma'(z)\\to 0$?\n")
    code, out = run(["show", str(path), "--lang", "en"])
    assert code == 0
    assert out == ("---\ntitle: Q\nlang: en\n---\n\n# Q\n\n"
                   "+ How to choose the learning rate?\n+ Why does $\\sigma'(z)\\to 0$?\n")
