"""Issue 15: a display row wider than the page is broken at `+`/`−`, never scaled down."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT

from generator.formats import pandoc
from generator.formats import pdf as engine
from generator.theme.theme import Theme
from generator.view.linebreak import CONTINUATION, LIMIT, break_row, width

GOLDEN = ROOT / "tests" / "golden"
HW_ROW = (r"\frac{\partial \mathrm{MSE}}{\partial w_{11}} &= - \frac{2}{1} (1 - \hat{y}) "
          r"(1 \sigma(3) (1 - \sigma(3)) \cdot 1 + (-1) \sigma(1) (1 - \sigma(1)) \cdot 0 "
          r"+ 0.5 \sigma(-1) (1 - \sigma(-1)) \cdot 2 + 2 \sigma(3) (1 - \sigma(3)) \cdot 1)")
SEPARATOR = rf" \\ {CONTINUATION}"


def test_a_long_substitution_breaks_before_a_term_and_keeps_every_character() -> None:
    broken = break_row(HW_ROW)
    rows = broken.split(SEPARATOR)
    assert rows == [
        r"\frac{\partial \mathrm{MSE}}{\partial w_{11}} &= - \frac{2}{1} (1 - \hat{y}) "
        r"(1 \sigma(3) (1 - \sigma(3)) \cdot 1 + (-1) \sigma(1) (1 - \sigma(1)) \cdot 0",
        r"+ 0.5 \sigma(-1) (1 - \sigma(-1)) \cdot 2 + 2 \sigma(3) (1 - \sigma(3)) \cdot 1)"]
    assert " ".join(rows) == HW_ROW
    assert all(width(r) <= LIMIT for r in rows)


def test_what_fits_or_cannot_break_is_left_alone() -> None:
    short = r"z &= b + w_1 x_1 + w_2 x_2"
    assert break_row(short) == short
    terms = " + ".join(rf"\frac{{a_{{{i}}}}}{{b}}" for i in range(40))
    assert width(terms) > LIMIT
    # A brace group or a matrix cannot span two rows.
    for row in (rf"y &= e^{{{terms}}}", rf"y &= \begin{{bmatrix}} {terms} & 1 \end{{bmatrix}}"):
        assert break_row(row) == row
    # A \left…\right pair can: each row closes it with \right. and the next opens \left.
    rows = break_row(rf"y &= 2 \left({terms}\right)").split(SEPARATOR)
    assert len(rows) >= 2 and rows[0].endswith(r"\right.") and rows[-1].startswith(r"\left.")
    assert all(r.count(r"\left") == r.count(r"\right") for r in rows)
    assert all(width(r) <= LIMIT for r in rows)
    assert break_row(rf"y &= {terms}").count(SEPARATOR) >= 1
    # A minus that is a sign is not a place to break; one between terms is.
    rows = break_row(rf"y &= - {terms} - c").split(SEPARATOR)
    assert rows[0].startswith(r"y &= - \frac{a_{0}}{b} + \frac{a_{1}}{b}")
    assert all(r.startswith(("+ ", "- ")) for r in rows[1:])


def test_widths_follow_what_is_printed() -> None:
    assert width(r"\frac{a + b}{c}") == pytest.approx(width("a + b") + 0.4)
    assert width("x_{12}") == pytest.approx(1 + 0.7 * 2)
    assert width(r"\begin{bmatrix} 1 + 2 \\ 3 \end{bmatrix}") == pytest.approx(
        width("1 + 2") + 1.0)


MARK = "SCALED"
SCALE = "if width > size.width { scale(size.width / width * 100%, reflow: true, it) }"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
def test_no_built_in_display_is_scaled_to_fit(tmp_path: Path) -> None:
    """Every golden Markdown (problems and variant sheets) set by typst with the template's
    last resort replaced by a visible mark: no display needs it."""
    fonts, heading = engine.TYPST_FONTS["en"]
    files = sorted(GOLDEN.glob("*/en.md")) + sorted(GOLDEN.glob("variants/*/en--*.md"))
    assert len(files) > 15
    sources = pandoc.typst_many([(f.read_text("utf-8"), fonts, heading) for f in files],
                                Theme(), None)
    for file, source in zip(files, sources, strict=True):
        assert SCALE in source
        marked = source.replace(SCALE, f"if width > size.width {{ [{MARK}]; it }}")
        pdf = tmp_path / "doc.pdf"
        pdf.write_bytes(engine.typst_compile(engine.polish(
            engine.binary_continuations(marked)), (), 60.0))
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert MARK not in text, (file, re.findall(rf"{MARK}.{{0,80}}", text, re.S))
