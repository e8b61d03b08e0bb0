"""A class of submissions made from solgen's own answer sheets, some with a line broken.

Used by tests/test_review_class.py and bench/run.py. A broken line gets ` + 1` at its end: a
change that can never cancel out (unlike changing a digit of a factor that is multiplied
by 0), so each broken line is wrong, and the test knows which line it is.
"""

from __future__ import annotations

import random
from pathlib import Path

from click.testing import CliRunner

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = ROOT / "problems" / "hw1-3-conv-w11-variants.yaml"
MARK = " + 1"


def answer_sheets(out: Path, count: int = 30, seed: int = 2024) -> list[Path]:
    """`solgen build …variants.yaml --variants N --format md`: the zh-TW answer sheets."""
    run = CliRunner().invoke(main, ["build", str(VARIANTS), "--variants", str(count),
                                    "--seed", str(seed), "--format", "md", "--lang", "zh-TW",
                                    "--out", str(out)])
    assert run.exit_code == 0, run.output
    return sorted((out / "zh-TW" / VARIANTS.stem).glob("v*.answer.md"))


def breakable(line: str) -> bool:
    """A line that states a relation the review checks (not the generic o_{ij} definition,
    which a submission may state as it likes)."""
    return ("&=" in line or r"&\approx" in line) and not line.startswith("o_{ij}")


def submissions(sheets: list[Path], folder: Path, seed: int = 17) -> dict[str, int]:
    """Copy the sheets to `folder`, breaking one random line in about half of them.
    Returns {file name: broken line number}."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    broken: dict[str, int] = {}
    for sheet in sheets:
        lines = sheet.read_text(encoding="utf-8").split("\n")
        if rng.random() < 0.5:
            i = rng.choice([k for k, line in enumerate(lines) if breakable(line)])
            body = lines[i].rstrip()
            tail = " \\\\" if body.endswith("\\\\") else ""
            body = body[:-2].rstrip() if tail else body
            lines[i] = body + MARK + tail
            broken[sheet.name] = i + 1
        (folder / sheet.name).write_text("\n".join(lines), encoding="utf-8")
    return broken
