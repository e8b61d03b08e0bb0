"""`statement:` (the author's question, with {{ name }} slots) and `points:` on question
sheets; slots are checked against the declared symbols, never run as a template."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from click.testing import CliRunner
from conftest import ROOT

from generator.cli import main

HW = ROOT / "problems" / "hw1-3-conv-w11-variants.yaml"
STATEMENT = """statement:
  zh-TW: |
    全連接層權重 $w_c = {{ wc }}$、$w_d = {{ wd }}$，目標為 {{ yy }}。
    請求出 MSE 對 $w_{11}$ 的梯度。
  en: |
    The dense weights are $w_c = {{ wc }}$ and $w_d = {{ wd }}$, the target is {{ yy }}.
    Find the gradient of the MSE with respect to $w_{11}$.
points: {w: 3}
"""


def _problem(tmp_path: Path, extra: str) -> Path:
    text = HW.read_text(encoding="utf-8").replace("where:\n", extra + "where:\n")
    path = tmp_path / "hw.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _tex(exact: str, decimal: bool) -> str:
    """The LaTeX a sheet prints for an exact value: 3, -0.9 (drawn as a decimal), \\frac{3}{2}."""
    value = Fraction(exact)
    if value.denominator == 1:
        return str(value.numerator)
    if decimal:
        return str(Decimal(value.numerator) / Decimal(value.denominator))
    sign = "- " if value < 0 else ""
    return sign + rf"\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"


def test_question_sheets_start_with_the_statement_and_show_points(tmp_path: Path) -> None:
    path = _problem(tmp_path, STATEMENT)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--out", str(out), str(path), "--variants", "3",
                                       "--seed", "5", "--format", "md"])
    assert result.exit_code == 0, result.output
    key = json.loads((out / HW.stem / "answers.json").read_text(encoding="utf-8"))
    for variant in key["variants"]:
        values = variant["values"]
        wc, wd, yy = _tex(values["wc"], True), _tex(values["wd"], False), values["yy"]
        en = (out / "en" / HW.stem / f"{variant['variant']}.question.md").read_text("utf-8")
        body = en.split("\n\n", 2)[2]  # after the front matter and the title
        assert body.startswith(
            f"The dense weights are $w_c = {wc}$ and $w_d = {wd}$, the target is ${yy}$.\n"
            "Find the gradient of the MSE with respect to $w_{11}$.\n\n### Consider the model")
        assert "\n### Question (3 points)\n" in en
        zh = (out / "zh-TW" / HW.stem / f"{variant['variant']}.question.md").read_text("utf-8")
        assert f"全連接層權重 $w_c = {wc}$、$w_d = {wd}$，目標為 ${yy}$。\n" in zh
        assert "\n### 題目（共 3 分）\n" in zh
        answer = (out / "en" / HW.stem / f"{variant['variant']}.answer.md").read_text("utf-8")
        assert "The dense weights" not in answer


def test_slots_name_declared_symbols_only(tmp_path: Path) -> None:
    bad = STATEMENT.replace("the target is {{ yy }}.",
                            "the target is {{ config }} {{ yy.__class__ }} {% if 1 %}{{7*7}}."
                            ).replace("{w: 3}", "{w: 3, yy: 2}")
    path = _problem(tmp_path, bad)
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines, 1) if "{{ config }}" in line)
    points = next(i for i, line in enumerate(lines, 1) if line.startswith("points:"))
    allowed = ("a, a11, a12, a13, a21, a22, a23, a31, a32, a33, n, w, w11, w12, w21, w22, "
               "wa, wb, wc, wd, yy")
    assert result.output == (
        f"{path}:{at}: statement.en: slot {{{{ config }}}} names no declared symbol\n"
        f"  hint: a slot is {{{{ name }}}} with one of: {allowed}\n"
        f"{path}:{at}: statement.en: slot {{{{ yy.__class__ }}}} is not a name\n"
        f"  hint: a slot is {{{{ name }}}} with one of: {allowed}\n"
        f"{path}:{at}: statement.en: slot {{{{ 7*7 }}}} is not a name\n"
        f"  hint: a slot is {{{{ name }}}} with one of: {allowed}\n"
        f"{path}:{at}: statement.en: '{{%' is not a slot\n"
        "  hint: a statement only has {{ name }} slots (no {% %} or {# #})\n"
        f"{path}:{points}: points.yy: yy is not a parameter\n"
        "  hint: points are given per parameter: w, w11, w12, w21, w22, wa, wb, wc, wd\n"
        "1 of 1 problem files failed; nothing was written.\n")
