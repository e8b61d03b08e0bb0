"""Optimizers of kind: training — every state value and update a verified step, and the
parameters after each run equal a plain mpmath implementation (the gradient written by
hand, the update rules as torch.optim documents them) and, where torch is installed,
torch.optim itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mpmath
import pytest

from generator.solvers.problem import Problem, prepare

DATA = [(1, 2, 1), (-1, 0.5, 0), (2, -1, 1), (0, 1, 0)]
INIT = (0.5, -0.25, 0)
MODEL = """id: opt
title: t
kind: training
inputs: {x1: {}, x2: {}, y: {}}
params: {w1: {}, w2: {}, b: {}}
nodes:
  z: w1*x1 + w2*x2 + b
  p: sigma(z)
layers:
  - loss: {kind: bce, target: y, pred: p, out: L}
loss: L
data:
  - {x1: 1, x2: 2, y: 1}
  - {x1: -1, x2: 0.5, y: 0}
  - {x1: 2, x2: -1, y: 1}
  - {x1: 0, x2: 1, y: 0}
init: {w1: 0.5, w2: -0.25, b: 0}
batch_size: 2
steps: 3
"""

CASES: dict[str, dict[str, Any]] = {
    "momentum-l2": {"optimizer": "sgd", "lr": 0.5, "momentum": 0.9, "weight_decay": 0.1},
    "nesterov": {"optimizer": "nesterov", "lr": 0.5, "momentum": 0.9},
    "adagrad": {"optimizer": "adagrad", "lr": 0.3},
    "rmsprop": {"optimizer": "rmsprop", "lr": 0.01, "rho": 0.9},
    "adam": {"optimizer": "adam", "lr": 0.1},
    "adam-l2": {"optimizer": "adam", "lr": 0.1, "weight_decay": 0.05},
    "adamw": {"optimizer": "adam", "lr": 0.1, "weight_decay": 0.05, "decoupled": True},
    "adam-step": {"optimizer": "adam", "lr": 0.1,
                  "schedule": {"kind": "step", "step_size": 2, "gamma": 0.5}},
    "sgd-cosine": {"optimizer": "sgd", "lr": 0.5,
                   "schedule": {"kind": "cosine", "t_max": 4, "eta_min": 0.1}},
}


def _yaml(options: dict[str, Any]) -> str:
    def value(v: Any) -> str:
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k}: {value(x)}" for k, x in v.items()) + "}"
        return str(v).lower() if isinstance(v, bool) else str(v)
    return MODEL + "".join(f"{k}: {value(v)}\n" for k, v in options.items())


def _problem(tmp_path: Path, options: dict[str, Any]) -> Problem:
    path = tmp_path / "opt.yaml"
    path.write_text(_yaml(options), encoding="utf-8")
    return prepare(path)


def _grad(theta: list[Any], batch: list[int]) -> list[Any]:
    """Mean BCE gradient of a logistic neuron, by hand: (p − y)(x1, x2, 1)."""
    total = [mpmath.mpf(0)] * 3
    for k in batch:
        x1, x2, y = (mpmath.mpf(str(v)) for v in DATA[k - 1])
        p = 1 / (1 + mpmath.exp(-(theta[0] * x1 + theta[1] * x2 + theta[2])))
        total = [a + (p - y) * b for a, b in zip(total, (x1, x2, 1), strict=True)]
    return [g / len(batch) for g in total]


def _rate(o: dict[str, Any], t: int) -> Any:
    lr, sched = mpmath.mpf(str(o["lr"])), o.get("schedule")
    if sched is None:
        return lr
    if sched["kind"] == "step":
        return lr * mpmath.mpf(str(sched["gamma"])) ** ((t - 1) // sched["step_size"])
    low = mpmath.mpf(str(sched["eta_min"]))
    return low + (lr - low) * (1 + mpmath.cos(mpmath.pi * (t - 1) / sched["t_max"])) / 2


def reference(o: dict[str, Any], steps: int = 3) -> list[Any]:
    """The same run in plain mpmath, one parameter vector at a time."""
    f = lambda key, d: mpmath.mpf(str(o.get(key, d)))  # noqa: E731
    mu, b1, b2, rho, wd = f("momentum", 0), f("beta1", 0.9), f("beta2", 0.999), f("rho", 0.99), \
        f("weight_decay", 0)
    eps = f("eps", {"adagrad": "1e-10"}.get(o["optimizer"], "1e-8"))
    theta = [mpmath.mpf(str(v)) for v in INIT]
    s1, s2 = [mpmath.mpf(0)] * 3, [mpmath.mpf(0)] * 3
    for t in range(1, steps + 1):
        batch = [((2 * (t - 1) + i) % 4) + 1 for i in range(2)]
        g = _grad(theta, batch)
        lr = _rate(o, t)
        for i in range(3):
            gi = g[i] + wd * theta[i] if not o.get("decoupled") else g[i]
            name = o["optimizer"]
            if name in ("sgd", "nesterov"):
                s1[i] = mu * s1[i] + gi
                step = gi + mu * s1[i] if name == "nesterov" else s1[i]
            elif name == "adagrad":
                s1[i] += gi**2
                step = gi / (mpmath.sqrt(s1[i]) + eps)
            elif name == "rmsprop":
                s1[i] = rho * s1[i] + (1 - rho) * gi**2
                step = gi / (mpmath.sqrt(s1[i]) + eps)
            else:
                s1[i] = b1 * s1[i] + (1 - b1) * gi
                s2[i] = b2 * s2[i] + (1 - b2) * gi**2
                step = (s1[i] / (1 - b1**t)) / (mpmath.sqrt(s2[i] / (1 - b2**t)) + eps)
            decay = lr * wd * theta[i] if o.get("decoupled") else 0
            theta[i] = theta[i] - lr * step - decay
    return theta


@pytest.mark.parametrize("name", list(CASES))
def test_parameters_equal_a_plain_mpmath_run(tmp_path: Path, name: str) -> None:
    problem = _problem(tmp_path, CASES[name])
    steps = problem.solution.steps()
    assert all(s.check is not None and s.check.status != "failed" for s in steps)
    got = [problem.solution.answers[f"{p}^(3)"] for p in ("w1", "w2", "b")]
    with mpmath.workdps(50):
        want = reference(CASES[name])
        for g, w in zip(got, want, strict=True):
            assert abs(mpmath.mpf(str(g)) - w) < mpmath.mpf("1e-30"), (name, g, w)


def test_adam_shows_its_bias_correction_and_each_rule(tmp_path: Path) -> None:
    first = next(sec for sec in _problem(tmp_path, CASES["adamw"]).solution.sections
                 if sec.key == "training_update")
    # Each sample's forward pass and gradient first, then the mean and the update.
    # (the first sentence opens with the update's lead-in), one display per parameter.
    assert [b.key for b in first.blocks] == ["training_sample", "training_sample",
                                             "training_mean_update", "", ""]
    assert first.blocks[0].params["batch"] == "1, 2"
    rules = [s.rule for s in first.blocks[2].steps]
    # Each state value with its numbers (m = 0.9·0 + 0.1·ḡ), then its value; the update
    # with the numbers of m̂ and v̂ put in, then its value.
    assert rules == ["batch_gradient", "substitution", "arithmetic",
                     "adam_m", "arithmetic", "adam_v", "arithmetic", "adam_mhat", "arithmetic",
                     "adam_vhat", "arithmetic", "adam_update", "substitution", "arithmetic"]
    scheduled = [s.rule for s in _problem(tmp_path, CASES["adam-step"]).solution.steps()]
    assert scheduled.count("lr_step") == 3
    l2 = [s.rule for s in _problem(tmp_path, CASES["adam-l2"]).solution.steps()]
    assert "weight_decay_l2" in l2


def _broken(problem: Problem, rule: str, change: Any) -> list[str]:
    """The rules of the failing steps once the first `rule` step's value is changed."""
    from dataclasses import replace

    from generator.check.verify import check

    k = next(i for i, sec in enumerate(problem.solution.sections)
             if sec.key == "training_update")
    section = problem.solution.sections[k]
    b = next(j for j, blk in enumerate(section.blocks) if any(s.rule == rule
                                                              for s in blk.steps))
    block = section.blocks[b]  # the display of the first parameter with a `rule` step
    steps = list(block.steps)
    i = next(j for j, s in enumerate(steps) if s.rule == rule)
    steps[i] = replace(steps[i], value=change(steps, steps[i].canonical), check=None)
    sections = list(problem.solution.sections)
    sections[k] = replace(section, blocks=(*section.blocks[:b],
                                           replace(block, steps=tuple(steps)),
                                           *section.blocks[b + 1:]))
    _, failures = check(replace(problem.solution, sections=tuple(sections)), problem.graph)
    return [s.rule for _, s in failures]


def test_a_wrong_state_value_or_update_is_refused(tmp_path: Path) -> None:
    """The verifier's route is independent of the run's numbers: m̂ 1 % off fails, and an
    update that uses 1.01 m̂ fails (then so does the next line, which does not follow)."""
    import sympy

    problem = _problem(tmp_path, CASES["adam"])
    # m̂'s numbers line 1 % off fails, and the decimal under it, a rounding of that line.
    assert _broken(problem, "adam_mhat", lambda steps, v: v * sympy.Rational(101, 100)) == [
        "adam_mhat", "arithmetic"]

    def scaled(steps: list[Any], value: Any) -> Any:
        mhat = next(s.lhs for s in steps if s.rule == "adam_mhat")
        return value.xreplace({mhat: mhat * sympy.Rational(101, 100)})
    # …then so does the line with its numbers, which means the right update.
    assert _broken(problem, "adam_update", scaled) == ["adam_update", "substitution"]


def test_torch_optim_agrees(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    for name, o in CASES.items():
        if o.get("schedule") or (o.get("decoupled") and o["optimizer"] != "adam"):
            continue
        w = torch.tensor([float(v) for v in INIT], dtype=torch.float64, requires_grad=True)
        kind = {"sgd": torch.optim.SGD, "nesterov": torch.optim.SGD, "adagrad":
                torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop, "adam": torch.optim.Adam}
        opts: dict[str, Any] = {"lr": o["lr"], "weight_decay": o.get("weight_decay", 0)}
        if o["optimizer"] in ("sgd", "nesterov"):
            opts.update(momentum=o.get("momentum", 0), nesterov=o["optimizer"] == "nesterov")
        if o["optimizer"] == "rmsprop":
            opts["alpha"] = o["rho"]
        cls = torch.optim.AdamW if o.get("decoupled") else kind[o["optimizer"]]
        opt = cls([w], **opts)
        for t in range(1, 4):
            batch = [((2 * (t - 1) + i) % 4) + 1 for i in range(2)]
            x = torch.tensor([[DATA[k - 1][0], DATA[k - 1][1], 1.0] for k in batch],
                             dtype=torch.float64)
            y = torch.tensor([float(DATA[k - 1][2]) for k in batch], dtype=torch.float64)
            opt.zero_grad()
            loss = torch.nn.functional.binary_cross_entropy(torch.sigmoid(x @ w), y)
            loss.backward()
            opt.step()
        got = _problem(tmp_path, o).solution.answers
        for i, p in enumerate(("w1", "w2", "b")):
            assert abs(float(got[f"{p}^(3)"]) - float(w[i])) < 1e-9, (name, p)
