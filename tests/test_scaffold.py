"""Every starter written by `solgen new` verifies as it is."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.build.scaffold import kinds
from generator.cli import main
from generator.theme.theme import Theme


@pytest.mark.parametrize("kind", kinds(Theme()))
def test_new_problem_checks(tmp_path: Path, kind: str) -> None:
    runner = CliRunner()
    made = runner.invoke(main, ["new", kind, "my-problem", "--dir", str(tmp_path)])
    assert made.exit_code == 0, made.output
    path = tmp_path / "my-problem.yaml"
    assert made.output == f"wrote {path}\n"
    text = path.read_text(encoding="utf-8")
    assert "id: my-problem\n" in text and "__" not in text
    checked = runner.invoke(main, ["check", str(path)])
    assert checked.exit_code == 0, checked.output


def test_new_refuses_to_overwrite_and_unknown_kinds(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["new", "gradient", "p", "--dir", str(tmp_path)]).exit_code == 0
    again = runner.invoke(main, ["new", "gradient", "p", "--dir", str(tmp_path)])
    assert again.exit_code == 1 and "exists already" in again.output
    other = runner.invoke(main, ["new", "integral", "q", "--dir", str(tmp_path)])
    assert other.exit_code == 1 and "no starter for kind 'integral'" in other.output


def test_new_help_names_every_kind() -> None:
    result = CliRunner().invoke(main, ["new", "--help"], terminal_width=80)
    named = result.output.split("KIND is one of:")[1].split(".\n")[0]
    assert sorted(k.strip() for k in named.split(",")) == kinds(Theme())


def test_hand_written_nodes_fill_step_1(tmp_path: Path) -> None:
    # No layer describes nodes written under nodes:, so Step 1 lists their definitions
    # rather than printing an empty heading.
    runner = CliRunner()
    runner.invoke(main, ["new", "gradient", "p", "--dir", str(tmp_path)])
    shown = runner.invoke(main, ["show", str(tmp_path / "p.yaml"), "--lang", "en"])
    step1 = shown.output.split("### Step 1. Define the model\n\n")[1].split("\n\n###")[0]
    assert step1 == ("+ $z = b + w_1 x_1 + w_2 x_2$\n+ $h = \\sigma(z)$\n"
                     "+ $L = (y - h)^{2}$")
