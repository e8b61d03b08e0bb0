"""Issue 16, fifth pass: with `--jobs`, a class's PDFs are shared among several typst
compilers (formats/pdf.py `compilers`); the PDFs are the bytes one compiler makes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import ROOT

from generator.formats import pdf, typst_child
from generator.theme.theme import Theme


@pytest.fixture
def one_compiler() -> Iterator[None]:
    yield
    pdf.compilers(1)


def test_two_compilers_make_the_bytes_of_one(one_compiler: None) -> None:
    docs = [(ROOT / "tests" / "golden" / name / "en.md").read_text("utf-8")
            for name in ("hw1-3-conv-w11", "week1-sgd-step", "sigmoid-derivatives-order6")]
    docs = [*docs, *(d.replace("HW 1-3", "HW 1-3 (b)") for d in docs)]
    alone = pdf.typst_pdfs(docs, "en", Theme())
    pdf.compilers(2)
    shared = pdf.typst_pdfs(docs, "en", Theme())
    assert shared == alone and all(p.startswith(b"%PDF") for p in shared)
    assert {number for _, number in typst_child._children} >= {0, 1}
