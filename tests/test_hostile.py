"""Hostile problem files: rejected cleanly (exit 1, file:line, one screen, no traceback),
nothing written, nothing earlier lost; text that looks like a template stays text."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from generator.cli import main

HOSTILE = ROOT / "tests" / "hostile"
REJECT = sorted((HOSTILE / "reject").glob("*.yaml"))
PWNED = Path("/tmp/pwned")


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("path", REJECT, ids=[p.stem for p in REJECT])
def test_rejected_cleanly(tmp_path: Path, path: Path) -> None:
    out = tmp_path / "out"
    (out / "en").mkdir(parents=True)
    (out / "en" / "yesterday.md").write_text("yesterday's sheet\n", encoding="utf-8")
    before = snapshot(out)
    result = CliRunner().invoke(main, ["build", str(path), "--out", str(out),
                                       "--time-limit", "3"])
    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception,
                                                                    SystemExit)
    text = result.output
    assert "Traceback" not in text
    assert text.startswith(f"{path}:") or text.startswith(f"{path.relative_to(ROOT)}:")
    lines = text.splitlines()
    assert len(lines) <= 12 and all(len(line) <= 240 for line in lines), text
    assert snapshot(out) == before
    assert not PWNED.exists()


def test_keep_going_writes_the_good_ones_and_exits_1(tmp_path: Path) -> None:
    good = ROOT / "problems" / "week1-sgd-step.yaml"
    bad = HOSTILE / "reject" / "undefined.yaml"
    result = CliRunner().invoke(main, ["build", str(good), str(bad), "--out", str(tmp_path),
                                       "--keep-going", "--format", "md"])
    assert result.exit_code == 1
    assert (tmp_path / "en" / "week1-sgd-step.md").exists()
    assert "undefined.yaml:9: nodes.L: unknown symbol 'q'" in result.output
    assert "1 of 2 problem files failed; the others were written." in result.output


def test_template_syntax_in_a_title_is_printed_literally(tmp_path: Path) -> None:
    path = HOSTILE / "literal" / "jinja-title.yaml"
    result = CliRunner().invoke(main, ["build", str(path), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "en" / "jinja-title.md").read_text(encoding="utf-8")
    assert "# {{ ''.__class__.__mro__ }} {% for x in range(3) %}x{% endfor %}\n" in text


def test_latex_in_a_title_never_reaches_tex_unescaped(tmp_path: Path) -> None:
    path = HOSTILE / "literal" / "latex-title.yaml"
    result = CliRunner().invoke(main, ["build", str(path), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    md = (tmp_path / "en" / "latex-title.md").read_text(encoding="utf-8")
    assert "\\input{/etc/passwd}" in md  # Markdown shows it as text; nothing runs it
    for tex in tmp_path.rglob("*.tex"):
        assert "\\input{/etc/passwd}" not in tex.read_text(encoding="utf-8")
    assert not PWNED.exists()
