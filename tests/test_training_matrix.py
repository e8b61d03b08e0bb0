"""`kind: training` with `form: matrix` (solvers/parts/matrix_training.py): each step's
numbers against an independent mpmath loop at 40 digits, the matrix gradient against
sympy's diff of a hand-written loss, and the errors of a model without a matrix form."""

from __future__ import annotations

from pathlib import Path

import mpmath
import pytest
import sympy
from conftest import ROOT

from generator.algebra.matrices import Named
from generator.errors import SpecErrors
from generator.solvers.problem import prepare

PROBLEM = ROOT / "problems" / "linreg-gd-matrix.yaml"
X = [[1, 2], [0, 1], [2, -1]]
Y = [3, 1, 2]
STEPS = 3


def _loop() -> list[tuple[list[mpmath.mpf], mpmath.mpf]]:
    """Full-batch GD on (1/n)Σ ½(x·w + b − y)² + (λ/2)‖w‖², written out as loops."""
    with mpmath.workdps(60):
        LR = LAM = mpmath.mpf(1) / 10  # η and λ, at 60 digits
        w, b, out = [mpmath.mpf(0), mpmath.mpf(0)], mpmath.mpf(0), []
        for _ in range(STEPS):
            r = [sum(x[j] * w[j] for j in range(2)) + b - y for x, y in zip(X, Y, strict=True)]
            gw = [sum(r[i] * X[i][j] for i in range(3)) / 3 + LAM * w[j] for j in range(2)]
            gb = sum(r) / 3
            w, b = [w[j] - LR * gw[j] for j in range(2)], b - LR * gb
            out.append((list(w), b))
    return out


def _lines(rule: str) -> list[tuple[sympy.Basic, dict[sympy.Symbol, sympy.Basic]]]:
    solution = prepare(PROBLEM).solution
    return [(step.lhs, dict(block.extra)) for sec in solution.sections
            if sec.key == "training_matrix_step" for block in sec.blocks
            for step in block.steps if step.rule == rule and step.lhs is not None]


def _value(sym: sympy.Basic, extra: dict[sympy.Symbol, sympy.Basic]) -> mpmath.mpf:
    return mpmath.mpf(str(sympy.N(extra[sym], 60)))  # at the caller's 60 digits


def test_every_line_verified_and_each_step_equals_an_mpmath_loop() -> None:
    mpmath.mp.dps = 60
    problem = prepare(PROBLEM)
    assert all(s.check is not None and s.check.status != "failed"
               for s in problem.solution.steps())
    updates = _lines("sgd_update")
    assert len(updates) == 2 * STEPS  # w (a column) and b, each step
    for t, (w, b) in enumerate(_loop()):
        (W, extra), (bias, extra_b) = updates[2 * t], updates[2 * t + 1]
        assert isinstance(W, Named) and W.args[0].name == rf"\mathbf{{w}}^{{({t + 1})}}"
        got = [_value(s, extra) for s in W.grid]
        for mine, theirs in zip(got, w, strict=True):
            assert abs(mine - theirs) < mpmath.mpf(10) ** -40
        assert abs(_value(bias, extra_b) - b) < mpmath.mpf(10) ** -40
    # the scalar run (the table, the answers) holds the same numbers to 40 digits
    answers = problem.solution.answers
    w, b = _loop()[-1]
    for name, value in (("w1", w[0]), ("w2", w[1]), ("b", b)):
        assert abs(mpmath.mpf(str(sympy.N(answers[f"{name}^(3)"], 50))) - value) < mpmath.mpf(
            10) ** -37
    mpmath.mp.dps = 15


def test_matrix_gradient_equals_sympy_diff_of_a_hand_written_loss() -> None:
    w1, w2, b = sympy.symbols("w1 w2 b")
    loss = sympy.Rational(1, 3) * sum(
        (x[0] * w1 + x[1] * w2 + b - y) ** 2 / 2 for x, y in zip(X, Y, strict=True)
    ) + sympy.Rational(1, 20) * (w1**2 + w2**2)
    grads = _lines("matrix_chain_rule")
    starts = _lines("matrix_definition")
    assert len(grads) == 2 * STEPS and len(starts) == STEPS
    for t in range(STEPS):
        (G, extra), (gb, _) = grads[2 * t], grads[2 * t + 1]
        assert G.args[0].name == r"\nabla_{\mathbf{w}} L"
        # the point the step starts from: w^(t), b^(t) as the page names them
        point = {sym: extra[sym] for sym in extra if str(sym).startswith(f"mt_th_{t}_")}
        at = dict(zip((w1, w2, b), [point[s] for s in sorted(point, key=str)], strict=True))
        for sym, var in zip(G.grid, (w1, w2), strict=True):
            assert sympy.simplify(extra[sym] - sympy.diff(loss, var).subs(at)) == 0
        assert sympy.simplify(extra[gb] - sympy.diff(loss, b).subs(at)) == 0


def _error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecErrors) as info:
        prepare(path)
    return str(info.value)


def test_a_model_without_matrix_form_names_file_line_key_and_hint(tmp_path: Path) -> None:
    base = PROBLEM.read_text(encoding="utf-8")
    line = 1 + base.splitlines().index("form: matrix")
    out = _error(tmp_path, base.replace("yhat: w1*x1 + w2*x2 + b",
                                        "yhat: tanh(w1*x1 + w2*x2 + b)"))
    assert (f"p.yaml:{line}: form: no matrix form for this model: the prediction is not "
            "w₁x₁ + … + b") in out
    assert "remove `form: matrix`" in out
    out = _error(tmp_path, base + "optimizer: adam\n")
    assert f"p.yaml:{len(base.splitlines()) + 1}: optimizer: form: matrix writes plain" in out
    out = _error(tmp_path, base.replace("lambda: 0.1", "lambda: 0.1").replace(
        "kind: mse, target: y, pred: yhat, n: 2", "kind: bce, target: y, pred: yhat"))
    assert "a bce loss on an affine prediction yhat has no matrix form" in out


def test_logistic_minibatches_with_momentum_agree_with_the_scalar_sheet(tmp_path: Path) -> None:
    """minibatch-sgd.yaml (σ + BCE, batches of 2 in a given order, μ = 0.9) in both forms:
    every matrix line verified, v written, X named by its batch, the same θ to 37 digits."""
    source = ROOT / "problems" / "minibatch-sgd.yaml"
    path = tmp_path / "m.yaml"
    path.write_text(source.read_text(encoding="utf-8").replace(
        "kind: training\n", "kind: training\nform: matrix\n"), encoding="utf-8")
    matrix, scalar = prepare(path).solution, prepare(source).solution
    assert all(s.check is not None and s.check.status != "failed" for s in matrix.steps())
    names = {str(a.args[0].name) for s in matrix.steps() for e in (s.lhs, s.rhs)
             if e is not None for a in sympy.preorder_traversal(e) if isinstance(a, Named)}
    assert {r"\mathbf{v}^{(2)}", r"X_{\mathcal{B}_{2}}", r"\mathbf{z}", r"\mathbf{p}"} <= names
    for key, value in scalar.answers.items():
        assert abs(sympy.N(matrix.answers[key] - value, 50)) < sympy.Float(10, 50) ** -37


def test_the_same_problem_in_scalar_form_verifies_with_a_batch_of_three(tmp_path: Path) -> None:
    # A batch of 3 used to fail its own batch-mean check: the mean of 40-digit floats,
    # rounded again, differed from the verifier's 60-digit mean by ~1e-41.
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text(PROBLEM.read_text(encoding="utf-8").replace("form: matrix\n", ""),
                      encoding="utf-8")
    problem = prepare(scalar)
    assert not any(s.check is not None and s.check.status == "failed"
                   for s in problem.solution.steps())
    w, b = _loop()[-1]
    with mpmath.workdps(60):
        for name, value in (("w1", w[0]), ("w2", w[1]), ("b", b)):
            got = mpmath.mpf(str(sympy.N(problem.solution.answers[f"{name}^(3)"], 50)))
            assert abs(got - value) < mpmath.mpf(10) ** -37
