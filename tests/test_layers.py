"""Every built-in gradient checked three ways (four with torch), from its answer key:
the solver's path sum or backpropagation result vs sympy `diff` of the inlined loss vs
mpmath central finite differences, and vs torch autograd when torch is installed."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy
from threeway import (
    PROBLEMS,
    answer_key,
    central_difference,
    inlined,
    random_point,
    torch_gradients,
)

GRADIENTS = ["hw1-3-conv-w11", "mlp-tanh-bce", "softmax-ce", "conv-stride2-bias", "dense-l2",
             "linreg-l2-batch", "softmax-ce-batch", "logistic-bce-batch", "mlp-batch-matrix"]
DIGITS_30 = sympy.Float("1e-30")


def _answers(name: str) -> tuple[dict[str, object], sympy.Expr, dict[sympy.Symbol, sympy.Expr]]:
    key = answer_key(PROBLEMS / f"{name}.yaml")
    found = {sympy.Symbol(k.removeprefix(f"Derivative({key['loss']}, ").rstrip(")")):
             sympy.sympify(v) for k, v in key["answers"].items()}
    return key, inlined(key), found


@pytest.mark.parametrize("name", GRADIENTS)
def test_answers_equal_diff_of_inlined_loss_to_30_digits(name: str) -> None:
    _, loss, found = _answers(name)
    assert found
    for seed in range(3):
        point = random_point(loss.free_symbols, seed)
        for var, answer in found.items():
            truth = sympy.N(sympy.diff(loss, var).xreplace(point), 40)
            got = sympy.N(answer.xreplace(point), 40)
            assert abs(truth - got) < DIGITS_30 * (1 + abs(truth)), (var, truth, got)


@pytest.mark.parametrize("name", GRADIENTS)
def test_answers_equal_central_differences(name: str) -> None:
    _, loss, found = _answers(name)
    point = random_point(loss.free_symbols, 11)
    for var, answer in found.items():
        fd = central_difference(loss, var, point)
        got = sympy.N(answer.xreplace(point), 60)
        assert abs(fd - got) < DIGITS_30 * (1 + abs(got)), (var, fd, got)


@pytest.mark.parametrize("name", GRADIENTS)
def test_answers_equal_torch_autograd(name: str) -> None:
    pytest.importorskip("torch")
    key, loss, found = _answers(name)
    point = random_point(loss.free_symbols, 5)
    grads = torch_gradients(key, point)
    for var, answer in found.items():
        got = float(sympy.N(answer.xreplace(point), 30))
        assert abs(grads[var.name] - got) <= 1e-10 * (1 + abs(got)), (var, grads[var.name], got)


def test_path_sums_and_backpropagation_agree(tmp_path: Path) -> None:
    """The same network written both ways: the two derivations give one gradient."""
    text = (PROBLEMS / "mlp-tanh-bce.yaml").read_text(encoding="utf-8")
    paths = tmp_path / "mlp-paths.yaml"
    paths.write_text(text.replace("method: backprop", "method: paths"), encoding="utf-8")
    by_paths, by_deltas = answer_key(paths), answer_key(PROBLEMS / "mlp-tanh-bce.yaml")
    assert by_paths["answers"].keys() == by_deltas["answers"].keys()
    assert any(s["rule"] == "sum_over_paths" for s in by_paths["steps"])
    assert any(s["rule"] == "backprop_sum" for s in by_deltas["steps"])
    loss = inlined(by_deltas)
    point = random_point(loss.free_symbols, 3)
    for k, v in by_paths["answers"].items():
        a = sympy.N(sympy.sympify(v).xreplace(point), 40)
        b = sympy.N(sympy.sympify(by_deltas["answers"][k]).xreplace(point), 40)
        assert abs(a - b) < DIGITS_30 * (1 + abs(a))


def test_softmax_ce_shows_p_minus_y_with_its_derivation() -> None:
    key = answer_key(PROBLEMS / "softmax-ce.yaml")
    rules = [s["rule"] for s in key["steps"]]
    at = rules.index("softmax_ce_local")
    assert rules[at - 1:at + 3] == ["chain_rule", "softmax_ce_local", "simplify", "one_hot"]
    assert key["steps"][at + 2]["rhs"] == "p1 - y1"
    assert all(s["check"] in ("proved", "numeric") for s in key["steps"])


def test_strided_conv_lists_the_inputs_each_weight_touches() -> None:
    key = answer_key(PROBLEMS / "conv-stride2-bias.yaml")
    touches = {}
    for s in key["steps"]:
        if s["rule"] == "local_derivative" and s["lhs"].startswith("Derivative(z"):
            weight = s["lhs"].split(", ")[1].rstrip(")")
            touches.setdefault(weight, []).append(s["rhs"])
    # stride 2, "same" padding (one zero row and column after the input): computed by hand
    assert touches["w11"][:4] == ["a11", "a13", "a31", "a33"]
    assert touches["w12"][:2] == ["a12", "a32"]
    assert touches["w21"][:2] == ["a21", "a23"]
    assert touches["w22"][0] == "a22"


def _sgd_by_hand(loss: sympy.Expr, data: list[dict[str, float]], theta: dict[str, float],
                 order: list[int], lr: float, mu: float, steps: int, batch: int
                 ) -> tuple[dict[str, sympy.Float], sympy.Float]:
    """Mini-batch SGD with momentum straight from sympy diff of the inlined loss, 60 digits."""
    sym = {n: sympy.Symbol(n) for n in theta}
    grads = {n: sympy.diff(loss, s) for n, s in sym.items()}
    th = {n: sympy.nsimplify(v) for n, v in theta.items()}
    vel = {n: sympy.Integer(0) for n in theta}
    drawn = [order[i % len(order)] for i in range(steps * batch)]
    for t in range(steps):
        chunk = drawn[t * batch:(t + 1) * batch]
        for n in theta:
            g = sum(sympy.N(grads[n].xreplace({**_sample(data[k - 1]), **_at(sym, th)}), 60)
                    for k in chunk) / batch
            vel[n] = sympy.nsimplify(mu) * vel[n] + g
        th = {n: th[n] - sympy.nsimplify(lr) * vel[n] for n in theta}
    mean = sum(sympy.N(loss.xreplace({**_sample(s), **_at(sym, th)}), 60) for s in data)
    return {n: sympy.N(v, 60) for n, v in th.items()}, mean / len(data)


def _sample(s: dict[str, float]) -> dict[sympy.Symbol, sympy.Expr]:
    return {sympy.Symbol(k): sympy.nsimplify(v) for k, v in s.items()}


def _at(sym: dict[str, sympy.Symbol], th: dict[str, sympy.Expr]) -> dict[sympy.Symbol,
                                                                          sympy.Expr]:
    return {sym[n]: v for n, v in th.items()}


MINIBATCH = dict(data=[{"x1": 1, "x2": 2, "y": 1}, {"x1": -1, "x2": 0.5, "y": 0},
                       {"x1": 2, "x2": -1, "y": 1}, {"x1": 0, "x2": 1, "y": 0}],
                 theta={"w1": 0.5, "w2": -0.25, "b": 0}, order=[3, 1, 4, 2], lr=0.5, mu=0.9,
                 steps=2, batch=2)


def test_minibatch_sgd_matches_an_independent_run_to_30_digits() -> None:
    key = answer_key(PROBLEMS / "minibatch-sgd.yaml")
    theta, loss = _sgd_by_hand(inlined(key), **MINIBATCH)  # type: ignore[arg-type]
    for name, value in theta.items():
        got = sympy.Float(key["answers"][f"{name}^(2)"], 40)
        assert abs(got - value) < DIGITS_30, (name, got, value)
    assert abs(sympy.Float(key["answers"]["loss^(2)"], 40) - loss) < DIGITS_30


def test_minibatch_sgd_matches_torch_sgd_with_momentum() -> None:
    torch = pytest.importorskip("torch")
    key = answer_key(PROBLEMS / "minibatch-sgd.yaml")
    w = torch.tensor([0.5, -0.25], dtype=torch.float64, requires_grad=True)
    b = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=0.5, momentum=0.9)
    data = MINIBATCH["data"]
    for chunk in ([3, 1], [4, 2]):
        opt.zero_grad()
        losses = []
        for k in chunk:
            s = data[k - 1]  # type: ignore[index]
            p = torch.sigmoid(w[0] * s["x1"] + w[1] * s["x2"] + b)
            losses.append(torch.nn.functional.binary_cross_entropy(
                p, torch.tensor(float(s["y"]), dtype=torch.float64)))
        torch.stack(losses).mean().backward()
        opt.step()
    for name, value in (("w1", w[0]), ("w2", w[1]), ("b", b)):
        assert abs(float(key["answers"][f"{name}^(2)"]) - float(value.detach())) < 1e-12
