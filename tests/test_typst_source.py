"""The typst source pandoc makes from solgen's Markdown, before typst compiles it."""

from __future__ import annotations

from conftest import ROOT

from generator import pandoc
from generator.pdf import TYPST_FONTS, binary_continuations


def source(lang: str) -> str:
    markdown = (ROOT / "tests" / "golden" / "hw1-3-conv-w11" / f"{lang}.md").read_text("utf-8")
    return binary_continuations(pandoc.typst(markdown, *TYPST_FONTS[lang]))


def test_continued_sums_keep_a_binary_plus() -> None:
    typ = source("en")
    assert typ.count('& #h(2em) "" + ') == 9  # 3 continued rows in step 2, 3 + 3 in step 4
    assert "#h(2em)  +" not in typ and "#h(2em) +" not in typ


def test_title_language_and_fonts() -> None:
    typ = source("zh-TW")
    assert "#set document(title: [HW 1-3])" in typ
    assert 'lang: "zh",\n  region: "TW",' in typ
    assert 'font: ("Libertinus Serif", "Noto Serif CJK TC", )' in typ
    assert "= Step.1 定義模型參數" in typ
