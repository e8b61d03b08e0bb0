"""HTML and DOCX of many documents in one pandoc run (the server API) against one
command-line pandoc run per document: the same bytes."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
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


def test_a_build_without_katex_says_once_that_html_math_is_mathml(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two problems, two pages each fall back to MathML: one notice on stderr, exit 0."""
    from click.testing import CliRunner

    from generator.cli import main
    from generator.formats import katex

    monkeypatch.setenv("SOLGEN_KATEX", str(tmp_path / "no-katex-here"))
    katex.folder.cache_clear()
    try:
        result = CliRunner().invoke(main, [
            "build", str(ROOT / "problems" / "week1-sgd-step.yaml"),
            str(ROOT / "problems" / "hw1-3-conv-w11.yaml"), "--out", str(tmp_path / "out"),
            "--format", "html", "--lang", "en", "--lang", "zh-TW", "--jobs", "1"])
    finally:
        katex.folder.cache_clear()
    assert result.exit_code == 0, result.output
    assert result.stderr.count("HTML math is MathML") == 1, result.stderr
    assert "npm ci" in result.stderr and "SOLGEN_KATEX" in result.stderr
    pages = sorted((tmp_path / "out").glob("*/*.html"))
    assert len(pages) == 4
    assert all("<math" in p.read_text("utf-8") and 'class="katex"' not in p.read_text("utf-8")
               for p in pages)
    monkeypatch.delenv("SOLGEN_KATEX")
    if not katex.available():
        return  # the rebuild below needs node and node_modules/katex
    # KaTeX now found (as after `npm ci`): the same build is not "up to date", it typesets.
    again = CliRunner().invoke(main, [
        "build", str(ROOT / "problems" / "week1-sgd-step.yaml"),
        str(ROOT / "problems" / "hw1-3-conv-w11.yaml"), "--out", str(tmp_path / "out"),
        "--format", "html", "--lang", "en", "--lang", "zh-TW", "--jobs", "1"])
    assert again.exit_code == 0 and "nothing changed" not in again.stderr, again.stderr
    assert all('class="katex"' in p.read_text("utf-8") for p in pages)
