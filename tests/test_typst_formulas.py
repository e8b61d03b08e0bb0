"""Issue 16, fifth pass: a class's typst sources share their formulas' conversions
(formats/typst_formulas.py), and each source is byte for byte what pandoc makes of that
sheet alone on the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from generator.formats import pandoc, typst_formulas, typst_skeleton
from generator.formats.pandoc_ast import clean_json
from generator.formats.pdf import TYPST_FONTS
from generator.formats.typst_blocks import keep_together
from generator.theme.theme import Theme

SOLGEN = Path(sys.executable).parent / "solgen"

# Formulas pandoc does not write as `$…$` alone (texmath cannot read them, or a \label),
# a `(` right after a formula (escaped by pandoc), formulas in emphasis, lists and at a
# line's start, the same formula inline and displayed.
TRICKY = """---
title: Tricky 1
lang: en
---

# Tricky 1

A $\\frac{a}{$ and $x \\label{eq1}$ and $$\\begin{foo} x \\end{bar}$$ ok $y$(3) *$z$ b*.

$-1$ starts a line, $x^{2}$ and

$$
x^{2}
$$

- $-1$ first
- $$a = \\sqrt{2}$$
"""


def command_line(markdown: str, fonts: list[str], heads: list[str]) -> str:
    """The sheet alone: pandoc's command line, one run to read and one to write."""
    template = ROOT / "templates" / pandoc.TYPST_TEMPLATE
    tree = pandoc._pandoc([*pandoc.READ, "--to=json"], markdown.encode("utf-8"))
    kept = keep_together(clean_json(tree.decode("utf-8")),
                         continued=lambda lang: Theme().voice(lang).say("", "continued"))
    return pandoc._pandoc([*pandoc.COMMON, *pandoc.TYPST_ARGS, f"--template={template}",
                           *[f"--variable=mainfont:{f}" for f in fonts],
                           *[f"--variable=headingfont:{f}" for f in heads]],
                          kept.encode("utf-8")).decode("utf-8")


@pytest.fixture(scope="module")
def class_sheets(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, list[str],
                                                                          list[str]]]:
    """The question and answer sheets of 5 HW 1-3 variants (zh-TW) and 3 SGD ones (en)."""
    out = tmp_path_factory.mktemp("class")
    for problem, count, lang in (("hw1-3-conv-w11-variants", "5", "zh-TW"),
                                 ("week1-sgd-step-variants", "3", "en")):
        subprocess.run([str(SOLGEN), "build", str(ROOT / "problems" / f"{problem}.yaml"),
                        "--variants", count, "--format", "md", "--lang", lang, "--out",
                        str(out)], check=True, capture_output=True, timeout=300)
    sheets = sorted(out.glob("*/*/v*.md"))
    assert len(sheets) == 16
    return [(p.read_text("utf-8"), *TYPST_FONTS[p.parts[-3]]) for p in sheets]


def test_a_class_source_is_its_sheet_converted_alone(
        class_sheets: list[tuple[str, list[str], list[str]]]) -> None:
    docs = [*class_sheets, (TRICKY, *TYPST_FONTS["en"])]
    typst_formulas._kept.clear()
    # One batch of one language (skeletons shared, typst_skeleton.py), and one of both.
    for lang in ("zh-TW", "en"):
        batch = [d for d in docs if d[1] == TYPST_FONTS[lang][0]]
        assert pandoc.typst_many(batch, Theme()) == [command_line(*doc) for doc in batch]
    assert pandoc.typst_many(docs, Theme()) == [command_line(*doc) for doc in docs]


def test_sheets_alike_but_for_numbers_and_formulas_are_written_once(
        class_sheets: list[tuple[str, list[str], list[str]]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    sizes: list[int] = []
    write = typst_skeleton.written

    def counted(trees: list[dict[str, object]], extra: str,
                writer: typst_skeleton.Writer) -> list[str]:
        return write(trees, extra, lambda texts: (sizes.append(len(texts)), writer(texts))[1])

    monkeypatch.setattr(typst_skeleton, "written", counted)
    zh = [d for d in class_sheets if d[1] == TYPST_FONTS["zh-TW"][0]]
    assert len(pandoc.typst_many(zh, Theme())) == 10
    assert sizes == [2]  # 5 question sheets, 5 answer sheets: one skeleton each


def test_each_distinct_formula_is_converted_once(
        class_sheets: list[tuple[str, list[str], list[str]]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    written: list[str] = []
    convert = pandoc._formulas_typst

    def counted(lone: list[str], names: list[str], seconds: float) -> list[str]:
        written.extend(lone)
        return convert(lone, names, seconds)

    monkeypatch.setattr(pandoc, "_formulas_typst", counted)
    typst_formulas._kept.clear()
    pandoc.typst_many(class_sheets, Theme())
    in_sheets = sum(1 for doc, _, _ in class_sheets for tree in pandoc._trees([doc], "typst", 60)
                    for _ in typst_formulas._formulas(json.loads(tree)["blocks"]))
    assert len(written) == len(set(written)) == len(typst_formulas._kept)
    assert len(written) < in_sheets / 2  # the derivation is the same for every student
    written.clear()
    pandoc.typst_many(class_sheets[:4], Theme())
    assert written == []  # the next batch of the build finds them all kept


def test_formulas_pandoc_does_not_write_alone_are_left_in_place() -> None:
    typst_formulas._kept.clear()
    pandoc.typst_many([(TRICKY, *TYPST_FONTS["en"])], Theme())
    left = {tex for (_, tex), typst in typst_formulas._kept.items() if typst is None}
    assert left == {"\\frac{a}{", "x \\label{eq1}", "\\begin{foo} x \\end{bar}"}
    assert typst_formulas._kept[("InlineMath", "y")] == "$y$"
    assert typst_formulas._kept[("DisplayMath", "\nx^{2}\n")] == "$ x^2 $"
