"""The working a TA writes on a numeric sheet (issue 15, Deliver 2, the English look-over):
λ stated among a matrix sheet's givens, the momentum and update lines and AdamW's state
values with their numbers put in, each number recomputed here by hand in mpmath; and
a single output's ∂L/∂b printed once. Each numbers line is a checked step: a wrong one
is refused."""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import mpmath
import pytest
import sympy
from click.testing import CliRunner
from conftest import ROOT

from generator.check.verify import check
from generator.cli import main
from generator.solvers.problem import prepare

PROBLEMS = ROOT / "problems"
LANGS = ["en", "zh-TW"]


def _show(name: str, lang: str) -> str:
    result = CliRunner().invoke(main, ["show", str(PROBLEMS / f"{name}.yaml"), "--lang", lang])
    assert result.exit_code == 0, result.output
    return result.output


def _fixed(value: Any, places: int) -> str:
    """value to `places` decimals, half-even, as the sheet prints it; negatives bracketed
    where they are put into a line (the caller adds the brackets)."""
    return str(Decimal(mpmath.nstr(value, 50, strip_zeros=False)).quantize(
        Decimal(1).scaleb(-places), ROUND_HALF_EVEN))


def _sigma(z: Any) -> Any:
    return 1 / (1 + mpmath.exp(-z))


def _in(x: str) -> str:
    """A number put into a line: (−0.47270) bracketed, 0.35514 as it is."""
    return f"({x})" if x.startswith("-") else x


@pytest.mark.parametrize("lang", LANGS)
def test_lambda_is_stated_among_the_givens_as_the_file_writes_it(lang: str) -> None:
    for name, lam in (("linreg-bias-batch", "\\frac{1}{10}"),
                      ("linreg-l2-batch", "\\frac{1}{10}")):
        page = _show(name, lang)
        assert ("\\mathbf{y} &= \\left[\\begin{matrix}3\\\\1\\\\2\\end{matrix}\\right] "
                f"\\\\\n\\lambda &= {lam}\n\\end{{aligned}}") in page, name
        # …before the first line that puts its number in.
        assert page.index(f"\\lambda &= {lam}") < page.index(f"\\left({lam}\\right)"), name
    # A logistic sheet's gradient is ≈ numbers only: without λ stated it could not be done.
    page = _show("logistic-bce-batch", lang)
    assert ("\\mathbf{y} &= \\left[\\begin{matrix}1\\\\0\\\\1\\end{matrix}\\right] \\\\\n"
            "\\lambda &= 0.01\n\\end{aligned}") in page


def _minibatch() -> dict[str, Any]:
    """minibatch-sgd.yaml by hand: logistic neuron, BCE, batches (3, 1) and (4, 2),
    μ = 0.9, η = 0.5; ḡ, v and θ of w₁ after each step."""
    data = [(1, 2, 1), (-1, mpmath.mpf("0.5"), 0), (2, -1, 1), (0, 1, 0)]
    theta = [mpmath.mpf("0.5"), mpmath.mpf("-0.25"), mpmath.mpf(0)]
    v = [mpmath.mpf(0)] * 3
    out: dict[str, Any] = {}
    for t, batch in enumerate(([3, 1], [4, 2]), start=1):
        g = [mpmath.mpf(0)] * 3
        for k in batch:
            x1, x2, y = data[k - 1]
            gz = _sigma(theta[0] * x1 + theta[1] * x2 + theta[2]) - y
            g = [a + gz * x / len(batch) for a, x in zip(g, (x1, x2, 1), strict=True)]
        v = [mpmath.mpf("0.9") * a + b for a, b in zip(v, g, strict=True)]
        theta = [a - mpmath.mpf("0.5") * b for a, b in zip(theta, v, strict=True)]
        out[f"g{t}"], out[f"v{t}"], out[f"w{t}"] = g[0], v[0], theta[0]
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_momentum_and_update_lines_put_the_numbers_in(lang: str) -> None:
    page = _show("minibatch-sgd", lang)
    with mpmath.workdps(50):
        r = _minibatch()
        g1, v1, w1 = _fixed(r["g1"], 6), _fixed(r["v1"], 6), _fixed(r["w1"], 5)
        g2, v2, w2 = _fixed(r["g2"], 6), _fixed(r["v2"], 6), _fixed(r["w2"], 5)
    assert (g1, v1, w1) == ("-0.472700", "-0.472700", "0.73635")  # gradients with p's places
    assert ("v_{w_{1}}^{(1)} &= 0.9 \\cdot 0 + \\bar{g}_{w_{1}}^{(1)} \\\\\n"
            f"&= 0.9 \\cdot 0 + {_in(g1)} \\\\\n"
            f"&\\approx {v1} \\\\\n"
            "w_{1}^{(1)} &= 0.5 - 0.5 v_{w_{1}}^{(1)} \\\\\n"
            f"&= 0.5 - 0.5 \\cdot {_in(v1)} \\\\\n"
            f"&\\approx {w1}\n") in page
    assert (f"v_{{w_{{1}}}}^{{(2)}} &= 0.9 \\cdot {_in(v1)} + \\bar{{g}}_{{w_{{1}}}}^{{(2)}} \\\\\n"
            f"&= 0.9 \\cdot {_in(v1)} + {_in(g2)} \\\\\n"
            f"&\\approx {v2} \\\\\n"
            f"w_{{1}}^{{(2)}} &= {w1} - 0.5 v_{{w_{{1}}}}^{{(2)}} \\\\\n"
            f"&= {w1} - 0.5 \\cdot {_in(v2)} \\\\\n"
            f"&\\approx {_fixed(r['w2'], 5)}\n") in page
    assert w2 == "1.03860"


def _adamw() -> list[dict[str, Any]]:
    """adamw-logistic.yaml's w₁ by hand (torch.optim.AdamW's formulas): batches (1, 2),
    (3, 4), (1, 2); β = (0.9, 0.999), ε = 1e-8, λ = 0.01, η_t = 0.1(1 + cos(π(t−1)/4))/2."""
    data = [(1, 2, 1), (-1, mpmath.mpf("0.5"), 0), (2, -1, 1), (0, 1, 0)]
    theta = [mpmath.mpf("0.5"), mpmath.mpf("-0.25"), mpmath.mpf(0)]
    m, v = [mpmath.mpf(0)] * 3, [mpmath.mpf(0)] * 3
    b1, b2 = mpmath.mpf("0.9"), mpmath.mpf("0.999")
    out = []
    for t, batch in enumerate(([1, 2], [3, 4], [1, 2]), start=1):
        g = [mpmath.mpf(0)] * 3
        for k in batch:
            x1, x2, y = data[k - 1]
            gz = _sigma(theta[0] * x1 + theta[1] * x2 + theta[2]) - y
            g = [a + gz * x / 2 for a, x in zip(g, (x1, x2, 1), strict=True)]
        eta = mpmath.mpf("0.1") * (1 + mpmath.cos(mpmath.pi * (t - 1) / 4)) / 2
        m = [b1 * a + (1 - b1) * b for a, b in zip(m, g, strict=True)]
        v = [b2 * a + (1 - b2) * b**2 for a, b in zip(v, g, strict=True)]
        mh = [a / (1 - b1**t) for a in m]
        vh = [a / (1 - b2**t) for a in v]
        before = theta[0]
        theta = [th - eta * a / (mpmath.sqrt(b) + mpmath.mpf("1e-8")) - eta * mpmath.mpf(
            "0.01") * th for th, a, b in zip(theta, mh, vh, strict=True)]
        out.append({"g": g[0], "m": m[0], "v": v[0], "mh": mh[0], "vh": vh[0], "eta": eta,
                    "before": before, "w": theta[0]})
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_adamw_state_values_and_update_show_their_arithmetic(lang: str) -> None:
    page = _show("adamw-logistic", lang)
    with mpmath.workdps(50):
        one, two = _adamw()[:2]
        # Decimals per quantity, as the sheet keeps them (6 significant digits of the
        # largest of each; ḡ as p, 6): ḡ 6, m 7, v 9, m̂ 6, v̂ 6, θ and η 6.
        p = {k: _fixed(two[k], n) for k, n in (("g", 6), ("m", 7), ("v", 9), ("mh", 6),
                                                 ("vh", 6), ("eta", 6), ("before", 6),
                                                 ("w", 6))}
        m1, v1 = _fixed(one["m"], 7), _fixed(one["v"], 9)
    assert (p["g"], p["m"], p["mh"], p["w"]) == ("-0.190194", "-0.0572084", "-0.301097",
                                                 "0.677164")
    assert (f"m_{{w_{{1}}}}^{{(2)}} &= 0.9 \\cdot {_in(m1)} + 0.1 \\cdot {_in(p['g'])} \\\\\n"
            f"&\\approx {p['m']} \\\\\n"
            f"v_{{w_{{1}}}}^{{(2)}} &= 0.999 \\cdot {v1} + 0.001 \\cdot {_in(p['g'])}^{{2}} \\\\\n"
            f"&\\approx {p['v']} \\\\\n"
            f"\\hat{{m}}_{{w_{{1}}}}^{{(2)}} &= \\frac{{{p['m']}}}{{1 - {{0.9}}^{{2}}}} \\\\\n"
            f"&\\approx {p['mh']} \\\\\n"
            f"\\hat{{v}}_{{w_{{1}}}}^{{(2)}} &= \\frac{{{p['v']}}}{{1 - {{0.999}}^{{2}}}} \\\\\n"
            f"&\\approx {p['vh']} \\\\\n") in page
    assert (f"&= {p['before']} - {p['eta']} \\frac{{{p['mh']}}}{{\\sqrt{{{p['vh']}}} + "
            f"10^{{-8}}}} - {p['eta']} \\cdot 0.01 \\cdot {p['before']} \\\\\n"
            f"&\\approx {p['w']}\n") in page
    # η_t with its numbers as Step 1's schedule writes it (η_1 = η is just its value).
    assert ("\\eta_{2} &= 0.1 \\frac{1 + \\cos\\left(\\frac{\\pi}{4}\\right)}{2} \\\\\n"
            f"&\\approx {p['eta']} \\\\\n") in page
    assert ("\\eta_{3} &= 0.1 \\frac{1 + \\cos\\left(\\frac{\\pi}{2}\\right)}{2} \\\\\n"
            "&= 0.050000 \\\\\n") in page
    assert "\\eta_{1} &= 0.100000 \\\\\n" in page
    # The first update: 1 − β₁, not 1 − β₁¹.
    assert "\\hat{m}_{w_{1}}^{(1)} &= \\frac{-0.0424323}{1 - 0.9} \\\\\n" in page


@pytest.mark.parametrize(("name", "rule"), [("minibatch-sgd", "momentum"),
                                             ("minibatch-sgd", "sgd_update"),
                                             ("adamw-logistic", "adam_update")])
def test_a_wrong_numbers_line_is_refused(name: str, rule: str) -> None:
    """The numbers line after `rule` means the formula at the verifier's values: 1 % off,
    it fails (and so does the value under it, a rounding of the line above)."""
    problem = prepare(PROBLEMS / f"{name}.yaml")
    sections = list(problem.solution.sections)
    for s, section in enumerate(sections):
        for b, block in enumerate(section.blocks):
            at = next((i for i, st in enumerate(block.steps) if st.rule == rule), None)
            if at is None:
                continue
            steps = list(block.steps)
            assert steps[at + 1].rule == "substitution"
            steps[at + 1] = replace(steps[at + 1], value=steps[at + 1].canonical
                                    * sympy.Rational(101, 100), check=None)
            blocks = list(section.blocks)
            blocks[b] = replace(block, steps=tuple(steps))
            sections[s] = replace(section, blocks=tuple(blocks))
            _, failures = check(replace(problem.solution, sections=tuple(sections)),
                                problem.graph)
            assert [st.rule for _, st in failures] == ["substitution", "arithmetic"]
            return
    raise AssertionError(f"no {rule} step")


@pytest.mark.parametrize("lang", LANGS)
def test_a_single_bias_gradient_is_printed_once(lang: str) -> None:
    for name, bias in (("mlp-tanh-bce", "b^{(2)}"), ("dense-l2", "b")):
        page = _show(name, lang)
        lhs = f"\\frac{{\\partial L}}{{\\partial {bias}}} &="
        assert page.count(lhs) == 1, name
        # …among the other parameters' gradients, before the matrix form.
        assert page.index(lhs) < page.index("\\nabla_{W"), name
        assert f"\\frac{{\\partial L}}{{\\partial {bias}}} = " not in page, name
