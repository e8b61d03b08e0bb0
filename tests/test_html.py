"""HTML and DOCX of many documents in one pandoc run (the server API) against one
command-line pandoc run per document: the same bytes."""

from __future__ import annotations

import io
import zipfile

from conftest import ROOT

from generator.formats import pandoc
from generator.theme.theme import Theme


def _markdowns() -> list[str]:
    docs = []
    for name in ("hw1-3-conv-w11", "week1-sgd-step", "sigmoid-derivatives-order6"):
        for lang in ("zh-TW", "en"):
            path = ROOT / "tests" / "golden" / name / f"{lang}.md"
            if path.exists():
                docs.append(path.read_text("utf-8"))
    docs.append("# A title with \\ok and <b>\n\nText, $x^{2}$ and\n\n$$\na = b\n$$\n")
    assert len(docs) >= 5
    return docs


def test_batched_html_is_the_command_lines() -> None:
    docs = _markdowns()
    batched = pandoc.html_many(docs, Theme())
    assert batched == [pandoc.html(d, Theme()) for d in docs]
    assert all("math { font-family:" in h and "<math" in h for h in batched[:-1])


def test_batched_docx_is_the_command_lines() -> None:
    docs = _markdowns()[:3]
    batched = pandoc.docx_many(docs)
    single = [pandoc.docx(d) for d in docs]
    for got, want in zip(batched, single, strict=True):
        names = zipfile.ZipFile(io.BytesIO(want)).namelist()
        assert zipfile.ZipFile(io.BytesIO(got)).namelist() == names
        assert "word/document.xml" in names
        assert got == want
