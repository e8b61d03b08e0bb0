"""What the read-back covers: every printed fragment of the built-ins (none left out), and
a printed line changed after it was checked stops the build at its file:line.

A line is changed the way a printer bug changes it — a bracket pair dropped, a sign
flipped, a name swapped — in the text the page gets, after its value was checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sympy
from click.testing import CliRunner
from conftest import PROBLEMS, ROOT, SHEETS, tree_value
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sympy import Integer, Rational, Symbol

from generator.algebra.functions import relu, sigmoid, softplus
from generator.algebra.printing import to_latex
from generator.algebra.trace import Step
from generator.build.variants import Request, solve_variants
from generator.cli import main
from generator.solvers.problem import prepare
from generator.solvers.sheet import prepare_sheet
from generator.theme.theme import Theme
from generator.variants import reading
from generator.variants.slots import Slots
from generator.view import readback
from generator.view.model import MathWriter, document_view
from generator.view.readback import ReadBack
from generator.view.sheets import Sheets

VARIED = [ROOT / "problems" / "hw1-3-conv-w11-variants.yaml",
          ROOT / "problems" / "week1-sgd-step-variants.yaml"]

# Fragments the read-back did not cover before vectors and labels were taught to it.
ONCE_UNCOVERED = [
    r"\nabla_{\theta} h", r"\theta^{0} + 2 \alpha (y - h) \nabla_{\theta} h",
    r"\nabla_{W^{(1)}} L", r"\nabla_{b^{(1)}} L", r"\nabla_{\mathbf{z}} L",
    r"h(x_{1},x_{2})", r"s'''", r"s'' (1 - 2 s) - 2 (s')^{2}", r"s^{(4)}",
    r"\sigma'''(x)", r"\sigma^{(6)}(x)", r"\tanh'(x)", r"t'' (- 2 t) - 2 (t')^{2}",
    r"f'(x)", r"\nabla f\big|_{P}", r"H_{f}\big|_{P}",
    r"\frac{d}{d x}(\arctan(\sqrt{x}))",
]


def test_every_printed_fragment_of_the_builtins_is_read_back() -> None:
    readback._seen.clear()  # read everything again in this test
    unread = readback.stats.unread
    theme = Theme()
    for path in PROBLEMS + SHEETS:
        item = prepare_sheet(path) if path in SHEETS else prepare(path)
        for lang in ("en", "zh-TW"):
            document_view(item, theme.voice(lang))
    assert readback.stats.unread == unread, readback.stats.uncovered
    compared = {key[0] for key, detail in readback._seen.items() if detail is None}
    assert len(compared) > 450  # 473 distinct texts on the built-ins today
    assert [t for t in ONCE_UNCOVERED if t not in compared] == []


def test_the_number_lines_of_variant_sheets_are_read_back() -> None:
    read = reading.counts["read"]
    theme = Theme()
    for path in VARIED:
        problem = prepare(path)
        request = Request(count=3, seed=7, roster=None, combined=False)
        template, solved = solve_variants(problem, request)
        sheets = Sheets(problem, template, theme.voice("en"))
        for s in solved:
            sheets.answer(s)
            sheets.question(s)
    # hw1-3: 3 variants × (4 z, 4 o with their ≈, ŷ, MSE, ∂MSE/∂w₁₁ and its ≈) lines
    assert reading.counts["read"] - read >= 3 * 12


# ---- a changed line stops the build at its line ----

def _build(path: Path, tmp_path: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", str(path), "--out", str(tmp_path / "out"),
                                       "--format", "md", "-j", "1", *extra])
    return result.exit_code, result.output


def _changing(monkeypatch: pytest.MonkeyPatch, cls: Any, method: str,
              change: Callable[[str], str]) -> list[str]:
    """Make `cls.method`'s printed text go through `change`; returns the changed texts."""
    changed: list[str] = []
    original = getattr(cls, method)

    def printed(self: Any, *args: Any, **kwargs: Any) -> str:
        text = original(self, *args, **kwargs)
        new = change(text) if isinstance(text, str) else text
        if new != text:
            changed.append(new)
        return new
    monkeypatch.setattr(cls, method, printed)
    return changed


def _exactly(old: str, new: str) -> Callable[[str], str]:
    return lambda text: new if text == old else text


MSE_LINE = 20  # problems/hw1-3-conv-w11.yaml: the `loss:` layer that defines MSE
CONV_LINE = 16  # the conv2d layer that defines z00
KIND_LINE = 4


@pytest.mark.parametrize(("problem", "old", "new", "line"), [
    # a bracket pair dropped: (y − ŷ)² printed as y − ŷ²
    ("hw1-3-conv-w11", r"\frac{1}{n} (y - \hat{y})^{2}", r"\frac{1}{n} y - \hat{y}^{2}",
     MSE_LINE),
    # a sign flipped in a continuation line of ∂MSE/∂ŷ: its line is the node's
    ("hw1-3-conv-w11", r"- \frac{2}{n} (y - \hat{y})", r"\frac{2}{n} (y - \hat{y})", MSE_LINE),
    ("hw1-3-conv-w11", r"a_{11} w_{11} + a_{12} w_{12} + a_{21} w_{21} + a_{22} w_{22}",
     r"a_{11} w_{11} - a_{12} w_{12} + a_{21} w_{21} + a_{22} w_{22}", CONV_LINE),
    # once not covered: vector notation and primes of names
    ("week1-sgd-step", r"\theta^{0} + 2 \alpha (y - h) \nabla_{\theta} h",
     r"\theta^{0} + 2 \alpha (y - h) \nabla_{\theta} L", None),
    ("week1-sigmoid-derivatives", r"s'' (1 - 2 s) - 2 (s')^{2}", r"s'' 1 - 2 s - 2 (s')^{2}",
     None),
    ("week1-sigmoid-derivatives", r"s'''", r"s''", None),
    ("tanh-derivatives", r"\tanh''(x)", r"\tanh'(x)", None),
    # labels of the calculus kinds, compared as names
    ("derivative-rules", r"f'(x)", r"f(x)", None),
    ("partials-gradient-hessian", r"\nabla f\big|_{P}", r"H_{f}\big|_{P}", None),
    # a bracket dropped on one side only: the line no longer parses, and still stops
    ("hw1-3-conv-w11", r"\frac{1}{n} (y - \hat{y})^{2}", r"\frac{1}{n} y - \hat{y})^{2}",
     MSE_LINE),
])
def test_a_changed_printed_line_stops_the_build_at_its_line(
        problem: str, old: str, new: str, line: int | None, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    readback._seen.clear()
    path = tmp_path / f"{problem}.yaml"  # built from here, so messages name this path
    path.write_text((ROOT / "problems" / path.name).read_text(encoding="utf-8"), "utf-8")
    changed = _changing(monkeypatch, MathWriter, "tex", _exactly(old, new))
    code, out = _build(path, tmp_path)
    assert changed, f"{old!r} is not printed by {problem}"
    kind_line = next(i for i, t in enumerate(path.read_text().splitlines(), 1)
                     if t.startswith("kind:"))
    assert code == 1
    assert f"{path}:{line or kind_line}: the printed line of a step (" in out, out
    assert f"  printed: {new}\n" in out
    assert not (tmp_path / "out").exists()


def _flip_first_plus(text: str) -> str:
    return text.replace(" + ", " - ", 1)


def _drop_first_brackets(text: str) -> str:
    """`a (b - c) d` → `a b - c d`: the first bracket pair (and its \\left/\\right) gone."""
    start = text.find("(")
    if start < 0:
        return text
    depth = 0
    for end in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[end], 0)
        if depth == 0:
            break
    inner = text[start + 1:end].removesuffix(r"\right")
    return text[:start].removesuffix(r"\left") + inner + text[end + 1:]


@pytest.mark.parametrize("change", [_flip_first_plus, _drop_first_brackets])
def test_a_changed_number_line_stops_the_variant_naming_it(
        change: Callable[[str], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / VARIED[0].name
    path.write_text(VARIED[0].read_text(encoding="utf-8"), "utf-8")
    changed = _changing(monkeypatch, Slots, "fill_strings", change)
    code, out = _build(path, tmp_path, "--variants", "2", "--seed", "5")
    assert code == 1 and changed
    first = re.search(rf"^{re.escape(str(path))}: variant (v\d+) \(seed \d+\): (.*)$", out,
                      re.MULTILINE)
    assert first is not None, out
    assert "the printed line " in first.group(2)
    assert any(first.group(2).split(": the printed line")[0].endswith(t) for t in changed)
    assert not (tmp_path / "out").exists()


def test_a_changed_number_line_of_a_student_names_the_student(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    roster = tmp_path / "class.csv"
    roster.write_text("id,name\nb0912345,Lin\n", encoding="utf-8")
    path = tmp_path / VARIED[0].name
    path.write_text(VARIED[0].read_text(encoding="utf-8"), "utf-8")
    _changing(monkeypatch, Slots, "fill_strings", _flip_first_plus)
    code, out = _build(path, tmp_path, "--roster", str(roster), "--seed", "5")
    assert code == 1
    assert f"{path}: variant b0912345 (seed " in out, out


# ---- property: random printed trees with functions and partials read back equal ----

x, y, z, L, w = (Symbol(n) for n in ("x", "y", "z", "L", "w"))
LEAVES = st.one_of(
    st.sampled_from([x, y, z, sympy.Derivative(L, w), sympy.Derivative(L, x)]),
    st.integers(-9, 9).map(Integer),
    st.tuples(st.integers(-9, 9), st.integers(2, 7)).map(lambda t: Rational(t[0], t[1])),
)
FUNCTIONS = [sigmoid, sympy.tanh, sympy.exp, softplus, relu]


def _tree(children: st.SearchStrategy[sympy.Basic]) -> st.SearchStrategy[sympy.Basic]:
    pair = st.lists(children, min_size=2, max_size=3)
    return st.one_of(
        pair.map(lambda a: sympy.Mul(*a, evaluate=False)),
        pair.map(lambda a: sympy.Add(*a, evaluate=False)),
        children.map(lambda a: sympy.Mul(Integer(-1), a, evaluate=False)),
        st.tuples(children, st.sampled_from([-1, 2, 3])).map(
            lambda t: sympy.Pow(t[0], Integer(t[1]), evaluate=False)),
        st.tuples(st.sampled_from(FUNCTIONS), children).map(_applied),
    )


def _applied(pair: tuple[Any, sympy.Basic]) -> sympy.Basic:
    """f(tree); nan (skipped) when sympy cannot even build it (0/0 inside an argument)."""
    try:
        return sympy.sympify(pair[0](pair[1]))
    except (ZeroDivisionError, ValueError, TypeError):
        return sympy.nan


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.recursive(LEAVES, _tree, max_leaves=6))
def test_printed_trees_with_functions_and_partials_read_back_equal(expr: sympy.Basic) -> None:
    if tree_value(expr).has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return  # 1/0 has no value to read back
    rb = ReadBack({})
    text = to_latex(expr, {})
    rb.fragment(Step("t", expr), text, expr)
    assert rb.mismatches == [], (text, rb.mismatches[0].detail)
