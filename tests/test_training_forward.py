"""Each sample's forward pass and gradient on a training sheet (issue 15, Deliver 2).

Every forward value (z_k, p_k, h_k …) and every per-sample gradient g_{v,k} a training
sheet prints is compared, for every sample of every step, with a run written by hand in
mpmath at 50 digits (the model's own formulas, the chain rule by hand): the value the
verifier checked the line against to 35 digits, the printed decimal exactly. Then: every
printed line of the training sheets verifies and reads back, and a misprinted number or a
wrong value is refused.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import mpmath
import pytest
import sympy
from conftest import ROOT

from generator.algebra.fixed_decimal import FixedDecimal
from generator.algebra.trace import Solution
from generator.errors import StepCheckError
from generator.solvers.problem import prepare
from generator.theme.theme import Theme
from generator.view import model

NAME = re.compile(r"^(fwd|sample)_(.+)_(\d+)_(\d+)$")
Values = dict[tuple[int, int], dict[str, Any]]  # (update, sample) → name → value


def sigma(z: Any) -> Any:
    return 1 / (1 + mpmath.exp(-z))


def _logistic_run() -> Values:
    """minibatch-sgd.yaml by hand: z = w₁x₁ + w₂x₂ + b, p = σ(z), BCE, μ = 0.9, η = 0.5."""
    data = [(1, 2, 1), (-1, mpmath.mpf("0.5"), 0), (2, -1, 1), (0, 1, 0)]
    theta = {"w1": mpmath.mpf("0.5"), "w2": mpmath.mpf("-0.25"), "b": mpmath.mpf(0)}
    velocity = dict.fromkeys(theta, mpmath.mpf(0))
    out: Values = {}
    for t, batch in enumerate(([3, 1], [4, 2]), start=1):
        mean = dict.fromkeys(theta, mpmath.mpf(0))
        for k in batch:
            x1, x2, y = data[k - 1]
            z = theta["w1"] * x1 + theta["w2"] * x2 + theta["b"]
            p = sigma(z)
            gz = p - y  # ∂/∂z of −y log p − (1 − y) log(1 − p) with p = σ(z)
            grads = {"w1": gz * x1, "w2": gz * x2, "b": gz}
            out[t, k] = {"z": z, "p": p, "g_z": gz, **{f"g_{n}": g for n, g in grads.items()}}
            mean = {n: mean[n] + grads[n] / len(batch) for n in theta}
        velocity = {n: mpmath.mpf("0.9") * velocity[n] + mean[n] for n in theta}
        theta = {n: theta[n] - mpmath.mpf("0.5") * velocity[n] for n in theta}
    return out


MLP = """\
id: mlp-train
title: {zh-TW: 兩層網路的訓練, en: Training a two-layer network}
kind: training
inputs: {x1: {}, y: {}}
params: {w1: {}, b1: {}, w2: {}, b2: {}, v1: {}, v2: {}, c: {}}
nodes:
  z1: w1*x1 + b1
  z2: w2*x1 + b2
  h1: tanh(z1)
  h2: tanh(z2)
  u: v1*h1 + v2*h2 + c
layers:
  - loss: {kind: mse, target: y, pred: u, out: L}
loss: L
data:
DATA
init: {w1: -0.5, b1: 0.25, w2: 0.5, b2: -0.5, v1: 1, v2: -2, c: 0.25}
lr: 0.5
steps: STEPS
batch_size: BATCH
precision: 6
"""
MLP_DATA = [("1", "1"), ("-0.5", "0"), ("2", "-1"), ("0.5", "0.5"), ("-1", "2")]
MLP_INIT = {"w1": "-0.5", "b1": "0.25", "w2": "0.5", "b2": "-0.5", "v1": "1", "v2": "-2",
            "c": "0.25"}


def _mlp_file(tmp_path: Path, samples: int, batch: int, steps: int) -> Path:
    rows = "".join(f"  - {{x1: {x}, y: {y}}}\n" for x, y in MLP_DATA[:samples])
    text = (MLP.replace("DATA\n", rows).replace("STEPS", str(steps))
            .replace("BATCH", str(batch)))
    path = tmp_path / f"mlp-{samples}-{batch}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _mlp_run(samples: int, batch: int, steps: int) -> Values:
    """The network by hand: tanh hidden units, L = (y − u)², plain SGD, η = 0.5."""
    data = [(mpmath.mpf(x), mpmath.mpf(y)) for x, y in MLP_DATA[:samples]]
    th = {n: mpmath.mpf(v) for n, v in MLP_INIT.items()}
    out: Values = {}
    at = 0
    for t in range(1, steps + 1):
        ks = [(at + i) % samples + 1 for i in range(batch)]
        at += batch
        mean = dict.fromkeys(th, mpmath.mpf(0))
        for k in ks:
            x, y = data[k - 1]
            z1, z2 = th["w1"] * x + th["b1"], th["w2"] * x + th["b2"]
            h1, h2 = mpmath.tanh(z1), mpmath.tanh(z2)
            u = th["v1"] * h1 + th["v2"] * h2 + th["c"]
            gu = -2 * (y - u)
            gh1, gh2 = gu * th["v1"], gu * th["v2"]
            gz1, gz2 = gh1 * (1 - h1**2), gh2 * (1 - h2**2)
            grads = {"w1": gz1 * x, "b1": gz1, "w2": gz2 * x, "b2": gz2, "v1": gu * h1,
                     "v2": gu * h2, "c": gu}
            out[t, k] = {"z1": z1, "z2": z2, "h1": h1, "h2": h2, "u": u, "g_u": gu,
                         "g_h1": gh1, "g_h2": gh2, "g_z1": gz1, "g_z2": gz2,
                         **{f"g_{n}": g for n, g in grads.items()}}
            mean = {n: mean[n] + grads[n] / batch for n in th}
        th = {n: th[n] - mpmath.mpf("0.5") * mean[n] for n in th}
    return out


def _printed(solution: Solution) -> list[tuple[str, sympy.Basic, sympy.Basic, str]]:
    """(name, the value its lines were checked against, the number printed last, key)
    for every left side of the sample blocks (a table's cell is one step with its lhs)."""
    found = []
    for section in solution.sections:
        for block in section.blocks:
            if not block.key.startswith("training_sample") and block.layout != "table":
                continue
            chains: list[list[Any]] = []
            for step in block.steps:
                if step.lhs is not None or not chains:
                    chains.append([step.lhs, step.rhs])
                chains[-1][1] = step.rhs
            found += [(lhs.name, block.extra[lhs], last, block.key or "table")
                      for lhs, last in chains]
    return found


def _compare(solution: Solution, want: Values) -> set[tuple[int, int, str]]:
    seen = set()
    with mpmath.workdps(50):
        for name, meant, shown, _ in _printed(solution):
            kind, var, t, k = NAME.match(name).groups()  # type: ignore[union-attr]
            key = var if kind == "fwd" else f"g_{var}"
            exact = want[int(t), int(k)][key]
            assert abs(mpmath.mpf(str(sympy.N(meant, 50))) - exact) < mpmath.mpf(
                "1e-35") * max(1, abs(exact)), (name, meant, exact)
            # The number printed is the hand-run value, correctly rounded to its places.
            if shown == 0:
                places = 6
                text = "0"
            else:
                assert isinstance(shown, FixedDecimal), (name, shown)
                places, text = shown.places, shown._latex(None)
            rounded = Decimal(mpmath.nstr(exact, 45, strip_zeros=False)).quantize(
                Decimal(1).scaleb(-places), ROUND_HALF_EVEN)
            assert Decimal(text) == rounded, (name, text, rounded)
            seen.add((int(t), int(k), key))
    return seen


def test_every_forward_value_and_gradient_of_minibatch_sgd_is_the_hand_run() -> None:
    problem = prepare(ROOT / "problems" / "minibatch-sgd.yaml")
    with mpmath.workdps(50):
        want = _logistic_run()
    seen = _compare(problem.solution, want)
    # Every sample of every batch, every node and every gradient that Step 2 needs.
    assert seen == {(t, k, key) for (t, k), values in want.items() for key in values}


def test_every_forward_value_and_gradient_of_a_two_layer_network_is_the_hand_run(
        tmp_path: Path) -> None:
    problem = prepare(_mlp_file(tmp_path, 2, 2, 2))
    with mpmath.workdps(50):
        want = _mlp_run(2, 2, 2)
    seen = _compare(problem.solution, want)
    assert seen == {(t, k, key) for (t, k), values in want.items() for key in values}


def test_a_large_batch_writes_out_its_first_sample_and_lists_the_rest(tmp_path: Path) -> None:
    problem = prepare(_mlp_file(tmp_path, 5, 5, 1))
    step = next(s for s in problem.solution.sections if s.key == "training_step")
    assert [b.key for b in step.blocks] == ["training_sample", "training_sample_table",
                                            "training_mean_update", *[""] * 6]
    with mpmath.workdps(50):
        want = _mlp_run(5, 5, 1)
    seen = _compare(problem.solution, want)
    assert {key for t, k, key in seen if k == 1} == set(want[1, 1])
    # The others: the prediction and each parameter's gradient, each a checked step.
    for k in (2, 3, 4, 5):
        assert {key for t, j, key in seen if j == k} == {
            "u", "g_w1", "g_b1", "g_w2", "g_b2", "g_v1", "g_v2", "g_c"}
    made = model.problem_view(problem, Theme().voice("en"))  # every cell read back
    tables = [b.table for s in made.sections for b in s.blocks if b.table][1:]  # not the data
    assert tables[0][0] == ("sample", "$u_{k}^{(1)}$", "$g_{w_{1},k}^{(1)}$",
                            "$g_{b_{1},k}^{(1)}$", "$g_{w_{2},k}^{(1)}$", "$g_{b_{2},k}^{(1)}$",
                            "$g_{v_{1},k}^{(1)}$", "$g_{v_{2},k}^{(1)}$", "$g_{c,k}^{(1)}$")
    assert [row[0] for row in tables[0][1:]] == ["$2$", "$3$", "$4$", "$5$"]


@pytest.mark.parametrize("name", ["minibatch-sgd", "adamw-logistic"])
def test_every_printed_training_line_verifies_and_reads_back(name: str) -> None:
    problem = prepare(ROOT / "problems" / f"{name}.yaml")
    steps = problem.solution.steps()
    assert all(s.check is not None and s.check.status in ("proved", "numeric") for s in steps)
    assert sum(1 for s in steps if s.rule in ("sample_forward", "sample_gradient")) >= 24
    for lang in ("en", "zh-TW"):
        made = model.problem_view(problem, Theme().voice(lang))  # refuses a misread line
        math = "\n".join(b.math for s in made.sections for b in s.blocks)
        assert r"\sigma(1.25000) \approx 0.777300" in math or name != "minibatch-sgd"
    # One quantity, one number of decimals: no `≈ −0.5` beside `−0.44540`.
    assert not re.search(r"\\approx -?\d+\.\d{1,3} ", math)


def test_a_misprinted_forward_number_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = prepare(ROOT / "problems" / "minibatch-sgd.yaml")

    def off_by_one(self: FixedDecimal, printer: Any) -> str:
        value = Decimal(str(self)) + Decimal(1).scaleb(-self.places)
        return format(value, f".{self.places}f")

    monkeypatch.setattr(FixedDecimal, "_latex", off_by_one)
    with pytest.raises(StepCheckError) as info:
        model.problem_view(problem, Theme().voice("en"))
    assert "is not what was checked" in str(info.value)


def test_a_wrong_forward_value_is_refused() -> None:
    from dataclasses import replace

    from generator.check.verify import check

    problem = prepare(ROOT / "problems" / "minibatch-sgd.yaml")
    sections = list(problem.solution.sections)
    i = next(i for i, s in enumerate(sections) if s.key == "training_step")
    blocks = list(sections[i].blocks)
    steps = list(blocks[1].steps)
    assert steps[2].rule == "sample_forward"  # p₃ = σ(z₃): claim σ(z₃) + 1/1000 instead
    steps[2] = replace(steps[2], value=steps[2].canonical + sympy.Rational(1, 1000), check=None)
    blocks[1] = replace(blocks[1], steps=tuple(steps))
    sections[i] = replace(sections[i], blocks=tuple(blocks))
    _, failures = check(replace(problem.solution, sections=tuple(sections)), problem.graph)
    # The line itself, and its value line that continues from it.
    assert [s.rule for _, s in failures] == ["sample_forward", "arithmetic"]


def test_a_kept_solution_prints_its_decimals_as_before() -> None:
    """A solved problem is kept pickled (build/solved.py) and sent between workers: its
    numbers must print with the same places afterwards (they once came back as `-1`)."""
    import pickle

    from generator.build.solved import _dumps

    problem = prepare(ROOT / "problems" / "minibatch-sgd.yaml")
    again = pickle.loads(_dumps(problem))  # as the cache of solved problems keeps it

    def maths(p: Any) -> list[str]:
        made = model.problem_view(p, Theme().voice("zh-TW"))
        return [b.math for s in made.sections for b in s.blocks]

    assert maths(again) == maths(problem)
    assert r"\sigma(-0.58351) \approx 0.358125" in "\n".join(maths(again))
