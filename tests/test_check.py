"""`solgen check` refuses what a build would refuse, and writes nothing."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from conftest import ROOT

from generator.cli import main

HW = ROOT / "problems" / "hw1-3-conv-w11-variants.yaml"
SGD = ROOT / "problems" / "week1-sgd-step-variants.yaml"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_vary_on_an_undeclared_name_fails_check_as_it_fails_build(tmp_path: Path) -> None:
    text = HW.read_text(encoding="utf-8").replace("  yy: {int: [0, 1]}\n",
                                                  "  yy: {int: [0, 1]}\n  zz: {int: [0, 1]}\n")
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("  zz: {int: [0, 1]}") + 1
    code, checked = _run("check", str(path))
    assert code == 1
    assert checked.startswith(f"{path}:{line}: vary.zz: 'zz' cannot be varied\n")
    code, built = _run("build", str(path), "--out", str(tmp_path / "out"), "--variants", "2",
                       "--format", "md")
    assert code == 1 and built == checked
    assert not (tmp_path / "out").exists()


def test_a_leaf_without_a_number_fails_check(tmp_path: Path) -> None:
    text = HW.read_text(encoding="utf-8").replace("  yy: 1\n", "").replace(
        "  yy: {int: [0, 1]}\n", "").replace(
        "  - abs(dMSE_dw11) >= 0.01   # a gradient worth computing\n", "")
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    code, out = _run("check", str(path))
    assert code == 1 and "still depends on yy: a variant needs numbers" in out


def test_roster_is_read_as_build_reads_it(tmp_path: Path) -> None:
    roster = tmp_path / "class.csv"
    roster.write_text("student_no,name\nB1,甲\n", encoding="utf-8")
    code, out = _run("check", str(SGD), "--roster", str(roster))
    assert code == 1
    assert out == (f"{roster}:1: no student id column\n"
                   "  hint: the first line names the columns, e.g. `id,name`\n")
    roster.write_text("id,name\nB1,甲\n", encoding="utf-8")
    code, out = _run("check", str(SGD), "--roster", str(roster))
    assert code == 0, out


def test_a_template_that_names_a_missing_include_fails_check(tmp_path: Path) -> None:
    folder = tmp_path / "course"
    (folder / "markdown").mkdir(parents=True)
    template = folder / "markdown" / "document.md.j2"
    template.write_text("# {{ title }}\n{% include 'partials/footer.md.j2' %}\n",
                        encoding="utf-8")
    code, out = _run("check", str(SGD), "--templates", str(folder))
    assert code == 1
    assert out.startswith(f"{template}:2: partials/footer.md.j2\n  hint: `solgen templates "
                          "list` shows the template names")
    (folder / "partials").mkdir()
    (folder / "partials" / "footer.md.j2").write_text("{{ verified }}\n", encoding="utf-8")
    code, out = _run("check", str(SGD), "--templates", str(folder))
    assert code == 0, out
