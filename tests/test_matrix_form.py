"""`form: matrix` (issue 19, item 1): every matrix line is a verified step.

Each built-in batch problem is checked against routes that share nothing with the solver:
the loss written here by hand in plain sympy and differentiated with `sympy.diff`; the
numbers worked out here in mpmath at 40 digits from the file's `values:`; the normal
equation solved by mpmath and the hand-written gradient at w* (exactly 0); torch autograd
where installed. Wrong matrix lines and misprinted matrices are refused.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import mpmath
import pytest
import sympy
import yaml
from click.testing import CliRunner
from conftest import ROOT

from generator.algebra.matrices import entries, mul, sub
from generator.algebra.trace import Block, Step
from generator.check.verify import check_block
from generator.cli import main
from generator.solvers.parts.matrix_model import N, mats
from generator.solvers.parts.matrix_steps import delta
from generator.solvers.problem import Problem, prepare
from generator.view.readback import ReadBack

PROBLEMS = ROOT / "problems"
MATRIX = ["linreg-l2-batch", "softmax-ce-batch", "logistic-bce-batch", "mlp-batch-matrix"]
S = sympy.Symbol


def _problem(name: str) -> Problem:
    return prepare(PROBLEMS / f"{name}.yaml")


def _values(name: str) -> dict[str, Any]:
    spec = yaml.safe_load((PROBLEMS / f"{name}.yaml").read_text(encoding="utf-8"))
    out: dict[str, Any] = spec["values"]
    return out


def _frac(v: Any) -> Fraction:
    return Fraction(str(v))


def _block(problem: Problem, key: str) -> Block:
    found = [b for s in problem.solution.sections for b in s.blocks if b.key == key]
    assert len(found) == 1, key
    return found[0]


def _hand_loss(name: str) -> tuple[sympy.Expr, list[S], list[S]]:
    """The mean loss over the batch, written here from the problem's shapes (n = 3)."""
    x = [[S(f"X{i}{j}", real=True) for j in (1, 2)] for i in (1, 2, 3)]
    if name == "softmax-ce-batch":
        w = [[S(f"W{c}{j}", real=True) for j in (1, 2)] for c in (1, 2, 3)]
        b = [S(f"b{c}", real=True) for c in (1, 2, 3)]
        y = [[S(f"Y{i}{c}", real=True) for c in (1, 2, 3)] for i in (1, 2, 3)]
        loss = sympy.Integer(0)
        for i in range(3):
            z = [sum(x[i][j] * w[c][j] for j in range(2)) + b[c] for c in range(3)]
            total = sum(sympy.exp(v) for v in z)
            loss -= sum(y[i][c] * sympy.log(sympy.exp(z[c]) / total) for c in range(3))
        return loss / 3, [v for row in w for v in row], b
    w1 = [S("w1", real=True), S("w2", real=True)]
    y1 = [S(f"y{i}", real=True) for i in (1, 2, 3)]
    lam = S("lam", real=True)
    if name == "mlp-batch-matrix":
        v = [[S(f"V{u}{j}", real=True) for j in (1, 2)] for u in (1, 2)]
        c = [S("c1", real=True), S("c2", real=True)]
        b1 = S("b", real=True)
        h = [[sympy.tanh(x[i][0] * v[u][0] + x[i][1] * v[u][1] + c[u]) for u in range(2)]
             for i in range(3)]
        p = [1 / (1 + sympy.exp(-(h[i][0] * w1[0] + h[i][1] * w1[1] + b1))) for i in range(3)]
        loss = -sum(y1[i] * sympy.log(p[i]) + (1 - y1[i]) * sympy.log(1 - p[i])
                    for i in range(3)) / 3
        return loss, [*w1, *[e for row in v for e in row], *c], [b1]
    if name == "linreg-l2-batch":
        loss = sum((x[i][0] * w1[0] + x[i][1] * w1[1] - y1[i]) ** 2 for i in range(3)) / 6
        return loss + lam / 2 * (w1[0] ** 2 + w1[1] ** 2), w1, []
    b1 = S("b", real=True)
    p = [1 / (1 + sympy.exp(-(x[i][0] * w1[0] + x[i][1] * w1[1] + b1))) for i in range(3)]
    loss = -sum(y1[i] * sympy.log(p[i]) + (1 - y1[i]) * sympy.log(1 - p[i])
                for i in range(3)) / 3
    return loss + lam / 2 * (w1[0] ** 2 + w1[1] ** 2), w1, [b1]


def _point(symbols: set[S], seed: int, name: str) -> dict[S, sympy.Rational]:
    """Random rationals; softmax targets rows that sum to 1 (the line p − y needs it)."""
    rng = __import__("random").Random(seed)
    point = {s: sympy.Rational(rng.randint(-1500, 1500), 1000)
             for s in sorted(symbols, key=str)}
    if name == "softmax-ce-batch":
        for i in (1, 2, 3):
            point[S(f"Y{i}3", real=True)] = 1 - point[S(f"Y{i}1", real=True)] - point[
                S(f"Y{i}2", real=True)]
    return point


@pytest.mark.parametrize("name", MATRIX)
def test_every_matrix_line_is_checked_and_none_failed(name: str) -> None:
    steps = _problem(name).solution.steps()
    assert steps and all(s.check is not None and s.check.status != "failed" for s in steps)
    matrix = [s for s in steps if isinstance(s.rhs, sympy.MatrixExpr)]
    assert len(matrix) >= 10
    # Every line that names matrices is proved entry by entry, not only agreed numerically.
    symbolic = [s for s in matrix if s.rhs.free_symbols and s.relation == "="]
    assert symbolic and all(s.check.status == "proved" for s in symbolic if s.check)


@pytest.mark.parametrize("name", MATRIX)
def test_matrix_gradient_entries_equal_diff_of_hand_written_loss(name: str) -> None:
    """The last line of ∇_W L (and ∇_b L), entry by entry, is sympy.diff of the loss
    written here, at random points to 30 digits."""
    problem = _problem(name)
    loss, weights, biases = _hand_loss(name)
    lines = [(_block(problem, "matrix_weights_p_minus_y" if name == "softmax-ce-batch"
                     else "matrix_weights").steps[-1], weights)]
    if name == "mlp-batch-matrix":  # ∇w, then ∇V and ∇c from the hidden layer's block
        hidden = _block(problem, "matrix_hidden").steps
        lines = [(lines[0][0], weights[:2]), (hidden[2], weights[2:6]), (hidden[3], weights[6:])]
    if biases:
        lines.append((_block(problem, "matrix_bias").steps[-1], biases))
    for step, params in lines:
        graph = problem.graph

        def partial(d: sympy.Derivative, graph: Any = graph) -> sympy.Basic:  # ∂L/∂a, by diff
            return sympy.diff(graph.inline_above(d.expr, keep=d.variables[0]), d.variables[0])

        cells = [graph.inline(e.xreplace({N: 3}).replace(
            lambda x: isinstance(x, sympy.Derivative), partial)) for e in entries(step.rhs)]
        assert len(cells) == len(params)
        for seed in range(3):
            point = _point(loss.free_symbols | {c for e in cells for c in e.free_symbols},
                           seed, name)
            for cell, var in zip(cells, params, strict=True):
                truth = sympy.N(sympy.diff(loss, var).xreplace(point), 40)
                got = sympy.N(cell.xreplace(point), 40)
                assert abs(truth - got) < sympy.Float("1e-30") * (1 + abs(truth)), (var, seed)


def _mp_matrix(rows: Any) -> mpmath.matrix:
    grid = rows if isinstance(rows[0], list) else [[v] for v in rows]
    return mpmath.matrix([[mpmath.mpf(_frac(v).numerator) / _frac(v).denominator for v in r]
                          for r in grid])


def _independent_gradients(name: str) -> list[mpmath.matrix]:
    """∇ of the weights (and bias) by matrix algebra in mpmath at 40 digits."""
    v = _values(name)
    x = _mp_matrix(v["X"])
    n = x.rows
    if name == "linreg-l2-batch":
        w, y, lam = _mp_matrix(v["w"]), _mp_matrix(v["y"]), _mp_matrix([v["lam"]])[0]
        return [x.T * (x * w - y) / n + lam * w]
    if name == "logistic-bce-batch":
        w, y, lam, b = (_mp_matrix(v["w"]), _mp_matrix(v["y"]), _mp_matrix([v["lam"]])[0],
                        _mp_matrix([v["b"]])[0])
        z = x * w
        p = mpmath.matrix([[1 / (1 + mpmath.exp(-(z[i] + b)))] for i in range(n)])
        d = (p - y) / n
        return [x.T * d + lam * w, mpmath.matrix([[sum(d[i] for i in range(n))]])]
    if name == "mlp-batch-matrix":
        vv, c, w, y = _mp_matrix(v["V"]), _mp_matrix(v["c"]), _mp_matrix(v["w"]), _mp_matrix(
            v["y"])
        b = _mp_matrix([v["b"]])[0]
        a = x * vv.T
        h = mpmath.matrix(n, 2)
        for i in range(n):
            for u in range(2):
                h[i, u] = mpmath.tanh(a[i, u] + c[u])
        z = h * w
        p = mpmath.matrix([[1 / (1 + mpmath.exp(-(z[i] + b)))] for i in range(n)])
        d = (p - y) / n
        da = d * w.T
        for i in range(n):
            for u in range(2):
                da[i, u] *= 1 - h[i, u] ** 2
        ones = mpmath.matrix([[1]] * n)
        return [h.T * d, (ones.T * d), da.T * x, da.T * ones]
    w, y, b = _mp_matrix(v["W"]), _mp_matrix(v["Y"]), _mp_matrix(v["b"])
    z = x * w.T
    p = mpmath.matrix(n, y.cols)
    for i in range(n):
        row = [mpmath.exp(z[i, c] + b[c]) for c in range(y.cols)]
        for c in range(y.cols):
            p[i, c] = row[c] / sum(row)
    d = (p - y) / n
    return [d.T * x, d.T * mpmath.matrix([[1]] * n)]


@pytest.mark.parametrize("name", MATRIX)
def test_numbers_equal_mpmath_at_40_digits(name: str) -> None:
    problem = _problem(name)
    keys = ["matrix_numbers_weights"] + (["matrix_numbers_bias"] if name != "linreg-l2-batch"
                                         else [])
    lasts = [_block(problem, key).steps[-1] for key in keys]
    if name == "mlp-batch-matrix":  # ∇V and ∇c: the ≈ lines after their formulas
        lasts += [_block(problem, "matrix_numbers_hidden").steps[i] for i in (5, 7)]
    places = yaml.safe_load((PROBLEMS / f"{name}.yaml").read_text()).get("precision")
    with mpmath.workdps(40):
        for last, truth in zip(lasts, _independent_gradients(name), strict=True):
            value = last.canonical  # a scalar bias's gradient is a number, not [number]
            shown = list(value) if isinstance(value, sympy.MatrixBase) else [value]
            expected = [truth[i, j] for i in range(truth.rows) for j in range(truth.cols)]
            assert len(shown) == len(expected)
            for s, e in zip(shown, expected, strict=True):
                gap = abs(mpmath.mpf(s.p) / s.q - e)
                if places is None:  # linear regression: exact rationals, equal to 40 digits
                    assert last.relation == "=" and gap < mpmath.mpf(10) ** -38
                else:  # the decimal shown is the value correctly rounded
                    assert last.relation == r"\approx"
                    assert gap <= mpmath.mpf(10) ** -places / 2


def test_normal_equation_solution_is_the_mpmath_solution_and_zeroes_the_gradient() -> None:
    problem = _problem("linreg-l2-batch")
    solution = _block(problem, "closed_form_solution").steps[-1].rhs
    v = _values("linreg-l2-batch")
    with mpmath.workdps(40):
        x, y = _mp_matrix(v["X"]), _mp_matrix(v["y"])
        lam = _mp_matrix([v["lam"]])[0]
        a = x.T * x + 3 * lam * mpmath.eye(2)
        best = mpmath.lu_solve(a, x.T * y)
        assert all(abs(mpmath.mpf(s.p) / s.q - best[i]) < mpmath.mpf(10) ** -38
                   for i, s in enumerate(solution))
    # exactly: the hand-written loss's gradient at w* is 0 (Fractions, no sympy solver)
    loss, weights, _ = _hand_loss("linreg-l2-batch")
    point = {S(f"X{i + 1}{j + 1}", real=True): sympy.Rational(str(_frac(c)))
             for i, row in enumerate(v["X"]) for j, c in enumerate(row)}
    point |= {S(f"y{i + 1}", real=True): sympy.Rational(str(_frac(c)))
              for i, c in enumerate(v["y"])}
    point |= {S("lam", real=True): sympy.Rational(str(_frac(v["lam"])))}
    point |= dict(zip(weights, solution, strict=True))
    assert [sympy.diff(loss, w).xreplace(point) for w in weights] == [0, 0]
    assert _block(problem, "closed_form_check").steps[0].check.status == "proved"


@pytest.mark.parametrize("name", MATRIX)
def test_numbers_equal_torch_autograd(name: str) -> None:
    torch = pytest.importorskip("torch")
    v = _values(name)

    def t(rows: Any) -> Any:
        return torch.tensor([[float(_frac(c)) for c in r] if isinstance(r, list) else
                             float(_frac(r)) for r in rows], dtype=torch.float64)

    x = t(v["X"])
    weights = t(v["W"] if "W" in v else v["w"]).requires_grad_()
    bias = t(v["b"] if isinstance(v.get("b"), list) else [v.get("b", 0)]).requires_grad_()
    if name == "mlp-batch-matrix":
        x = torch.tanh(x @ t(v["V"]).T + t(v["c"]))
    if name in ("linreg-l2-batch",):
        loss = ((x @ weights - t(v["y"])) ** 2).sum() / 6
    elif name in ("logistic-bce-batch", "mlp-batch-matrix"):
        p = torch.sigmoid(x @ weights + bias)
        y = t(v["y"])
        loss = -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
    else:
        loss = -(t(v["Y"]) * torch.log_softmax(x @ weights.T + bias, dim=1)).sum() / 3
    if "lam" in v:
        loss = loss + float(_frac(v["lam"])) / 2 * (weights ** 2).sum()
    loss.backward()
    problem = _problem(name)
    shown = [float(c) for c in _block(problem, "matrix_numbers_weights").steps[-1].canonical]
    assert shown == pytest.approx(weights.grad.flatten().tolist(), abs=1e-4)


def test_a_wrong_matrix_line_is_refused() -> None:
    problem = _problem("linreg-l2-batch")
    m = mats(problem.graph)
    wrong = Step("matrix_delta", mul(2 / N, sub(m.P, m.Y)), lhs=delta(m))  # 1/n is right
    _, bad = check_block(Block("", {}, (wrong,), extra={N: sympy.Integer(3)}), problem.graph)
    assert bad is not None and bad.check is not None and bad.check.status == "failed"


def test_a_misprinted_matrix_of_numbers_does_not_read_back() -> None:
    problem = _problem("linreg-l2-batch")
    last = _block(problem, "matrix_numbers_weights").steps[-1]
    reader = ReadBack({})
    reader.fragment(last, r"\left[\begin{matrix}- \frac{17}{30}\\- \frac{113}{30}\end{matrix}"
                          r"\right]", last.rhs)
    assert not reader.mismatches
    reader.fragment(last, r"\left[\begin{matrix}- \frac{17}{30}\\- \frac{103}{30}\end{matrix}"
                          r"\right]", last.rhs)
    assert len(reader.mismatches) == 1


def _check(tmp_path: Path, text: str) -> str:
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1, result.output
    return str(result.output)


BASE = (PROBLEMS / "linreg-l2-batch.yaml").read_text(encoding="utf-8")


def test_a_shape_mismatch_names_file_line_key_and_both_shapes(tmp_path: Path) -> None:
    out = _check(tmp_path, BASE.replace("w: {shape: [2]}", "w: {shape: [3]}").replace(
        "w: [1, -1]", "w: [1, -1, 0]"))
    line = 1 + BASE.splitlines().index(next(
        ln for ln in BASE.splitlines() if ln.startswith("  - batch:")))
    assert f"p.yaml:{line}" in out and "weights" in out
    assert "[3]" in out and "[3, 2]" in out and "[2]" in out
    out = _check(tmp_path, BASE.replace("X: [[1, 2], [0, 1], [2, -1]]",
                                        "X: [[1, 2, 0], [0, 1, 0]]"))
    assert "values.X has shape [2, 3], but X is declared with shape [3, 2]" in out
    assert "p.yaml:" in out


def test_form_matrix_needs_a_batch_layer(tmp_path: Path) -> None:
    text = (PROBLEMS / "dense-l2.yaml").read_text(encoding="utf-8") + "form: matrix\n"
    assert "form: matrix needs a batch model" in _check(tmp_path, text)


def test_softmax_over_a_hidden_layer_with_l2_verifies(tmp_path: Path) -> None:
    """Z = HWᵀ + 𝟏bᵀ over H = σ(XVᵀ): every ∇ line must read H, not X (a bug the
    verifier caught while this was written), and λ covers V and W."""
    text = (PROBLEMS / "softmax-ce-batch.yaml").read_text(encoding="utf-8")
    text = text.replace("layers:", "hypers:\n  lam: {}\nlayers:").replace(
        "loss: ce,", "loss: ce, lambda: lam, hidden: [{weights: V, fn: sigma}],").replace(
        "  b: {shape: [3]}\n", "  b: {shape: [3]}\n  V: {shape: [2, 2]}\n").replace(
        "wrt: [W, b]", "wrt: [W, b, V]").replace(
        "precision: 4", "  V: [[1, 0], [0, 1]]\n  lam: 0.5\nprecision: 4")
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 0, result.output
    steps = prepare(path).solution.steps()
    assert any("V" in str(s.lhs) for s in steps if s.rule == "matrix_chain_rule")


def test_expect_is_checked_in_the_matrix_form_too(tmp_path: Path) -> None:
    right = BASE + "expect:\n  Derivative(L, yhat1): (yhat1 - y1)/3\n"
    path = tmp_path / "ok.yaml"
    path.write_text(right, encoding="utf-8")
    assert CliRunner().invoke(main, ["check", str(path)]).exit_code == 0
    out = _check(tmp_path, right.replace("(yhat1 - y1)/3", "(yhat1 - y1)/2"))
    assert "expect.Derivative(L, yhat1): expected value does not follow" in out
