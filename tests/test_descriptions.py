"""Sentences that describe a mathematical object take their words from what the spec
defines (issue 14): the loss's kind as built, a dense output's role, what n means."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from generator.cli import main

SGD = (ROOT / "problems" / "week1-sgd-step.yaml").read_text(encoding="utf-8")
HW13 = (ROOT / "problems" / "hw1-3-conv-w11.yaml").read_text(encoding="utf-8")
LOSS_LINE = "  L: (y - h)^2   # the seed never states its loss; its update rule implies this one"

# loss as written → (en sentence, zh-TW sentence)
SGD_LOSSES = {
    "(y - h)^2": ("Loss (squared error):", "損失函數（平方誤差）："),
    "(h - y)^2/2": ("Loss (half the squared error):", "損失函數（平方誤差的一半）："),
    "-(y*log(h) + (1 - y)*log(1 - h))": ("Loss (binary cross-entropy):",
                                         "損失函數（二元交叉熵）："),
    "(y - h)^4": ("Loss, as the problem defines it:", "損失函數（依題目的定義）："),
}


def _show(tmp_path: Path, text: str, lang: str, fmt: str = "md") -> str:
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["show", str(path), "--lang", lang, "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("loss", list(SGD_LOSSES))
def test_sgd_names_its_loss_as_written(tmp_path: Path, loss: str) -> None:
    assert LOSS_LINE in SGD
    text = SGD.replace(LOSS_LINE, f"  L: {loss}").replace("data: {x1: 1, x2: 2, y: 3}",
                                                          "data: {x1: 1, x2: 2, y: 1}")
    en, zh = SGD_LOSSES[loss]
    shown_en, shown_zh = _show(tmp_path, text, "en"), _show(tmp_path, text, "zh-TW")
    assert en in shown_en and zh in shown_zh
    others = [s for k, pair in SGD_LOSSES.items() if k != loss for s in pair]
    assert not any(s in shown_en or s in shown_zh for s in others)
    assert "squared error implied by the update rule" not in shown_en


def test_sgd_bce_question_sheet_and_moodle_name_the_loss(tmp_path: Path) -> None:
    text = (ROOT / "problems" / "week1-sgd-step-variants.yaml").read_text(encoding="utf-8")
    assert "(y - h)^2" in text
    path = tmp_path / "bce.yaml"
    path.write_text(text.replace("(y - h)^2", "-(y*log(h) + (1 - y)*log(1 - h))"),
                    encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(path), "--out", str(out), "--variants", "2",
                                       "--seed", "1", "--format", "md", "--format", "moodle"])
    assert result.exit_code == 0, result.output
    texts = [p.read_text(encoding="utf-8") for p in out.rglob("*") if p.suffix in (".md", ".xml")]
    assert any(p.suffix == ".xml" for p in out.rglob("*"))
    joined = "\n".join(texts)
    assert "binary cross-entropy" in joined and "二元交叉熵" in joined
    assert "平方誤差" not in joined and "squared error" not in joined


@pytest.mark.parametrize(("n", "en", "zh"), [
    ("1", "is the loss (mean squared error)", "為損失函數（均方誤差）"),
    ("2", "is the loss (half the mean squared error)", "為損失函數（均方誤差的一半）"),
    ("3", "(the sum of squared errors times the factor in front)", "平方誤差總和乘上前面的係數")])
def test_mse_is_named_by_its_n(tmp_path: Path, n: str, en: str, zh: str) -> None:
    text = HW13.replace("constants: {n: 1}", f"constants: {{n: {n}}}")
    assert _show(tmp_path, text, "en").count(en) == 1
    assert _show(tmp_path, text, "zh-TW").count(zh) == 1


def test_n_is_the_number_of_samples_only_when_it_is(tmp_path: Path) -> None:
    assert "$n$ 為樣本數（本題 $n=1$）" in _show(tmp_path, HW13, "zh-TW")
    two = _show(tmp_path, HW13.replace("constants: {n: 1}", "constants: {n: 2}"), "zh-TW")
    assert "樣本數" not in two and "$n=2$ 為常數" in two


LOGISTIC = """id: logistic
title: {zh-TW: 邏輯迴歸, en: Logistic regression}
kind: gradient
inputs: {x1: {}, x2: {}, y: {}}
params: {w1: {}, w2: {}, b: {}}
layers:
  - dense: {in: [x1, x2], weights: [w1, w2], bias: b, out: u}
  - activation: {fn: sigma, in: u, out: p}
  - loss: {kind: bce, target: y, pred: p, out: L}
loss: L
wrt: [w1]
"""


def test_a_dense_output_fed_to_an_activation_is_not_the_prediction(tmp_path: Path) -> None:
    en, zh = _show(tmp_path, LOGISTIC, "en"), _show(tmp_path, LOGISTIC, "zh-TW")
    assert "$u$ is the weighted sum fed to the activation" in en
    assert "$u$ 為送入激活函數的加權和" in zh
    assert "prediction" not in en and "預測值" not in zh
    assert "is the loss (binary cross-entropy)" in en
    # the same dense layer compared with the target directly is the prediction
    direct = LOGISTIC.replace("  - activation: {fn: sigma, in: u, out: p}\n", "").replace(
        "{kind: bce, target: y, pred: p, out: L}", "{kind: mse, target: y, pred: u, out: L}")
    assert "$u$ is the model's prediction" in _show(tmp_path, direct, "en")
