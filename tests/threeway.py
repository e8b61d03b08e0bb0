"""Independent routes to a gradient, for the three-way checks of tests/test_layers.py.

Everything starts from the `--format json` answer key, read back with plain
`sympy.sympify`: the graph's nodes give the loss, which sympy differentiates, mpmath
differentiates numerically, and torch (when installed) differentiates by autograd.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import sympy
from click.testing import CliRunner
from conftest import ROOT

from generator.cli import main

PROBLEMS = ROOT / "problems"


def answer_key(path: Path) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["show", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def nodes(key: dict[str, Any]) -> dict[sympy.Symbol, sympy.Expr]:
    return {sympy.Symbol(k): sympy.sympify(v) for k, v in key["nodes"].items()}


def inlined(key: dict[str, Any]) -> sympy.Expr:
    """The loss written over leaves only (nodes come in topological order)."""
    full: dict[sympy.Symbol, sympy.Expr] = {}
    for sym, body in nodes(key).items():
        full[sym] = body.xreplace(full)
    return full[sympy.Symbol(key["loss"])]


def random_point(symbols: set[sympy.Symbol], seed: int) -> dict[sympy.Symbol, sympy.Rational]:
    rng = random.Random(seed)
    return {s: sympy.Rational(rng.randint(-1500, 1500), 1000) for s in
            sorted(symbols, key=str)}


def central_difference(loss: sympy.Expr, var: sympy.Symbol,
                       point: dict[sympy.Symbol, sympy.Rational]) -> sympy.Float:
    """(f(x + h) − f(x − h)) / 2h with h = 10⁻²⁵, evaluated at 80 digits: error ~ h²."""
    h = sympy.Rational(1, 10**25)
    up = loss.xreplace({**point, var: point[var] + h})
    down = loss.xreplace({**point, var: point[var] - h})
    return sympy.N((up - down) / (2 * h), 80)


def torch_gradients(key: dict[str, Any], point: dict[sympy.Symbol, sympy.Rational]
                    ) -> dict[str, float]:
    """∂loss/∂leaf by torch autograd in float64, node by node (no sympy derivative)."""
    import torch

    leaves = {s: torch.tensor(float(v), dtype=torch.float64, requires_grad=True)
              for s, v in point.items()}
    values: dict[sympy.Symbol, Any] = dict(leaves)
    for sym, body in nodes(key).items():
        values[sym] = _torch(body, values, torch)
    values[sympy.Symbol(key["loss"])].backward()
    return {s.name: float(t.grad) if t.grad is not None else 0.0 for s, t in leaves.items()}


def _torch(expr: sympy.Basic, values: dict[sympy.Symbol, Any], torch: Any) -> Any:
    if expr in values:
        return values[expr]
    if expr.is_Number:
        return torch.tensor(float(expr), dtype=torch.float64)
    args = [_torch(a, values, torch) for a in expr.args]
    if isinstance(expr, sympy.Add):
        return sum(args[1:], args[0])
    if isinstance(expr, sympy.Mul):
        out = args[0]
        for a in args[1:]:
            out = out * a
        return out
    if isinstance(expr, sympy.Pow):
        return args[0] ** args[1]
    table = {sympy.exp: torch.exp, sympy.log: torch.log, sympy.tanh: torch.tanh}
    if expr.func in table:
        return table[expr.func](args[0])
    if isinstance(expr, sympy.Max):
        return torch.maximum(args[0], args[1])
    if isinstance(expr, sympy.Min):
        return torch.minimum(args[0], args[1])
    raise NotImplementedError(type(expr).__name__)
