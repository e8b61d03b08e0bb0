"""Answer keys against independent computations: sympy diff of the inlined loss rebuilt
from the JSON with plain sympify, and mpmath central finite differences at 50 digits."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path

import mpmath
import sympy
from click.testing import CliRunner
from conftest import ROOT

from generator.cli import main

HW13 = ROOT / "problems" / "hw1-3-conv-w11.yaml"
WEEK1 = ROOT / "problems" / "week1-sgd-step.yaml"


def answer_key(path: Path) -> dict[str, object]:
    result = CliRunner().invoke(main, ["show", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.output)
    return data


def inlined(key: dict[str, object], name: str) -> sympy.Expr:
    nodes = {k: sympy.sympify(v) for k, v in key["nodes"].items()}  # type: ignore[attr-defined]
    expr = sympy.Symbol(name)
    for _ in nodes:
        expr = expr.subs({sympy.Symbol(k): v for k, v in nodes.items()})
    return expr


def random_point(symbols: set[sympy.Symbol], seed: int) -> dict[sympy.Symbol, sympy.Rational]:
    rng = random.Random(seed)
    return {s: sympy.Rational(rng.randint(-1500, 1500), 1000) for s in symbols}


def test_hw13_nodes_match_the_seed_model() -> None:
    key = answer_key(HW13)
    nodes = {k: sympy.sympify(v) for k, v in key["nodes"].items()}  # type: ignore[attr-defined]
    a = sympy.symbols("a11 a12 a13 a21 a22 a23 a31 a32 a33")
    w11, w12, w21, w22 = sympy.symbols("w11 w12 w21 w22")
    assert nodes["z00"] == a[0] * w11 + a[1] * w12 + a[3] * w21 + a[4] * w22
    assert nodes["z11"] == a[4] * w11 + a[5] * w12 + a[7] * w21 + a[8] * w22
    z00 = sympy.Symbol("z00")
    assert sympy.simplify(nodes["o00"] - 1 / (1 + sympy.exp(-z00))) == 0
    o = sympy.symbols("o00 o01 o10 o11")
    wa, wb, wc, wd = sympy.symbols("wa wb wc wd")
    assert nodes["yhat"] == wa * o[0] + wb * o[1] + wc * o[2] + wd * o[3]
    yy, yhat, n = sympy.symbols("yy yhat n")
    assert sympy.simplify(nodes["MSE"] - (yy - yhat) ** 2 / n) == 0
    assert key["loss"] == "MSE"


def test_hw13_gradient_equals_diff_of_inlined_loss_to_30_digits() -> None:
    key = answer_key(HW13)
    loss = inlined(key, "MSE")
    truth = sympy.diff(loss, sympy.Symbol("w11"))
    answer = sympy.sympify(key["answers"]["Derivative(MSE, w11)"])  # type: ignore[index]
    for seed in range(5):
        point = random_point(truth.free_symbols | answer.free_symbols, seed)
        expected, got = sympy.N(truth.subs(point), 40), sympy.N(answer.subs(point), 40)
        assert abs(expected - got) < sympy.Float("1e-30") * (1 + abs(expected))


def test_hw13_gradient_matches_finite_differences() -> None:
    key = answer_key(HW13)
    loss = inlined(key, "MSE")
    answer = sympy.sympify(key["answers"]["Derivative(MSE, w11)"])  # type: ignore[index]
    w11 = sympy.Symbol("w11")
    point = random_point(loss.free_symbols, 7)
    f = sympy.lambdify(w11, loss.subs({k: v for k, v in point.items() if k != w11}), "mpmath")
    with mpmath.workdps(60):
        h = mpmath.mpf("1e-20")
        x = mpmath.mpf(point[w11].p) / point[w11].q
        fd = (f(x + h) - f(x - h)) / (2 * h)
        exact = mpmath.mpf(str(sympy.N(answer.subs(point), 50)))
        assert abs(fd - exact) < mpmath.mpf("1e-30") * (1 + abs(exact))


def test_week1_update_equals_independent_sgd_step() -> None:
    key = answer_key(WEEK1)
    loss = inlined(key, "L")
    alpha = sympy.Symbol("alpha")
    data = {sympy.Symbol(k): v for k, v in {"x1": 1, "x2": 2, "y": 3, "b": 4, "w1": 5,
                                             "w2": 6}.items()}
    for name in ("b", "w1", "w2"):
        p = sympy.Symbol(name)
        truth = (p - alpha * sympy.diff(loss, p)).subs(data)
        got = sympy.sympify(key["answers"][f"{name}^(1)"])  # type: ignore[index]
        for a in (sympy.Rational(1, 10), sympy.Rational(-7, 3)):
            diff = sympy.N((truth - got).subs(alpha, a), 50)
            assert abs(diff) < sympy.Float("1e-40")


def test_names_sympy_knows_read_back_as_symbols() -> None:
    """`beta`, `gamma`, `E` and `S` are sympy objects to plain sympify; in a key they are
    symbols, so the answer read back is the derivative computed here from scratch."""
    key = answer_key(ROOT / "tests" / "fixtures" / "sympy-names.yaml")
    x, s, beta, gamma, e = sympy.symbols("x S beta gamma E")
    loss = (beta * x + gamma * s + e - 1) ** 2
    answers = key["answers"]
    assert isinstance(answers, dict)
    for name, var in (("beta", beta), ("E", e)):
        got = sympy.sympify(answers[f"Derivative(L, {name})"])
        assert got.free_symbols == {x, s, beta, gamma, e}
        assert sympy.expand(got - sympy.diff(loss, var)) == 0


def _sgd_step(values: dict[str, mpmath.mpf], lr: mpmath.mpf) -> dict[str, mpmath.mpf]:
    """One SGD step of h = σ(b + w1 x1 + w2 x2), L = (y − h)², in plain mpmath:
    dL/dθ = −2 (y − h) h (1 − h) ∂z/∂θ."""
    x1, x2, y = values["x1"], values["x2"], values["y"]
    b, w1, w2 = values["b"], values["w1"], values["w2"]
    h = 1 / (1 + mpmath.exp(-(b + w1 * x1 + w2 * x2)))
    common = -2 * (y - h) * h * (1 - h)
    return {"b": b - lr * common, "w1": w1 - lr * common * x1, "w2": w2 - lr * common * x2}


def test_sgd_variants_equal_a_plain_mpmath_sgd_step(tmp_path: Path) -> None:
    problem = ROOT / "problems" / "week1-sgd-step-variants.yaml"
    result = CliRunner().invoke(main, ["build", str(problem), "--out", str(tmp_path),
                                       "--variants", "25", "--seed", "11", "--format", "json",
                                       "--lang", "en"])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / problem.stem / "answers.json").read_text())
    assert len(data["variants"]) == 25
    with mpmath.workdps(50):
        for row in data["variants"]:
            values = {k: mpmath.mpf(sympy.Rational(v).p) / sympy.Rational(v).q
                      for k, v in row["values"].items()}
            step = _sgd_step(values, mpmath.mpf(1) / 10)
            for name, truth in step.items():
                given = row["answers"][f"{name}^(1)"]
                exact = sympy.N(sympy.sympify(given["sympy"]), 50)
                assert abs(mpmath.mpf(str(exact)) - truth) < mpmath.mpf(10) ** -40
                rounded = format(Decimal(mpmath.nstr(truth, 40, strip_zeros=False)), ".6f")
                assert given["decimal"] == rounded, (given["decimal"], rounded)
