"""A class of 30 generated submissions: every broken line found, no false alarm.

The submissions are solgen's own answer sheets for 30 variants of HW 1-3 (so every line of
them is right: solgen proved each before printing it), with one line broken in about half of
them by tests/review_class.py. A wrong mark is allowed only on the broken line, or on the
next link of its chain, whose left side is the broken expression (the next line does not
follow from the broken one as written either).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from review_class import MARK, VARIANTS, answer_sheets, submissions

from generator.cli import main


@pytest.mark.slow  # about a minute on 2 cores: `make test-all` (CI) runs it
def test_a_class_of_30_every_broken_line_found_no_false_alarm(tmp_path: Path) -> None:
    sheets = answer_sheets(tmp_path / "build")
    assert len(sheets) == 30
    broken = submissions(sheets, tmp_path / "class")
    assert 8 <= len(broken) <= 22
    out = tmp_path / "reviews"
    run = CliRunner().invoke(main, ["review", str(tmp_path / "class"), "--problem",
                                    str(VARIANTS), "--out", str(out), "--format", "json",
                                    "--lang", "en"])
    assert run.exit_code == 0, run.output
    rows = {Path(r["file"]).name: r for r in csv.DictReader(
        (out / "summary.csv").open(encoding="utf-8"))}
    assert len(rows) == 30
    import json

    for name, row in rows.items():
        data = json.loads((out / name.replace(".md", ".review.json")).read_text("utf-8"))
        wrong = [line for line in data["lines"] if line["status"] == "wrong"]
        assert data["counts"]["unread"] == 0, (name, data["lines"])
        if name not in broken:
            assert wrong == [], (name, wrong)
            assert row["final_answer_correct"] == "yes"
            continue
        assert int(row["first_wrong_line"]) == broken[name], (name, wrong)
        for mark in wrong:
            assert mark["line"] == broken[name] or mark["left"].endswith(MARK.strip()), (
                name, mark)
