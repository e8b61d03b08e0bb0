"""`solgen build --format … --pdf-engine …` from the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, check_golden

from generator.cli import main

WEEK1 = str(ROOT / "problems" / "week1-sgd-step.yaml")


def test_default_formats_are_md_tex_pdf_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", WEEK1, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert written == [".solgen-build.json",  # the record that makes a no-op rebuild free
                       "en/week1-sgd-step.md", "en/week1-sgd-step.pdf",
                       "en/week1-sgd-step.tex", "week1-sgd-step.json",
                       "zh-TW/week1-sgd-step.md", "zh-TW/week1-sgd-step.pdf",
                       "zh-TW/week1-sgd-step.tex"]
    assert (tmp_path / "en" / "week1-sgd-step.pdf").read_bytes().startswith(b"%PDF-")


def test_html_and_docx_on_request(tmp_path: Path) -> None:
    args = ["build", WEEK1, "--out", str(tmp_path), "--lang", "en", "--format", "html",
            "--format", "docx"]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert (tmp_path / "en" / "week1-sgd-step.html").read_text("utf-8").startswith(
        "<!DOCTYPE html>")
    assert (tmp_path / "en" / "week1-sgd-step.docx").read_bytes().startswith(b"PK")


def test_unknown_engine_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", WEEK1, "--out", str(tmp_path),
                                       "--pdf-engine", "pdflatex"])
    assert result.exit_code == 2 and "pdflatex" in result.output


def test_xelatex_without_tex_says_how_to_install_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which",
                        lambda name: None if name in ("latexmk", "xelatex") else real_which(name))
    result = CliRunner().invoke(main, ["build", WEEK1, "--out", str(tmp_path), "--format",
                                       "md", "--format", "pdf", "--pdf-engine", "xelatex"])
    assert result.exit_code == 1
    assert "the xelatex engine needs TeX Live\n  hint: apt-get install texlive-xetex" in (
        result.output)
    assert not any(tmp_path.iterdir())


def test_show_prints_latex() -> None:
    result = CliRunner().invoke(main, ["show", WEEK1, "--lang", "en", "--format", "tex"])
    golden = ROOT / "tests" / "golden" / "week1-sgd-step" / "en.tex"
    assert result.exit_code == 0, result.output
    check_golden(golden, result.output)


def test_variant_sheets_get_pdf_and_tex_too(tmp_path: Path) -> None:
    variants = str(ROOT / "problems" / "hw1-3-conv-w11-variants.yaml")
    args = ["build", variants, "--out", str(tmp_path), "--lang", "zh-TW", "--variants", "2",
            "--format", "pdf", "--format", "tex"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "zh-TW" / "hw1-3-conv-w11-variants"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["v001.answer.pdf", "v001.answer.tex", "v001.question.pdf",
                     "v001.question.tex", "v002.answer.pdf", "v002.answer.tex",
                     "v002.question.pdf", "v002.question.tex"]
    assert (folder / "v002.answer.pdf").read_bytes().startswith(b"%PDF-")
    assert "\\begin{document}" in (folder / "v002.answer.tex").read_text("utf-8")
