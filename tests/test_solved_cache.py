"""Solved problems kept on disk (generator/build/solved.py): a rebuild loads them instead
of solving, with the same bytes; a broken or foreign-writable cache is not trusted."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from generator.cli import main
from generator.solvers import problem

SGD = ROOT / "problems" / "week1-sgd-step-variants.yaml"
ARGS = [str(SGD), "--variants", "4", "--seed", "2", "--format", "md", "--lang", "en",
        "--force"]


def _build(out: Path) -> dict[str, bytes]:
    result = CliRunner().invoke(main, ["build", "--out", str(out), *ARGS])
    assert result.exit_code == 0, result.output
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file()}


def _solve_forbidden(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each time the problem file is solved and verified (not its variants)."""
    calls: list[str] = []
    original = problem.prepare

    def counted(path: Path, display: str | None = None) -> problem.Problem:
        calls.append("solved")
        return original(path, display)

    monkeypatch.setattr(problem, "prepare", counted)
    return calls


def test_a_rebuild_loads_the_solved_problem(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _solve_forbidden(monkeypatch)
    first = _build(tmp_path / "a")
    assert len(list(Path(os.environ["SOLGEN_CACHE_DIR"]).rglob("*.pickle"))) == 1
    assert calls == ["solved"]
    second = _build(tmp_path / "b")
    assert calls == ["solved"]  # not solved again
    assert first.keys() == second.keys()
    assert {k: v for k, v in first.items() if k != ".solgen-build.json"} == {
        k: v for k, v in second.items() if k != ".solgen-build.json"}


def test_a_broken_cache_file_is_solved_again(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _solve_forbidden(monkeypatch)
    first = _build(tmp_path / "a")
    for file in Path(os.environ["SOLGEN_CACHE_DIR"]).rglob("*.pickle"):
        file.write_bytes(file.read_bytes()[:100])
    assert _build(tmp_path / "b").keys() == first.keys()
    assert calls == ["solved", "solved"]


def test_a_cache_others_can_write_is_not_read(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _solve_forbidden(monkeypatch)
    _build(tmp_path / "a")
    (Path(os.environ["SOLGEN_CACHE_DIR"]) / "solved").chmod(0o777)
    _build(tmp_path / "b")
    assert calls == ["solved", "solved"]


def test_check_writes_no_cache(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(SGD)])
    assert result.exit_code == 0, result.output
    assert not list(Path(os.environ["SOLGEN_CACHE_DIR"]).rglob("*.pickle"))
