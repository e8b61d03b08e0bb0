"""Sentence markup → LaTeX: text escaped outside math, bold, italics, paragraphs, lists."""

from __future__ import annotations

from generator.algebra.latex_text import Run, Text, escape, parse, plain, tex, to_tex


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


def test_title_from_yaml_keeps_math_and_escapes_the_rest() -> None:
    title = r"Derivatives of $\tanh^{(k)}(x)$, 100% & #1_a, costs $5 \o/"
    assert tex(title) == (r"Derivatives of $\tanh^{(k)}(x)$, 100\% \& \#1\_a, costs \$5 "
                          r"\textbackslash{}o/")
    assert plain(title) == (r"Derivatives of tanh\textasciicircum{}(k)(x), 100\% \& \#1\_a, "
                            r"costs \$5 \textbackslash{}o/")
    assert tex("costs $5 and $6, $x$") == r"costs \$5 and \$6, $x$"


def test_paragraphs_italics_and_lists() -> None:
    markup = ("*Model answer.*\n\nFirst $x$ line\ncontinues.\n\n"
              "- **A**: one $|x|$\n  more of A\n- B\n\n1. first\n2. second\n")
    assert to_tex(markup) == (
        "\\emph{Model answer.}\n\nFirst $x$ line\ncontinues.\n\n"
        "\\begin{itemize}\n  \\item \\textbf{A}: one $|x|$ more of A\n  \\item B\n"
        "\\end{itemize}\n\n"
        "\\begin{enumerate}\n  \\item first\n  \\item second\n\\end{enumerate}")


def test_filter_converts_text_and_strings_alike() -> None:
    assert tex("HW_1 & 2") == r"HW\_1 \& 2"
    assert tex(Text("$x_1$ & y")) == r"$x_1$ \& y"
    assert not Text("")


def test_pdf_title_writes_greek_transpose_and_subscripts_as_text() -> None:
    # PDF metadata is plain text: `\Delta^{T}` would otherwise read "Delta\textasciicircum{}T".
    title = (r"Batch: $\Delta = (P - Y)/n$, $\nabla_W L = \Delta^{T} X$, $(X^{T}X)^{-1}$, "
             r"$\lambda w_{1}$")
    assert plain(title) == "Batch: Δ = (P - Y)/n, ∇W L = Δᵀ X, (XᵀX)⁻¹, λ w1"
