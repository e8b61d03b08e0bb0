from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_FILES = sorted((ROOT / "problems").glob("*.yaml"))
SHEETS = [p for p in _FILES if "\nkind: sheet\n" in p.read_text(encoding="utf-8")]
PROBLEMS = [p for p in _FILES if p not in SHEETS]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden from the current output (review the diff)")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
