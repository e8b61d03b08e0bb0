"""The typst source pandoc makes from solgen's Markdown, before typst compiles it."""

from __future__ import annotations

import pytest
from conftest import ROOT

from generator.formats import pandoc
from generator.formats.pdf import TYPST_FONTS, binary_continuations
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
    assert 'font: ("Libertinus Serif", "Noto Serif CJK TC", )' in typ
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
    by_command_line = [pandoc.run(markdown, [*pandoc.TYPST_ARGS, f"--template={template}",
                                             *[f"--variable=mainfont:{f}" for f in fonts],
                                             *[f"--variable=headingfont:{f}" for f in heads]]
                                  ).decode("utf-8") for markdown, fonts, heads in docs]
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
