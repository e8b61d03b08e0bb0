"""Issue 15: where a display breaks over pages in a typst PDF (formats/typst_display.py).
A display taller than a page is printed whole, over pages, each after the first led by
"(cont.)" / "（續）" (typst used to cut off what did not fit); a short display is never
broken; the word reaches typst as a string, whatever it holds."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.formats.pdf import typst_pdf
from generator.formats.typst_blocks import DISPLAY, display
from generator.theme.theme import Theme

ROWS = 80
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                   reason="poppler-utils missing")


def _pages(markdown: str, lang: str, tmp_path: Path) -> list[str]:
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(typst_pdf(markdown, lang, Theme()))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [p for p in text.split("\f") if p.strip()]


def _tall(lang: str) -> str:
    lines = " \\\\\n".join(f"a_{{{i}}} &= b_{{{i}}} + c" if i % 3 else
                           f"&= \\frac{{b_{{{i}}}}}{{c}}" for i in range(ROWS))
    return (f"---\ntitle: T\nlang: {lang}\n---\n\n# T\n\nLead:\n$$\n\\begin{{aligned}}\n"
            f"{lines}\n\\end{{aligned}}\n$$\n\nAfter.\n")


@needs_poppler
@pytest.mark.parametrize(("lang", "word"), [("en", "(cont.)"), ("zh-TW", "（續）")])
def test_every_row_of_a_display_taller_than_a_page_is_printed(tmp_path: Path, lang: str,
                                                               word: str) -> None:
    pages = _pages(_tall(lang), lang, tmp_path)
    assert len(pages) >= 3
    assert sum(p.count("=") for p in pages) == ROWS  # the whole display, each row once
    assert pages[0].lstrip().startswith("T\nLead:")
    assert all(p.lstrip().startswith(word) for p in pages[1:])
    assert "After." in pages[-1]


@needs_poppler
@pytest.mark.parametrize("filler", [28, 29, 31])  # fits; moved at the foot
def test_a_short_display_moves_whole(tmp_path: Path, filler: int) -> None:
    """Four rows (under a fifth of the text height) near the foot of a page: moved to the
    next page with their lead-in, never broken."""
    rows = " \\\\\n".join(f"a_{{{i}}} &= b_{{{i}}}" for i in range(4))
    markdown = ("---\ntitle: T\nlang: en\n---\n\n# T\n\n"
                + "".join(f"Paragraph {i}.\n\n" for i in range(filler))
                + f"Lead:\n$$\n\\begin{{aligned}}\n{rows}\n\\end{{aligned}}\n$$\n\nAfter.\n")
    pages = _pages(markdown, "en", tmp_path)
    holding = [p for p in pages if "Lead:" in p]
    assert len(holding) == 1 and holding[0].count("=") == 4
    assert not any("(cont.)" in p for p in pages)


def test_the_word_reaches_typst_as_a_string() -> None:
    assert display("(cont.)") == f'{DISPLAY}cont: "(cont.)")['
    assert display("（續）", sticky=True) == f'{DISPLAY}cont: "（續）", sticky: true)['
    # A theme's word with a quote, a backslash or a line break stays one string.
    assert display('a"b\\c\n#x') == f'{DISPLAY}cont: "a\\"b\\\\c#x")['


@needs_poppler
def test_a_sum_taller_than_a_page_is_printed_whole(tmp_path: Path) -> None:
    """One left side and 70 rows of a sum going on (`&\\qquad + …`): no `=` row to break
    at, so it breaks at rows rather than lose what does not fit on the page."""
    lines = " \\\\\n".join(["L &= t_{0}", *(f"&\\qquad + t_{{{i}}}" for i in range(1, 70))])
    markdown = (f"---\ntitle: T\nlang: en\n---\n\n# T\n\nLead:\n$$\n\\begin{{aligned}}\n"
                f"{lines}\n\\end{{aligned}}\n$$\n\nAfter.\n")
    pages = _pages(markdown, "en", tmp_path)
    assert len(pages) >= 2 and "After." in pages[-1]
    assert sum(p.count("+") for p in pages) == 69
    # The word beside the page's first row (set level with its middle, read after it).
    assert all("(cont.)" in p.split()[:4] for p in pages[1:]), [p[:40] for p in pages]


@needs_poppler
@pytest.mark.parametrize("filler", range(27, 33))  # 29–31 broke before
def test_a_heading_and_its_first_paragraph_stay_with_what_follows(tmp_path: Path,
                                                                  filler: int) -> None:
    """"Step 5 / Given: …" then a lead-in and a tall derivation (a variant's answer sheet),
    pushed down the page by `filler` paragraphs: wherever they fall, the heading, the
    givens, the lead-in and the first rows share a page."""
    rows = " \\\\\n".join(f"z_{{{i}}} &= a_{{{i}}} + b \\\\\n&= {i}" for i in range(8))
    markdown = ("---\ntitle: T\nlang: en\n---\n\n# T\n\n"
                + "".join(f"Paragraph {i}.\n\n" for i in range(filler))
                + "## Step 5\n\nGiven: $a = 1$, $b = 2$.\n\nFirst compute each node:\n"
                + f"$$\n\\begin{{aligned}}\n{rows}\n\\end{{aligned}}\n$$\n\nAfter.\n")
    pages = _pages(markdown, "en", tmp_path)
    holding = [p for p in pages if "Step 5" in p]
    assert len(holding) == 1
    assert "Given:" in holding[0] and "First compute each node:" in holding[0]
    assert holding[0].split("First compute each node:")[1].count("=") >= 2, holding[0]


def _equals_x(markdown: str, tmp_path: Path) -> list[float]:
    """Where each `=` of the PDF starts (pdftotext's word boxes, in points)."""
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(typst_pdf(markdown, "en", Theme()))
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout
    return [float(x) for x, word in re.findall(r'xMin="([0-9.]+)"[^>]*>([^<]*)</word>', boxes)
            if word.startswith("=")]


@needs_poppler
@pytest.mark.parametrize("rows", [4, 24])  # one block as typst sets it; a tall one, as a grid
def test_the_rows_of_a_derivation_line_up_at_equals(tmp_path: Path, rows: int) -> None:
    """`∂L/∂z &= …` then `&= …` rows (Step 2 of the training sheets): every `=` starts at
    the same x, in a short display typst aligns and in a tall one solgen pads row by row."""
    lines = [r"\frac{\partial L}{\partial z} &= \frac{\partial L}{\partial p}\,"
             r"\frac{\partial p}{\partial z}"]
    lines += [r"&= \left(- \frac{y}{p} + \frac{1 - y}{1 - p}\right) p (1 - p)" if i % 2 else
              f"&= p - y + {i}" for i in range(1, rows)]
    body = " \\\\\n".join(lines)
    xs = _equals_x("---\ntitle: T\nlang: en\n---\n\n# T\n\nLead:\n$$\n\\begin{aligned}\n"
                   f"{body}\n\\end{{aligned}}\n$$\n", tmp_path)
    assert len(xs) == rows and max(xs) - min(xs) < 0.01, xs


def _heights(markdown: str, tmp_path: Path) -> dict[str, float]:
    """Each word of the PDF by its box height (pdftotext: the font size it is set at)."""
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(typst_pdf(markdown, "en", Theme()))
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout
    found = re.findall(r'yMin="([0-9.]+)" xMax="[0-9.]+" yMax="([0-9.]+)">([^<]*)</word>', boxes)
    return {word: float(bottom) - float(top) for top, bottom, word in found}


@needs_poppler
def test_a_bullet_that_is_one_formula_sets_its_fractions_at_text_size(tmp_path: Path) -> None:
    """"• d = m/(1 − p)" (a model's definitions, Step 1): numerator and denominator as tall
    as the d; a fraction inside a sentence keeps TeX's smaller in-line style."""
    m, p, d, q, s = ("\U0001d45a", "\U0001d45d", "\U0001d451", "\U0001d45e", "\U0001d460")
    heights = _heights("---\ntitle: T\nlang: en\n---\n\n# T\n\n- $d = \\frac{m}{1 - p}$\n"
                       "- $L$ is the loss\n\nIn a sentence $s = \\frac{q}{2}$ is small.\n",
                       tmp_path)
    assert abs(heights[m] - heights[f"{d}="]) < 0.01  # 11 pt, as the text
    assert abs(heights[f"1−{p}"] - heights[f"{d}="]) < 0.01
    assert heights[q] < 0.8 * heights[s]  # 7.7 pt in the sentence


@needs_poppler
@pytest.mark.parametrize("filler", [10, 14, 18])
def test_a_tall_derivation_breaks_before_a_new_quantity(tmp_path: Path, filler: int) -> None:
    """Quantities of three rows each, `q = a + b`, `= c`, `≈ d` (a training sheet's update):
    the next page starts with a quantity, never between a computation and its value."""
    a, c, d = "\U0001d44e", "\U0001d450", "\U0001d451"
    rows = " \\\\\n".join(f"q_{{{i}}} &= a_{{{i}}} + b \\\\\n&= c_{{{i}}} \\\\\n&\\approx d_{{{i}}}"
                          for i in range(12))
    markdown = ("---\ntitle: T\nlang: en\n---\n\n# T\n\n"
                + "".join(f"Paragraph {i}.\n\n" for i in range(filler))
                + f"Lead:\n$$\n\\begin{{aligned}}\n{rows}\n\\end{{aligned}}\n$$\n\nAfter.\n")
    pages = _pages(markdown, "en", tmp_path)
    assert len(pages) >= 2 and pages[1].lstrip().startswith("(cont.)")
    first = next(letter for letter in pages[1] if letter in (a, c, d))
    assert first == a, pages[1][:80]
