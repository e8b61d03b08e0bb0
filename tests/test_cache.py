"""A build with nothing changed does no work; any change to inputs or outputs rebuilds."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from conftest import ROOT

from generator.cli import main


def run(problems: Path, out: Path, *extra: str) -> str:
    result = CliRunner().invoke(main, ["build", str(problems), "--out", str(out),
                                       "--format", "md", *extra])
    assert result.exit_code == 0, result.output
    return result.output


def test_noop_rebuild_and_what_invalidates_it(tmp_path: Path) -> None:
    problems, out = tmp_path / "problems", tmp_path / "out"
    problems.mkdir()
    shutil.copy(ROOT / "problems" / "week1-sgd-step.yaml", problems)
    built = f"1 problem, 0 variants, 2 files in {out}/"
    assert f"{built} (2 written), 0 failures" in run(problems, out)
    assert "nothing changed: 2 files" in run(problems, out)
    (out / "en" / "week1-sgd-step.md").unlink()  # a lost output is rebuilt
    assert f"{built} (1 written)" in run(problems, out)
    assert "nothing changed" in run(problems, out)
    spec = problems / "week1-sgd-step.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("y: 3", "y: 2"), encoding="utf-8")
    assert f"{built} (2 written)" in run(problems, out)  # an edited problem
    assert "1 problem, 0 variants, 1 file in" in run(problems, out, "--lang", "en")  # options
    assert "1 file in" in run(problems, out, "--lang", "en", "--force")
    assert "(0 written)" in run(problems, out, "--lang", "en", "--force")
