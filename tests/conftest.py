from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import pytest
import sympy
from isolation import run_isolated

ROOT = Path(__file__).resolve().parent.parent
_FILES = sorted((ROOT / "problems").glob("*.yaml"))
SHEETS = [p for p in _FILES if "\nkind: sheet\n" in p.read_text(encoding="utf-8")]
PROBLEMS = [p for p in _FILES if p not in SHEETS]


@pytest.fixture(autouse=True)
def _own_solved_cache(tmp_path_factory: pytest.TempPathFactory,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test its own cache of solved problems (build/solved.py): one test's problems,
    or a monkeypatched solver, never reach another test, nor the user's cache."""
    monkeypatch.setenv("SOLGEN_CACHE_DIR", str(tmp_path_factory.mktemp("solved-cache")))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden from the current output (review the diff)")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


DIFF_LINES = 200  # enough to see what changed; the rest is counted, not printed


def check_golden(golden: Path, made: str | bytes, update: bool = False) -> None:
    """`made` is byte-identical to the golden file, or the test fails with a unified diff.

    With `update` (pytest --update-golden, `make golden`) the file is rewritten first.
    """
    data = made.encode("utf-8") if isinstance(made, str) else made
    if update:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(data)
    assert golden.exists(), f"missing {golden}: run `make golden` and review the diff"
    expected = golden.read_bytes()
    if data == expected:
        return
    diff = list(difflib.unified_diff(
        expected.decode("utf-8", "replace").splitlines(keepends=True),
        data.decode("utf-8", "replace").splitlines(keepends=True),
        fromfile=f"{golden} (golden)", tofile="made now"))
    shown = "".join(line if line.endswith("\n") else line + "\n\\ no newline at end\n"
                    for line in diff[:DIFF_LINES])
    more = f"… {len(diff) - DIFF_LINES} more diff lines\n" if len(diff) > DIFF_LINES else ""
    if not diff:
        shown = "(the bytes differ but not the decoded lines: line endings or encoding)\n"
    pytest.fail(f"{golden} differs; if the change is intended, `make golden` and review "
                f"the diff\n{shown}{more}", pytrace=False)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test of a tests/test_hostile*.py file runs isolated, unless marked `in_process`
    (it needs the parent's threads or state, e.g. a server counting connections), and
    isolated tests run first: a fork is only safe before anything (typst's thread pool)
    starts a thread."""
    for item in items:
        if item.path.name.startswith("test_hostile") and not item.get_closest_marker(
                "in_process"):
            item.add_marker(pytest.mark.isolated)
    items.sort(key=lambda item: item.get_closest_marker("isolated") is None)  # stable


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """An isolated test's body runs in a fork with RLIMIT_AS and a hard kill (isolation.py);
    its fixtures are set up and torn down here, in the parent, as usual."""
    marker = pyfuncitem.get_closest_marker("isolated")
    if marker is None:
        return None
    args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    run_isolated(lambda: pyfuncitem.obj(**args), **marker.kwargs)
    return True


def tree_value(expr: sympy.Basic) -> sympy.Basic:
    """An unevaluated tree evaluated bottom-up (a partial kept as it is); nan as soon as a
    part has no value (0^{-1}): the read-back properties skip such trees."""
    if not expr.args or isinstance(expr, sympy.Derivative):
        return expr
    args = [tree_value(a) for a in expr.args]
    if any(a.has(sympy.zoo, sympy.nan, sympy.oo) for a in args):
        return sympy.nan
    return expr.func(*args)


def variant_sheets(template: Any, solved: list[Any]) -> list[str | bytes]:
    """Every question and answer sheet of `solved` variants, both languages, md and tex:
    what the variant tests compare byte for byte between two ways of making them."""
    from generator.formats.produce import produce_many
    from generator.theme.theme import Theme
    from generator.view.sheets import Sheets

    out: list[str | bytes] = []
    theme = Theme()
    for lang in ("zh-TW", "en"):
        sheets = Sheets(template.problem, template, theme.voice(lang))
        docs = [sheets.question(s) for s in solved] + [sheets.answer(s) for s in solved]
        for fmt in ("md", "tex"):
            out += produce_many(docs, fmt, [f"d{i}" for i in range(len(docs))], theme, "auto")
    return out
