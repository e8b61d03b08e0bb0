"""The README shows the real `solgen --help` and the real test command."""

from __future__ import annotations

from click.testing import CliRunner
from conftest import ROOT

from generator.cli import main


def test_readme_help_is_current() -> None:
    result = CliRunner().invoke(main, ["--help"], prog_name="solgen", terminal_width=80)
    assert result.exit_code == 0
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "```text\n" + result.output + "```" in readme, "update the help block in README.md"


def test_readme_names_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make build" in readme and "make test" in readme
