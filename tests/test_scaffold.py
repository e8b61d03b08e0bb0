"""Every starter written by `solgen new` (and every worked example, `--example`) verifies
as it is and builds in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.build.scaffold import examples, kinds
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


EXAMPLES = [(kind, name) for kind, names in examples(Theme()).items() for name in names]


def test_the_worked_examples_of_issue_19_are_starters() -> None:
    assert examples(Theme()) == {"gradient": ["attention", "batchnorm", "dropout", "matrix",
                                              "rnn"]}


@pytest.mark.parametrize(("kind", "example"), EXAMPLES)
def test_example_checks_and_builds_md_in_both_languages(tmp_path: Path, kind: str,
                                                        example: str) -> None:
    runner = CliRunner()
    made = runner.invoke(main, ["new", kind, "ex", "--example", example, "--dir",
                                str(tmp_path)])
    path = tmp_path / "ex.yaml"
    assert made.exit_code == 0 and made.output == f"wrote {path}\n", made.output
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# ") and "id: ex\n" in text and f"kind: {kind}\n" in text
    assert "__" not in text and f"solgen check {path}" in text
    checked = runner.invoke(main, ["check", "--strict", str(path)] if example == "matrix"
                            else ["check", str(path)])
    assert checked.exit_code == 0, checked.output
    out = tmp_path / "out"
    built = runner.invoke(main, ["build", str(path), "--out", str(out), "--format", "md",
                                 "--no-pictures"])
    assert built.exit_code == 0, built.output
    titles = yaml.safe_load(text)["title"]
    closing = {"en": ("### Step 3. ", "Every step of this solution was checked by computer.\n"),
               "zh-TW": ("### Step.3 ", "本解答每一步皆經電腦驗算。\n")}
    for lang, (step, note) in closing.items():
        page = (out / lang / "ex.md").read_text(encoding="utf-8")
        assert f"\nlang: {lang}\n" in page and f"\n# {titles[lang]}\n" in page
        assert step in page and page.endswith(note), (lang, page[-400:])


def test_an_unknown_example_lists_the_kinds_examples(tmp_path: Path) -> None:
    runner = CliRunner()
    wrong = runner.invoke(main, ["new", "gradient", "p", "--example", "lstm", "--dir",
                                 str(tmp_path)])
    assert wrong.exit_code == 1
    assert "no example 'lstm' of kind gradient" in wrong.output
    assert "examples of gradient: attention, batchnorm, dropout, matrix, rnn" in wrong.output
    none = runner.invoke(main, ["new", "training", "p", "--example", "rnn", "--dir",
                                str(tmp_path)])
    assert none.exit_code == 1 and "kind training has no examples" in none.output
    assert not list(tmp_path.iterdir())


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
    shown = " ".join(result.output.split("a worked example of KIND instead (")[1].split(
        ").\n")[0].split())
    assert shown == "gradient: attention, batchnorm, dropout, matrix, rnn"


def test_a_kinds_help_topic_says_how_to_start_one() -> None:
    shown = CliRunner().invoke(main, ["help", "gradient"]).output
    assert shown.endswith("\nStart one: `solgen new gradient NAME`, or from a worked example: "
                          "`solgen new gradient NAME --example "
                          "attention|batchnorm|dropout|matrix|rnn`.\n")
    assert CliRunner().invoke(main, ["help", "training"]).output.endswith(
        "\nStart one: `solgen new training NAME`.\n")
    assert "Start one" not in CliRunner().invoke(main, ["help", "draw"]).output


def test_hand_written_nodes_fill_step_1(tmp_path: Path) -> None:
    # No layer describes nodes written under nodes:, so Step 1 lists their definitions
    # rather than printing an empty heading.
    runner = CliRunner()
    runner.invoke(main, ["new", "gradient", "p", "--dir", str(tmp_path)])
    shown = runner.invoke(main, ["show", str(tmp_path / "p.yaml"), "--lang", "en"])
    step1 = shown.output.split("### Step 1. Define the model\n\n")[1].split("\n\n###")[0]
    assert step1 == ("+ $z = b + w_1 x_1 + w_2 x_2$\n+ $h = \\sigma(z)$\n"
                     "+ $L = (y - h)^{2}$")
