"""Benchmark: the full gradient of a 3-4-1 MLP (tanh hidden layer, sigmoid output, BCE),
derived by backpropagation and every step verified. Goal: ≤ 2 s.

    .venv/bin/python bench/mlp.py            # prints seconds per run (best of 3)

Not a test: timing depends on the machine; run it by hand and compare with the goal.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

MLP = """\
id: bench-mlp-3-4-1
title: 3-4-1 MLP
kind: gradient
inputs:
  x: {shape: [3]}
  y: {}
params:
  W: {shape: [4, 3]}
  b: {shape: [4]}
  V: {shape: [1, 4]}
  c: {}
layers:
  - dense: {in: x, weights: W, bias: b, out: z}
  - activation: {fn: tanh, in: z, out: h}
  - dense: {in: h, weights: V, bias: c, out: s}
  - activation: {fn: sigma, in: s, out: p}
  - loss: {kind: bce, target: y, pred: p, out: L}
loss: L
wrt: [W, b, V, c]
"""


def measure() -> tuple[float, float]:
    """(first run, best of the next 3) in seconds; also used by bench/run.py."""
    cold, best, _ = _runs()
    return cold, best


def _runs() -> tuple[float, float, Any]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from generator.solvers.problem import prepare

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mlp.yaml"
        path.write_text(MLP, encoding="utf-8")
        start = time.perf_counter()
        prepare(path)  # first run in this process: sympy's caches are cold
        cold = time.perf_counter() - start
        times = []
        for _ in range(3):
            start = time.perf_counter()
            problem = prepare(path)
            times.append(time.perf_counter() - start)
    return cold, min(times), problem


def main() -> None:
    cold, best, problem = _runs()
    steps = problem.solution.steps()
    print(f"3-4-1 MLP: {len(problem.solution.answers)} partial derivatives, {len(steps)} "
          f"verified steps; first run {cold:.2f} s, then best of 3: {best:.2f} s "
          "(goal ≤ 2 s; sympy import not counted)")

if __name__ == "__main__":
    main()
