"""Any view model gets every format: a hand-made solution with a boxed answer and a
title full of TeX specials goes through LaTeX (xelatex), typst and KaTeX."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import sympy
from conftest import ROOT
from test_documents import need

from generator.algebra.trace import Block, Section, Solution, Step
from generator.formats.produce import produce
from generator.theme.theme import Theme
from generator.view.document import Document
from generator.view.model import view

TITLE = r"HW #1: 50% & more_{x} ~ $5 \ok, $\tanh^{(k)}$"


def model(lang: str) -> Document:
    x = sympy.Symbol("x")
    steps = (Step("differentiate", sympy.cos(x), lhs=sympy.Derivative(sympy.sin(x), x)),)
    blocks = (Block(key="therefore", steps=steps, boxed=True),
              Block(items=(("note_constant", {"symbol": "n", "value": "1"}),)))
    section = Section("local_partials", blocks, level=2, params={"step": "3"})
    solution = Solution("demo", "demo", (section,))
    return view(solution, {}, Theme().voice(lang), TITLE)


def test_boxed_block_and_escaped_title_in_latex() -> None:
    tex = str(produce(model("zh-TW"), "tex", "demo", Theme()))
    assert r"\boxed{\ \sin'(x) = \cos(x)\ }" in tex
    assert (r"HW \#1: 50\% \& more\_\{x\} \textasciitilde{} \$5 \textbackslash{}ok, "
            r"$\tanh^{(k)}$") in tex
    assert r"\item $n=1$ 為常數" in tex


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_hand_made_view_compiles_with_both_engines(lang: str) -> None:
    need("latexmk", "xelatex", "pdftotext")
    for engine in ("typst", "xelatex"):
        pdf = produce(model(lang), "pdf", "demo", Theme(), engine)
        assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF")
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                              check=True).stdout.decode("utf-8")
        assert "HW #1: 50% & more_{x} ~ $5 \\ok, tanh" in text, (engine, text)


def test_boxed_markdown_math_renders_in_katex(tmp_path: Path) -> None:
    need("node")
    if not (ROOT / "node_modules" / "katex").is_dir():
        need("katex-in-node_modules")
    markdown = str(produce(model("en"), "md", "demo", Theme()))
    math = markdown.split("$$\n")[1].removesuffix("\n")
    assert math.startswith(r"\boxed{")
    done = subprocess.run(["node", str(ROOT / "tests" / "katex_check.js")],
                          input=json.dumps([{"tex": math, "display": True, "where": "md"}]),
                          text=True, capture_output=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stdout
    assert shutil.which("node")
