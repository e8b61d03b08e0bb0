"""The verifier rejects wrong steps, whatever produced them."""

from __future__ import annotations

from dataclasses import replace

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
    mpmath.mp.dps = 50
    x1, x2, y = mpmath.mpf("0.5"), mpmath.mpf(-1), mpmath.mpf(1)
    theta = [mpmath.mpf("0.1"), mpmath.mpf("0.2"), mpmath.mpf("-0.3")]
    z = theta[0] + theta[1] * x1 + theta[2] * x2
    s = 1 / (1 + mpmath.exp(-z))
    grad = [-2 * (y - s) * s * (1 - s) * f for f in (1, x1, x2)]
    new = [t - mpmath.mpf("0.1") * g for t, g in zip(theta, grad, strict=True)]
    shown = " \\\\ ".join(format(float(mpmath.nint(v * 10**6)) / 10**6, ".6f") for v in new)
    assert f"\\approx \\begin{{bmatrix}} {shown} \\end{{bmatrix}}^{{T}}" in result.output
    mpmath.mp.dps = 15


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
