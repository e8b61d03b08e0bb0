"""generator.api: docs/api.md's examples run as a doctest, and the API's text is the CLI's."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from generator import api
from generator.cli import main


def test_api_page_examples_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the page's paths are relative to the repository
    result = doctest.testfile(str(ROOT / "docs" / "api.md"), module_relative=False,
                              optionflags=doctest.ELLIPSIS, raise_on_error=False,
                              verbose=False)
    assert result.attempted >= 20
    assert result.failed == 0


def test_render_is_what_build_writes(tmp_path: Path) -> None:
    problem = ROOT / "problems" / "hw1-3-conv-w11.yaml"
    built = CliRunner().invoke(main, ["build", str(problem), "--out", str(tmp_path),
                                      "--format", "md", "--format", "json"])
    assert built.exit_code == 0, built.output
    worked = api.load(problem)
    for lang in api.LANGS:
        expected = (tmp_path / lang / "hw1-3-conv-w11.md").read_text(encoding="utf-8")
        assert worked.render("md", lang) == expected
    assert worked.render("json") == (tmp_path / "hw1-3-conv-w11.json").read_text(
        encoding="utf-8")


def test_variants_match_the_class_build(tmp_path: Path) -> None:
    problem = ROOT / "problems" / "week1-sgd-step-variants.yaml"
    built = CliRunner().invoke(main, ["build", str(problem), "--out", str(tmp_path),
                                      "--variants", "3", "--seed", "4", "--format", "md"])
    assert built.exit_code == 0, built.output
    variants = api.load(problem).variants(3, seed=4)
    assert [v.label for v in variants] == ["v001", "v002", "v003"]
    for v in variants:
        folder = tmp_path / "zh-TW" / problem.stem
        assert v.question() == (folder / f"{v.label}.question.md").read_text(encoding="utf-8")
        assert v.answer() == (folder / f"{v.label}.answer.md").read_text(encoding="utf-8")


def test_bad_arguments_are_named() -> None:
    worked = api.load(ROOT / "problems" / "week1-sgd-step.yaml")
    with pytest.raises(ValueError, match="lang is one of zh-TW, en, not 'fr'"):
        worked.render("md", "fr")
    with pytest.raises(ValueError, match="format is one of md, tex, html, pdf, docx, json"):
        worked.render("odt")
    with pytest.raises(api.SolgenError, match="has no vary:"):
        worked.variants(2)
