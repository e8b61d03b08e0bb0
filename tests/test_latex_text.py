"""Sentence markup → LaTeX, and escaping of plain text from YAML."""

from __future__ import annotations

from generator.latex_text import Run, Text, escape, parse, tex


def test_escape_every_special_character() -> None:
    assert escape(r"50% of $x_1 & y#2 {a} ~b^c \d") == (
        r"50\% of \$x\_1 \& y\#2 \{a\} \textasciitilde{}b\textasciicircum{}c "
        r"\textbackslash{}d")


def test_escape_leaves_cjk_and_punctuation() -> None:
    title = "一步 SGD 的參數更新（只代入、不需化簡）"
    assert escape(title) == title


def test_parse_math_bold_and_text() -> None:
    assert parse(r"資料 $(x_{1})=(1)$，**初始參數** $\theta^{0}$。") == (
        Run("text", "資料 "), Run("math", "(x_{1})=(1)"), Run("text", "，"),
        Run("bold", "初始參數"), Run("text", " "), Run("math", r"\theta^{0}"),
        Run("text", "。"))


def test_bold_with_math_inside_and_star_inside_math() -> None:
    markup = r"**計算 $\nabla_{\theta}h$（50%）：** and $a*b$"
    assert Text(markup).tex == (r"\textbf{計算 $\nabla_{\theta}h$（50\%）：} and $a*b$")
    assert str(Text(markup)) == markup


def test_filter_escapes_plain_strings_and_converts_text() -> None:
    assert tex("HW_1 & 2") == r"HW\_1 \& 2"
    assert tex(Text("$x_1$ & y")) == r"$x_1$ \& y"
    assert not Text("")
