"""The verifier rejects wrong steps, whatever produced them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import mpmath
import pytest
import sympy
from click.testing import CliRunner
from conftest import ROOT

from generator.algebra.trace import Block, Section, Step
from generator.check.verify import check, compare
from generator.cli import main
from generator.solvers.problem import prepare

HW13 = ROOT / "problems" / "hw1-3-conv-w11.yaml"
NUMERIC = ROOT / "tests" / "fixtures" / "sgd-numeric.yaml"


def inject(section: Section, index: int, step: Step) -> Section:
    block = section.blocks[0]
    steps = list(block.steps)
    steps[index] = step
    return replace(section, blocks=(replace(block, steps=tuple(steps)), *section.blocks[1:]))


def test_injected_wrong_sign_is_rejected() -> None:
    problem = prepare(HW13)
    g = problem.graph
    sections = list(problem.solution.sections)
    partials = sections[2]  # Step 3: MSE = …, ⇒ ∂MSE/∂ŷ = …
    good = partials.blocks[0].steps[3]
    n, yy, yhat = g.names["n"], g.names["yy"], g.names["yhat"]
    wrong = replace(good, rhs=sympy.Mul(2 / n, yy - yhat, evaluate=False), check=None)
    sections[2] = inject(partials, 3, wrong)
    _, failures = check(replace(problem.solution, sections=tuple(sections)), g)
    assert [(i, s.rule) for i, s in failures] == [(5, "simplify")]
    assert failures[0][1].check is not None
    assert failures[0][1].check.status == "failed"


def test_injected_dropped_factor_in_the_final_formula_is_rejected() -> None:
    problem = prepare(HW13)
    sections = list(problem.solution.sections)
    final = sections[3].blocks[0].steps[0]
    prefix, total = final.rhs.args
    dropped = replace(final, rhs=sympy.Mul(prefix, total.args[0], evaluate=False), check=None)
    sections[3] = inject(sections[3], 0, dropped)
    _, failures = check(replace(problem.solution, sections=tuple(sections)), problem.graph)
    # The next line (exp form) is right, so it no longer follows from the wrong one either.
    assert [s.rule for _, s in failures] == ["substitute_partials", "rewrite_exp"]


def test_continuation_without_a_line_before_fails() -> None:
    x = sympy.Symbol("x")
    solution = prepare(HW13).solution
    lonely = Section("x", (Block("", {}, (Step("simplify", x),)),))
    _, failures = check(replace(solution, sections=(lonely,)), prepare(HW13).graph)
    assert len(failures) == 1


@pytest.mark.parametrize(("a", "b", "status"), [
    ("s*(1-s)*(1-2*s) - 2*(s*(1-s))**2", "1 - 6*s + 6*s**2", "failed"),   # seed 000 (2a)
    ("s*(1-s)*(1-2*s) - 2*(s*(1-s))**2", "s*(1-s)*(1 - 6*s + 6*s**2)", "failed"),  # and here
    ("s*(1-s)*(1-2*s)**2 - 2*(s*(1-s))**2", "s*(1-s)*(1 - 6*s + 6*s**2)", "proved"),
    ("exp(x)/(1+exp(x))", "1/(1+exp(-x))", "proved"),
])
def test_compare(a: str, b: str, status: str) -> None:
    assert compare(sympy.sympify(a), sympy.sympify(b)).status == status


def test_numeric_mode_matches_mpmath() -> None:
    """θ¹ = θ⁰ − α∇L for L = (y − σ(z))², computed independently with mpmath at 50 digits."""
    result = CliRunner().invoke(main, ["show", str(NUMERIC), "--lang", "en"])
    assert result.exit_code == 0, result.output
    # workdps, not mp.dps = …: a global left at 15 digits broke later modules' 60-digit
    # finite differences (test_rnn, test_nn_blocks) when they ran after this one.
    with mpmath.workdps(50):
        x1, x2, y = mpmath.mpf("0.5"), mpmath.mpf(-1), mpmath.mpf(1)
        theta = [mpmath.mpf("0.1"), mpmath.mpf("0.2"), mpmath.mpf("-0.3")]
        z = theta[0] + theta[1] * x1 + theta[2] * x2
        s = 1 / (1 + mpmath.exp(-z))
        grad = [-2 * (y - s) * s * (1 - s) * f for f in (1, x1, x2)]
        new = [t - mpmath.mpf("0.1") * g for t, g in zip(theta, grad, strict=True)]
        shown = " \\\\ ".join(format(float(mpmath.nint(v * 10**6)) / 10**6, ".6f")
                               for v in new)
    assert f"\\approx \\begin{{bmatrix}} {shown} \\end{{bmatrix}}^{{T}}" in result.output


def test_help_does_not_import_sympy() -> None:
    import subprocess
    import sys

    code = ("import sys; from generator.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "assert 'sympy' not in sys.modules, 'sympy imported'")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=False)
    assert out.returncode == 0, out.stderr
    assert "Usage: " in out.stdout


def test_python_dash_m_generator() -> None:
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "generator", "check", str(HW13)],
                         capture_output=True, text=True, cwd=ROOT, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "ok: 1 problem, 24 steps verified\n"


def test_numeric_check_sets_symbols_that_cancel_in_the_difference() -> None:
    """a − b drops the shared (y − x)²; the points must still give y and x values."""
    from sympy import symbols

    from generator.check.verify import compare

    x, y, w = symbols("x y w", real=True)
    a = (y - x) ** 2 + w**2 / 2
    b = (y - x) ** 2 + w * (w + 1) / 2 - w / 2
    assert compare(a, b).status in ("proved", "numeric")
    assert compare(a, b + w).status == "failed"


def test_a_local_definition_that_is_zero_is_put_in() -> None:
    # A sample whose x is 0: the body 0 is a definition, not "no definition".
    from generator.check.verify import Meaning
    from generator.graph.model import Graph

    s, u, v = sympy.symbols("s u v")
    graph = Graph()
    graph.nodes[u] = 2 * v
    meaning = Meaning(graph, {s: sympy.Integer(0)})
    assert meaning.inline(s * u + v) == v
    assert meaning.inline(s * u + v, keep=s) == 2 * s * v + v


def test_a_total_is_the_total_derivative_where_a_plain_partial_is_local(
        tmp_path: Path) -> None:
    """L = h + g with g = h²: on a right side, ∂L/∂h written plainly is L's own partial (1);
    written as backprop's δ (Total) it is the total derivative 1 + 2h. A line that means
    δ_h is refused when written with the local partial and proved with the total."""
    from generator.algebra.notation import Total
    from generator.check.verify import Meaning, check_block

    path = tmp_path / "shared.yaml"
    path.write_text("id: shared\ntitle: {zh-TW: t, en: t}\nkind: gradient\n"
                    "inputs: {x: {}}\nparams: {w: {}}\n"
                    "nodes: {a: w*x, h: tanh(a), g: h^2, L: h + g}\nloss: L\nwrt: [w]\n",
                    encoding="utf-8")
    graph = prepare(path).graph
    a, h, L = graph.names["a"], graph.names["h"], graph.names["L"]
    meaning = Meaning(graph, {})
    th = sympy.tanh(a.xreplace({a: graph.nodes[a]}))
    assert sympy.simplify(meaning.of(sympy.Derivative(L, h))[0] - 1) == 0
    assert sympy.simplify(meaning.of(Total(L, h))[0] - (1 + 2 * th)) == 0
    line = {"plain": sympy.Mul(sympy.Derivative(L, h), sympy.Derivative(h, a), evaluate=False),
            "total": sympy.Mul(Total(L, h), sympy.Derivative(h, a), evaluate=False)}
    status = {k: check_block(Block("", {}, (Step("backprop_sum", rhs,
                                                     lhs=sympy.Derivative(L, a)),)), graph)[0]
              .steps[0].check.status for k, rhs in line.items()}
    assert status == {"plain": "failed", "total": "proved"}


def test_one_printed_partial_is_one_quantity(tmp_path: Path) -> None:
    """An L2 loss's path sum would print ∂L/∂W₁₁ = ∂L/∂L₀ ∂L₀/∂ŷ ∂ŷ/∂W₁₁ + ∂L/∂W₁₁, the left
    side the total and the right the loss's own partial λW₁₁: refused at that step with the
    hint; `auto` writes backprop there, whose answer is the total (checked against sympy)."""
    from generator.errors import StepCheckError

    text = (ROOT / "problems" / "dense-l2.yaml").read_text(encoding="utf-8")
    paths, auto = tmp_path / "paths.yaml", tmp_path / "auto.yaml"
    paths.write_text(text.replace("method: backprop", "method: paths"), encoding="utf-8")
    auto.write_text(text.replace("method: backprop", "method: auto"), encoding="utf-8")
    with pytest.raises(StepCheckError) as refused:
        prepare(paths)
    message = str(refused.value)
    assert "step 1 (sum_over_paths)" in message
    assert ("the notation ∂L/∂W11 is printed both as L's own (local) partial and as the total "
            "derivative") in message and "`display: {method: backprop}`" in message
    problem = prepare(auto)
    assert any(s.rule == "backprop_sum" for s in problem.solution.steps())
    g = problem.graph
    w11 = g.names["W11"]
    answer = g.inline(problem.solution.answers["Derivative(L, W11)"])
    assert sympy.simplify(answer - sympy.diff(g.inline(g.loss), w11)) == 0


def test_a_counterexample_never_assigns_a_declared_constant() -> None:
    """HW 1-3 declares n: 1: a wrong step is checked with n = 1, and its counterexample
    lists the leaves only (issue 14, item 3: it once set n = −463/500)."""
    problem = prepare(HW13)
    g = problem.graph
    sections = list(problem.solution.sections)
    partials = sections[2]
    good = partials.blocks[0].steps[3]
    n, yy, yhat = g.names["n"], g.names["yy"], g.names["yhat"]
    wrong = replace(good, rhs=sympy.Mul(3 / n, yy - yhat, evaluate=False), check=None)
    sections[2] = inject(partials, 3, wrong)
    _, failures = check(replace(problem.solution, sections=tuple(sections)), g)
    detail = failures[0][1].check.detail if failures[0][1].check else ""
    assert detail.startswith("at ") and "yy=" in detail
    assert "n=" not in detail.replace("yhat", "")
    # −2(y − ŷ) without the 1/n is the same value when n = 1: it is accepted.
    dropped = replace(good, rhs=sympy.Mul(-2, yy - yhat, evaluate=False), check=None)
    sections[2] = inject(partials, 3, dropped)
    _, failures = check(replace(problem.solution, sections=tuple(sections)), g)
    assert failures == []
