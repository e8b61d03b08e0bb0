"""A named node's local partial is written in its name: 1 − h², p_k(1 − p_k), never
1 − tanh²(a) or softmax_k(…) beside the h or p_k it defines (issue 14, course form)."""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT

from generator.solvers.problem import prepare
from generator.theme.theme import Theme
from generator.view import model


def _math(path: Path) -> str:
    made = model.problem_view(prepare(path), Theme().voice("en"))
    return "\n".join(b.math for s in made.sections for b in s.blocks)


def test_backprop_through_time_writes_one_minus_h_squared() -> None:
    math = _math(ROOT / "problems" / "rnn-bptt.yaml")
    for t in (1, 2, 3):
        assert (rf"&= \frac{{\partial L}}{{\partial h_{{{t}}}}} (1 - h_{{{t}}}^{{2}})"
                in math)
    assert r"&= u (1 - h_{1}^{2}) \\" in math  # ∂a₂/∂a₁ in the factors of BPTT
    assert r"\tanh^{2}(a_" not in math


def test_backprop_tanh_layer_writes_one_minus_h_squared() -> None:
    math = _math(ROOT / "problems" / "mlp-tanh-bce.yaml")
    assert r"&= \frac{\partial L}{\partial h_{1}} (1 - h_{1}^{2}) \\" in math
    assert r"\tanh^{2}" not in math


def test_the_path_layout_writes_attention_weights_by_name(tmp_path: Path) -> None:
    text = (ROOT / "problems" / "attention-head.yaml").read_text(encoding="utf-8")
    path = tmp_path / "att.yaml"
    path.write_text(text.replace("method: backprop", "method: paths"), encoding="utf-8")
    math = _math(path)
    assert r"\Rightarrow \frac{\partial a_{1}}{\partial s_{2}} &= - a_{1} a_{2} \\" in math
    assert r"\Rightarrow \frac{\partial a_{3}}{\partial s_{3}} &= a_{3} (1 - a_{3})" in math
    assert r"\operatorname{softmax}" not in math


def test_the_path_layout_numbers_its_steps_on_across_parameters() -> None:
    """Step 2–4 per parameter used to restart at Step 2 for the next one (issue 14)."""
    made = model.problem_view(prepare(ROOT / "problems" / "dropout-mask.yaml"),
                              Theme().voice("en"))
    headings = [s.heading for s in made.sections]
    assert headings == [
        "Step 1. Define the model",
        "Step 2. The gradient formula for $w_{1}$",
        "Step 3. Compute the partial derivatives",
        "Step 4. Substitute to get the gradient with respect to $w_{1}$",
        "Step 5. The gradient formula for $w_{2}$",
        "Step 6. Compute the partial derivatives",
        "Step 7. Substitute to get the gradient with respect to $w_{2}$",
        "Step 8. Substitute the given values",
    ]
