"""Issue 15: a display taller than a page is split between rows, each piece after the first
led by "(cont.)" / "（續）"; before, typst cut off whatever did not fit on the page."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from generator.formats.pdf import typst_pdf
from generator.formats.typst_pages import CAPACITY, height, pieces, rows
from generator.theme.theme import Theme

ROWS = 80


def _tall(lang: str) -> str:
    lines = " \\\\\n".join(f"a_{{{i}}} &= b_{{{i}}} + c" if i % 3 else
                           f"&= \\frac{{b_{{{i}}}}}{{c}}" for i in range(ROWS))
    return (f"---\ntitle: T\nlang: {lang}\n---\n\n# T\n\nLead:\n$$\n\\begin{{aligned}}\n"
            f"{lines}\n\\end{{aligned}}\n$$\n\nAfter.\n")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
@pytest.mark.parametrize(("lang", "word"), [("en", "(cont.)"), ("zh-TW", "（續）")])
def test_every_row_of_a_display_taller_than_a_page_is_printed(tmp_path: Path, lang: str,
                                                               word: str) -> None:
    pdf = tmp_path / "tall.pdf"
    pdf.write_bytes(typst_pdf(_tall(lang), lang, Theme()))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 3
    assert sum(p.count("=") for p in pages) == ROWS  # the whole display, on some page
    assert pages[0].lstrip().startswith("T\nLead:")
    assert all(p.lstrip().startswith(word) for p in pages[1:])
    assert "After." in pages[-1]


def test_a_display_that_fits_is_one_piece() -> None:
    short = "\\begin{aligned}\na &= b \\\\\n&= c\n\\end{aligned}"
    assert pieces(short) == [short]
    assert pieces("x = 1") == ["x = 1"]


def test_rows_are_split_outside_matrices_and_pieces_fit() -> None:
    body = r"v &= \begin{bmatrix} 1 \\ 2 \\ 3 \end{bmatrix} \\ &= \frac{1}{2}"
    assert rows(body) == [r"v &= \begin{bmatrix} 1 \\ 2 \\ 3 \end{bmatrix}", r"&= \frac{1}{2}"]
    assert height(rows(body)[0]) == 3 and height(rows(body)[1]) == 1.7
    tall = "\\begin{aligned}\n" + " \\\\\n".join(
        [f"x_{{{i}}} &= y_{{{i}}}" if i % 4 == 0 else f"&\\qquad + t_{{{i}}}"
         for i in range(100)]) + "\n\\end{aligned}"
    parts = pieces(tall)
    assert len(parts) >= 4
    split = [rows(p.removeprefix("\\begin{aligned}\n").removesuffix("\n\\end{aligned}"))
             for p in parts]
    assert [r for piece in split for r in piece] == rows(tall[16:-14])
    assert all(sum(height(r) for r in piece) <= CAPACITY for piece in split)
    # Pieces end before a new line of the derivation, not inside a sum broken over rows.
    assert all(piece[0].startswith("x_") for piece in split[1:])
