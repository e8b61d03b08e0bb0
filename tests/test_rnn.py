"""RNN + backpropagation through time (problems/rnn-bptt.yaml), checked independently.

The solver's numbers (each term of the sum over time, each factor ∂a_{t+1}/∂a_t and their
product) are compared with a forward pass written here in mpmath and differentiated by
central differences at 40 digits: a term of the sum is ∂L/∂u_t of the same net with the
weight untied (u_t used at step t only), a factor is ∂a_{t+1}/∂a_t with a_t nudged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import mpmath
import pytest
from conftest import ROOT

from generator.algebra.trace import Solution
from generator.formats.text import render
from generator.solvers.problem import prepare
from generator.theme.theme import Theme
from generator.view.model import document_view

PROBLEM = ROOT / "problems" / "rnn-bptt.yaml"
GIVEN = {"x": [0.5, 0.5, 0.5], "y": 0, "h0": 0.5, "w": 1, "u": 0.5, "b": 0}
mpmath.mp.dps = 60
H = mpmath.mpf("1e-25")


def forward(x: list[object], y: object, h0: object, w: object, us: list[object], b: object,
            nudge: tuple[int, object] = (-1, 0), every_step: bool = False
            ) -> tuple[object, list[object]]:
    """L and a_1 … a_T of h_t = tanh(w x_t + u_t h_{t−1} + b), in mpmath."""
    h, pre, loss = mpmath.mpf(h0), [], mpmath.mpf(0)
    for t, (xt, ut) in enumerate(zip(x, us, strict=True)):
        a = w * mpmath.mpf(xt) + ut * h + b + (nudge[1] if nudge[0] == t else 0)
        pre.append(a)
        h = mpmath.tanh(a)
        if every_step or t == len(x) - 1:
            loss += (h - y) ** 2 / 2
    return loss, pre


def central(f: Callable[[object], object]) -> object:
    return (f(H) - f(-H)) / (2 * H)


def numbers(solution: Solution) -> dict[str, mpmath.mpf]:
    """The ≈ lines of the through-time section, by their left side."""
    out = {}
    for line in solution.to_text().splitlines():
        m = re.match(r"\s+\[approximate\] (\S.*) \\approx (\S+)", line)
        if m:
            out[m.group(1)] = mpmath.mpf(m.group(2))
    return out


def test_terms_factors_and_gradient_match_finite_differences() -> None:
    got = numbers(prepare(PROBLEM).solution)
    g = {k: mpmath.mpf(v) for k, v in GIVEN.items() if k != "x"}
    x, u = GIVEN["x"], g["u"]

    def loss(us: list[object], nudge: tuple[int, object] = (-1, 0)) -> object:
        return forward(x, g["y"], g["h0"], g["w"], us, g["b"], nudge)[0]

    half = mpmath.mpf("0.5e-6") * (1 + mpmath.mpf("1e-20"))
    for t in range(3):  # term t: the weight untied, u_t moved alone
        term = central(lambda e, t=t: loss([u + (e if s == t else 0) for s in range(3)]))
        label = "h0" if t == 0 else f"h{t}"
        assert abs(got[f"{label}*Derivative(L, a{t + 1})"] - term) <= half
    total = central(lambda e: loss([u + e] * 3))
    assert abs(got["Derivative(L, u)"] - total) <= half
    factors = []
    for t in range(2):
        fac = central(lambda e, t=t: forward(x, g["y"], g["h0"], g["w"], [u] * 3, g["b"],
                                             (t, e))[1][t + 1])
        factors.append(fac)
        assert abs(got[f"Derivative(a{t + 2}, a{t + 1})"] - fac) <= half
    assert abs(got["Derivative(a3, a1)"] - factors[0] * factors[1]) <= half
    # The numbers show the vanishing: every factor below 1, the early terms smaller.
    assert all(abs(f) < 1 for f in factors)
    assert got["h0*Derivative(L, a1)"] < got["h1*Derivative(L, a2)"] < got[
        "h2*Derivative(L, a3)"]


def test_the_sentence_states_the_product_in_both_languages() -> None:
    problem = prepare(PROBLEM)
    theme = Theme()
    en = render(document_view(problem, theme.voice("en")), "md", theme)
    zh = render(document_view(problem, theme.voice("zh-TW")), "md", theme)
    product = (r"From $a_{3}$ back to $a_{1}$ the product of the factors is "
               r"$\frac{\partial a_{3}}{\partial a_{1}} \approx 0.081444$. Its size is below 1")
    assert product in en and "(vanishing gradient)" in en
    assert (r"各因子的乘積是 $\frac{\partial a_{3}}{\partial a_{1}} \approx 0.081444$。"
            r"它的絕對值小於 1") in zh and "（梯度消失）" in zh


def _variant(tmp_path: Path, old: str, new: str, paths: bool = False) -> Solution:
    path = tmp_path / "rnn.yaml"
    text = PROBLEM.read_text(encoding="utf-8").replace(old, new)
    if paths:
        text = text.replace("method: backprop", "method: paths")
    path.write_text(text, encoding="utf-8")
    return prepare(path, display="rnn.yaml").solution


def test_exploding_factors_are_said_so(tmp_path: Path) -> None:
    solution = _variant(tmp_path, "values: {x: [0.5, 0.5, 0.5], y: 0, h0: 0.5, w: 1, u: 0.5",
                        "values: {x: [0.1, 0.1, 0.1], y: 1, h0: 0.1, w: 0.1, u: 2")
    block = next(b for s in solution.sections for b in s.blocks if b.key == "time_product")
    assert block.params["trend"] == "exploding"
    assert mpmath.mpf(str(block.params["value"])) > 1


EVERY_STEP = "L: (h1 - y)^2/2 + (h2 - y)^2/2 + (h3 - y)^2/2"


def _every_step_total(g: dict[str, mpmath.mpf]) -> object:
    return central(lambda e: forward(GIVEN["x"], g["y"], g["h0"], g["w"], [g["u"] + e] * 3,
                                     g["b"], every_step=True)[0])


@pytest.mark.parametrize("paths", [False, True])
def test_a_loss_at_every_step_is_summed_over_time_too(tmp_path: Path, paths: bool) -> None:
    # Backprop writes ∂L/∂h_2 for δ_{h_2}, the total derivative, although L also uses h_2
    # directly; the path sums write L's local partial. Both layouts build and agree.
    solution = _variant(tmp_path, "L: (h3 - y)^2/2", EVERY_STEP, paths=paths)
    keys = [b.key for s in solution.sections for b in s.blocks]
    # ∂L/∂a_t is no longer ∂L/∂a_3 times the factors: that block is left out, the rest stays.
    assert ("time_sum_shown" if not paths else "time_sum") in keys
    assert "time_factor" in keys and "time_chain" not in keys
    got = numbers(solution)
    g = {k: mpmath.mpf(v) for k, v in GIVEN.items() if k != "x"}
    assert abs(got["Derivative(L, u)"] - _every_step_total(g)) <= mpmath.mpf("0.5e-6")


def test_every_step_backprop_writes_the_total_and_the_direct_term(tmp_path: Path) -> None:
    """δ_{h_2} = δ_{a_3} ∂a_3/∂h_2 + (h_2 − y): the line the verifier refused before, where
    ∂L/∂h_2 on the right of δ_{a_2} was read as L's own partial (h_2 − y) only."""
    path = tmp_path / "rnn.yaml"
    path.write_text(PROBLEM.read_text(encoding="utf-8").replace("L: (h3 - y)^2/2",
                                                                 EVERY_STEP), encoding="utf-8")
    problem = prepare(path, display="rnn.yaml")
    en = render(document_view(problem, Theme().voice("en")), "md", Theme())
    assert (r"\frac{\partial L}{\partial h_{2}} &= \frac{\partial L}{\partial a_{3}}\,"
            r"\frac{\partial a_{3}}{\partial h_{2}} + h_{2} - y \\" + "\n"
            r"&= \frac{\partial L}{\partial a_{3}} u + h_{2} - y") in en
    assert (r"\frac{\partial L}{\partial a_{2}} &= \frac{\partial L}{\partial h_{2}}\,"
            r"\frac{\partial h_{2}}{\partial a_{2}}") in en
    # Each δ_{a_t} with numbers equals ∂L/∂a_t by finite differences of the forward pass.
    g = {k: mpmath.mpf(v) for k, v in GIVEN.items() if k != "x"}
    got = numbers(problem.solution)
    for t in range(3):
        def loss(e: object, t: int = t) -> object:
            return forward(GIVEN["x"], g["y"], g["h0"], g["w"], [g["u"]] * 3, g["b"],
                           (t, e), every_step=True)[0]
        h_before = g["h0"] if t == 0 else mpmath.tanh(forward(
            GIVEN["x"], g["y"], g["h0"], g["w"], [g["u"]] * 3, g["b"])[1][t - 1])
        label = "h0" if t == 0 else f"h{t}"
        assert abs(got[f"{label}*Derivative(L, a{t + 1})"] - central(loss) * h_before) <= (
            mpmath.mpf("0.5e-6"))


def test_backprop_does_not_write_the_sum_over_time_twice() -> None:
    """Step 3 writes ∂L/∂u = Σ_t ∂L/∂a_t ∂a_t/∂u; the through-time section says so, in
    both languages, and does not print that line again."""
    problem = prepare(PROBLEM)
    theme = Theme()
    line = (r"\frac{\partial L}{\partial u} &= \frac{\partial L}{\partial a_{1}}\,"
            r"\frac{\partial a_{1}}{\partial u}")
    en = render(document_view(problem, theme.voice("en")), "md", theme)
    zh = render(document_view(problem, theme.voice("zh-TW")), "md", theme)
    for text in (en, zh):
        assert text.count(line) == 1
    assert "So its gradient, written in Step 3 above, is a sum over the time steps" in en
    assert "因此上面 Step.3 求得的梯度是各時間步的和" in zh


def test_torch_autograd_agrees() -> None:
    torch = pytest.importorskip("torch")
    u = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    h = torch.tensor(0.5, dtype=torch.float64)
    for xt in GIVEN["x"]:
        h = torch.tanh(1.0 * xt + u * h + 0.0)
    ((h - 0) ** 2 / 2).backward()
    got = numbers(prepare(PROBLEM).solution)["Derivative(L, u)"]
    assert abs(float(got) - u.grad.item()) <= 0.5e-6


def test_the_values_are_stated_before_the_time_sum_uses_them() -> None:
    # Issue 15: every given stated before it is used. The BPTT section's factors carry
    # numbers (≈ 0.298293), so it comes after the step that states x, y, h₀, w, u, b.
    problem = prepare(PROBLEM)
    for lang, given, bptt in (("en", "Given:", "### Backpropagation through time"),
                              ("zh-TW", "已知：", "### 沿時間反向傳播")):
        page = render(document_view(problem, Theme().voice(lang)), "md", Theme())
        assert page.index(given) < page.index(bptt) < page.index("\\approx 0.298293")
