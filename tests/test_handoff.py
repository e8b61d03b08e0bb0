"""Files others can use, and inputs refused before they cost anything.

Roster cells never become spreadsheet formulas; ids that name Windows devices or that clash
where case is ignored are refused with file:line; a huge (sparse) problem file or roster is
refused by its size before it is read; a busy output folder is a clear message.
"""

from __future__ import annotations

import csv
import io
import resource
import shutil
from pathlib import Path

from click.testing import CliRunner
from conftest import ROOT

from generator.build import lock
from generator.cli import main

SGD = ROOT / "problems" / "week1-sgd-step-variants.yaml"


def build(out: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", *args, "--out", str(out), "--lang", "en",
                                       "--format", "json"])
    return result.exit_code, result.output


def test_roster_names_that_look_like_formulas_stay_text(tmp_path: Path) -> None:
    names = ['=HYPERLINK("http://x","y")', "+1+2", "-3", "@SUM(A1)", "王小明"]
    roster = io.StringIO()
    csv.writer(roster).writerows([("id", "name"), *((f"s{i}", n) for i, n in enumerate(names))])
    (tmp_path / "r.csv").write_text(roster.getvalue(), encoding="utf-8")
    code, text = build(tmp_path / "out", str(SGD), "--roster", str(tmp_path / "r.csv"))
    assert code == 0, text
    table = (tmp_path / "out" / SGD.stem / "answers.csv").read_text(encoding="utf-8")
    got = [row[2] for row in csv.reader(io.StringIO(table))][1:]
    assert got == ["'" + n for n in names[:4]] + ["王小明"]
    # The computed cells keep their sign: they are numbers a spreadsheet can use.
    assert any(row[10].startswith("-0.") for row in csv.reader(io.StringIO(table)))


def test_roster_ids_that_clash_by_case_or_name_devices_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("id,name\nAlice,a\nCON,b\nalice,c\nlpt1.x,d\nBob,e\n", encoding="utf-8")
    code, text = build(tmp_path / "out", str(SGD), "--roster", str(path))
    assert code == 1
    assert text == (
        f"{path}:3: id: student id 'CON' is a device name on Windows\n"
        "  hint: Windows reserves CON, PRN, AUX, NUL, COM1-9 and LPT1-9 as device names; "
        "choose another name\n"
        f"{path}:4: id: student id 'alice' differs from 'Alice' (line 2) only in case\n"
        "  hint: Windows and macOS would store their sheets as one file; make the ids differ "
        "in more than case\n"
        f"{path}:5: id: student id 'lpt1.x' is a device name on Windows\n"
        "  hint: Windows reserves CON, PRN, AUX, NUL, COM1-9 and LPT1-9 as device names; "
        "choose another name\n")
    assert not (tmp_path / "out").exists()


def test_a_roster_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes("id,name\ns1,王\ns2,".encode() + "陳".encode("big5") + b"\n")
    code, text = build(tmp_path / "out", str(SGD), "--roster", str(path))
    assert code == 1
    assert text == (f"{path}:3: the roster is not valid UTF-8\n"
                    "  hint: save it as CSV UTF-8 (Excel: Save As, CSV UTF-8)\n")


def test_a_problem_id_that_names_a_device_is_refused_at_its_line(tmp_path: Path) -> None:
    text = (ROOT / "problems" / "week1-sgd-step.yaml").read_text(encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("id:"))
    path = tmp_path / "nul.yaml"
    path.write_text(text.replace("id: week1-sgd-step", "id: nul"), encoding="utf-8")
    code, output = build(tmp_path / "out", str(path))
    assert code == 1
    assert f"{path}:{line}: id: id 'nul' is a device name on Windows\n" in output
    assert "nothing was written" in output


def test_huge_sparse_inputs_are_refused_by_size_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with open(big, "wb") as handle:
        handle.truncate(5 * 1024**3)  # 5 GB of nothing: reading it would need 5 GB
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    code, output = build(tmp_path / "out", str(big))
    assert code == 1
    assert f"{big}: file is larger than 1000000 bytes" in output, output
    roster = tmp_path / "r.csv"
    with open(roster, "wb") as handle:
        handle.truncate(5 * 1024**3)
    code, output = build(tmp_path / "out", str(SGD), "--roster", str(roster))
    assert code == 1
    assert output.startswith(f"{roster}: the roster is larger than 10000000 bytes"), output
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 100_000  # far less than one 5 GB read


def test_a_second_build_of_a_locked_folder_says_who_holds_it(tmp_path: Path) -> None:
    shutil.copy(ROOT / "problems" / "week1-sgd-step.yaml", tmp_path)
    out = tmp_path / "out"
    with lock.hold(out):
        code, text = build(out, str(tmp_path / "week1-sgd-step.yaml"))
        assert code == 1
        assert text.startswith(f"{out}: another solgen build is writing this folder "
                               "(process "), text
        assert text.endswith("  hint: wait for it to finish, or give --wait SECONDS to wait "
                             "for it\n")
    assert build(out, str(tmp_path / "week1-sgd-step.yaml"))[0] == 0



def test_an_output_folder_that_is_not_solgens_own_is_refused(tmp_path: Path,
                                                             monkeypatch: object) -> None:
    """A build swaps OUT as a whole: `--out .`, a folder above, a repository or a folder
    holding the inputs would be replaced (with hard links of everything in it). Refused as a
    usage error (exit 2) before any work, and nothing in the folder changes."""
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    course = tmp_path / "course"
    (course / "problems").mkdir(parents=True)
    problem = course / "problems" / "sgd.yaml"
    shutil.copy(SGD, problem)
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    monkeypatch.chdir(course)
    for out, reason in [(Path("."), "the current folder or a folder above it"),
                        (tmp_path, "the current folder or a folder above it"),
                        (tmp_path / "repo", "a git working tree"),
                        (course / "problems", "an input of this build")]:
        before = sorted(p.name for p in out.iterdir())
        result = CliRunner().invoke(main, ["build", str(problem), "--out", str(out),
                                           "--format", "json"])
        assert result.exit_code == 2, result.output
        assert reason in result.output and "Invalid value for --out" in result.output
        assert sorted(p.name for p in out.iterdir()) == before
    result = CliRunner().invoke(main, ["build", str(problem), "--out", "output",
                                       "--format", "json", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert (course / "output" / "week1-sgd-step-variants.json").is_file()
