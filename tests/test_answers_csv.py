"""answers.csv is for spreadsheets: decimals only (no "1/5" read as a date, no 20-digit seed),
the exact values in answers.json; --bom starts it with a byte order mark for Excel."""

from __future__ import annotations

import csv
import json
import re
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from pathlib import Path

from click.testing import CliRunner
from conftest import ROOT

from generator.cli import main

HW = ROOT / "problems" / "hw1-3-conv-w11-variants.yaml"


def _build(out: Path, *extra: str) -> None:
    result = CliRunner().invoke(main, ["build", "--out", str(out), str(HW), "--variants", "6",
                                       "--seed", "3", "--format", "json", *extra])
    assert result.exit_code == 0, result.output


def _rounded(exact: Fraction, places: int) -> Decimal:
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


def test_csv_holds_the_json_values_as_decimals(tmp_path: Path) -> None:
    _build(tmp_path)
    folder = tmp_path / HW.stem
    key = json.loads((folder / "answers.json").read_text(encoding="utf-8"))
    text = (folder / "answers.csv").read_text(encoding="utf-8")
    assert "/" not in text and not text.startswith("\ufeff")
    rows = list(csv.DictReader(text.splitlines()))
    places = key["decimal_places"]
    assert len(rows) == len(key["variants"]) == 6
    assert "seed" not in rows[0]
    fractions = 0
    for row, variant in zip(rows, key["variants"], strict=True):
        assert row["variant"] == variant["variant"]
        for name, exact in variant["values"].items():
            value = Fraction(exact)
            fractions += value.denominator != 1
            # Exact where the decimal ends within `places`, else rounded to `places`.
            assert Decimal(row[name]) == _rounded(value, places), (name, exact, row[name])
            assert not re.search(r"\.(\d*0)?$", row[name])  # -0.9, not -0.900000
        for answer, given in variant["answers"].items():
            assert row[answer] == given["decimal"]
    assert fractions > 0  # some drawn value really was a fraction like -9/10


def test_bom_only_prefixes_the_csv(tmp_path: Path) -> None:
    _build(tmp_path / "plain")
    _build(tmp_path / "bom", "--bom")
    plain = (tmp_path / "plain" / HW.stem / "answers.csv").read_bytes()
    marked = (tmp_path / "bom" / HW.stem / "answers.csv").read_bytes()
    assert marked == b"\xef\xbb\xbf" + plain
    same = (tmp_path / "bom" / HW.stem / "answers.json").read_bytes()
    assert same == (tmp_path / "plain" / HW.stem / "answers.json").read_bytes()
