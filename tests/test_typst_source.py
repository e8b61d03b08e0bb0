"""The typst source pandoc makes from solgen's Markdown, before typst compiles it."""

from __future__ import annotations

import pytest
from conftest import ROOT

from generator.formats import pandoc
from generator.formats.pandoc_ast import clean_json
from generator.formats.pdf import TYPST_FONTS, binary_continuations
from generator.formats.typst_blocks import STICKY, UNBREAKABLE, display, keep_together
from generator.formats.typst_math import polish
from generator.theme.theme import Theme


def source(lang: str) -> str:
    markdown = (ROOT / "tests" / "golden" / "hw1-3-conv-w11" / f"{lang}.md").read_text("utf-8")
    return binary_continuations(pandoc.typst(markdown, *TYPST_FONTS[lang], Theme()))


def test_continued_sums_keep_a_binary_plus() -> None:
    typ = source("en")
    assert typ.count('& #h(2em) "" + ') == 9  # 3 continued rows in step 2, 3 + 3 in step 4
    assert "#h(2em)  +" not in typ and "#h(2em) +" not in typ


def test_title_language_and_fonts() -> None:
    typ = source("zh-TW")
    assert "#set document(title: [HW 1-3])" in typ
    assert 'lang: "zh",\n  region: "TW",' in typ
    assert 'font: ("New Computer Modern", "Noto Serif CJK TC", )' in typ
    assert "= Step.1 定義模型參數" in typ


def test_one_batch_gives_what_one_pandoc_run_per_document_gives() -> None:
    """The batch path (pandoc as a CGI server) against the command line, document by document."""
    docs = []
    for name in ("hw1-3-conv-w11", "week1-sgd-step", "sigmoid-derivatives-order6"):
        for lang in ("zh-TW", "en"):
            path = ROOT / "tests" / "golden" / name / f"{lang}.md"
            if path.exists():
                docs.append((path.read_text("utf-8"), *TYPST_FONTS[lang]))
    assert len(docs) >= 4
    template = ROOT / "templates" / pandoc.TYPST_TEMPLATE

    def command_line(markdown: str, fonts: list[str], heads: list[str]) -> str:
        tree = pandoc._pandoc([*pandoc.READ, "--to=json"], markdown.encode("utf-8"))
        kept = keep_together(clean_json(tree.decode("utf-8")),
                             continued=lambda lang: Theme().voice(lang).say("", "continued"))
        return pandoc._pandoc([*pandoc.COMMON, *pandoc.TYPST_ARGS, f"--template={template}",
                               *[f"--variable=mainfont:{f}" for f in fonts],
                               *[f"--variable=headingfont:{f}" for f in heads]],
                              kept.encode("utf-8")).decode("utf-8")

    by_command_line = [command_line(*doc) for doc in docs]
    assert pandoc.typst_many(docs, Theme()) == by_command_line


def test_a_document_pandoc_cannot_convert_is_an_error_not_a_crash() -> None:
    answers = pandoc.batch([{"text": "*a*", "from": "markdown", "to": "typst"},
                            {"text": "b", "from": "markdown", "to": "nonsense"}])
    assert answers[0]["output"] == "#emph[a]\n"
    assert answers[1] == {"error": "Unknown output format nonsense"}


def test_batches_keep_the_documents_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    docs = [(f"# Sheet {i}\n\n$x^{i}$\n", ["Libertinus Serif"], ["Libertinus Serif"])
            for i in range(5)]
    one_run = pandoc.typst_many(docs, Theme())
    monkeypatch.setattr(pandoc, "BATCH", 2)  # three pandoc runs: 2 + 2 + 1
    assert pandoc.typst_many(docs, Theme()) == one_run
    assert [f"Sheet {i}" in text for i, text in enumerate(one_run)] == [True] * 5


def test_every_display_and_its_lead_in_sit_in_one_unbreakable_block() -> None:
    typ = source("zh-TW")
    # Step 2's sentence and its four-path formula; every display of the sheet is wrapped.
    opening = display("（續）")  # the template's solgen-display: whole, or broken at `=` rows
    assert f"{opening}\n由連鎖律，對 $w_11$ 的梯度" in typ
    displays = typ.count("\n$ ") + typ.count(" $ ")
    assert displays == typ.count(opening) + typ.count(display("（續）", sticky=True)) > 5
    assert typ.count("#let solgen-display(") == 1  # defined once, at the top of the body
    week1 = (ROOT / "tests" / "golden" / "week1" / "zh-TW.md").read_text("utf-8")
    typ = pandoc.typst(week1, *TYPST_FONTS["zh-TW"], Theme())
    assert f"{STICKY}\n#strong[Step 1：" in typ  # a bold lead-in stays with its derivation
    assert f"{STICKY}\n#emph[參考答案：]" in typ


def test_bars_operator_names_and_big_delimiters_are_typst_own() -> None:
    assert polish(r"$\| x \| + \| z_1 - z_2 \|$") == r"$lr(| x |) + lr(| z_1 - z_2 |)$"
    assert polish(r'$"Var" \( w \) = "prox"_(alpha h)$') == (
        r'$op("Var") \( w \) = op("prox")_(alpha h)$')
    assert polish(r'$upright("MSE") "in" x$') == r'$upright("MSE") "in" x$'
    assert polish(r"a #scale(x: 180%, y: 180%)[\[] b #scale(x: 180%, y: 180%)[\]]") == (
        r"a stretch(\[, size: #180%) b stretch(\], size: #180%)")
    assert polish('upright(" 的定義)") upright(" for")') == 'upright("的定義)") upright(" for")'
    typ = polish(source("zh-TW"))
    assert "#scale(" not in typ and typ.count("stretch(") == 6


def test_a_note_in_a_display_is_one_run_of_text() -> None:
    """`\\text{（$\\sigma(x)$ 的定義）}` reaches typst as strings around math, which it spaces
    like operators ("( σ(x)  的定義)"); it becomes text with inline math in it."""
    note = r'$ x #h(2em) upright("（") sigma \( x \) upright(" 的定義）") $'
    assert polish(note) == r'$ x #h(2em) #[#"（"#$sigma \( x \)$#" 的定義）"] $'
    chain = (r'#h(2em) upright("(chain rule, ") (e^u)' "'" r' = e^u upright(", ") u = x y'
             r' upright(")")\\')
    assert polish(chain) == (r'#h(2em) #[#"(chain rule, "#$(e^u)' "'" r' = e^u$#", "#$u = x y$#")"]'
                             '\\\\')
    # Strings that are not a bracketed note stay as they are: n_in + n_out, a lone note.
    for kept in (r'frac(2, n_upright("in") + n_upright("out"))', r'x #h(2em) upright("(整理)")\\'):
        assert polish(kept) == kept
    typ = polish(pandoc.typst((ROOT / "tests" / "golden" / "week1" / "zh-TW.md").read_text("utf-8"),
                              *TYPST_FONTS["zh-TW"], Theme()))
    assert '#[#"（"#$sigma \\( x \\)$#" 的定義）"]' in typ and 'upright(" 的定義）")' not in typ
    assert 'upright("（拆開分式）")' in typ  # a note without math is one string already


def test_numbers_in_a_matrix_line_up_and_an_evaluation_bar_is_ordinary() -> None:
    assert polish(r'mat(delim: "[", - 0.2649, 0.2649; 0.2453, - 0.2453)') == (
        r'mat(delim: "[", align: #right, - 0.2649, 0.2649; 0.2453, - 0.2453)')
    for kept in (r'mat(delim: "[", - 1 / 2, 11 / 4)', r'mat(delim: "[", x_1; 2)'):
        assert polish(kept) == kept
    assert polish(r"nabla f #scale(x: 120%, y: 120%)[\|]_P") == (
        r'nabla f class("normal", stretch(\|, size: #120%))_P')


def test_a_table_stays_with_its_heading_and_lead_in() -> None:
    markdown = ("# T\n\n## 每一步之後的參數與損失\n\n損失為全部訓練資料的平均。\n\n"
                "| 步 | $b$ |\n| ---: | ---: |\n| 0 | 0.5 |\n| 1 | 0.25 |\n")
    typ = pandoc.typst(markdown, *TYPST_FONTS["zh-TW"], Theme())
    lead, table = typ.index("損失為全部訓練資料的平均。"), typ.index("#table(")
    assert typ.rfind(STICKY, 0, lead) > typ.rfind("]", 0, lead)  # the sentence is sticky
    assert typ.rfind(UNBREAKABLE, 0, table) > lead  # the table is one unbreakable block
