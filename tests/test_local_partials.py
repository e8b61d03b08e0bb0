"""Local partials are local: ∂(node)/∂(direct input) is the partial of the node's own
expression, even when the input also reaches the node through a shared node.

The expected gradient is sympy's `diff` of the loss written out by hand here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy
from click.testing import CliRunner
from sympy import Derivative, exp, log

from generator.check import verify
from generator.cli import main
from generator.errors import StepCheckError
from generator.solvers.problem import prepare

# A softmax over two classes written by hand, its denominator S a node of its own.
HAND_SOFTMAX = """\
id: handsm
title: {zh-TW: 手寫 softmax, en: softmax written by hand}
kind: gradient
inputs:
  z1: {}
  y1: {}
  y2: {}
params:
  z2: {}
nodes:
  S: exp(z1) + exp(z2)
  p1: exp(z1)/S
  p2: exp(z2)/S
  L: -(y1*log(p1) + y2*log(p2))
loss: L
wrt: [z2]
"""
P2_LINE = 13


@pytest.fixture
def hand_softmax(tmp_path: Path) -> Path:
    path = tmp_path / "handsm.yaml"
    path.write_text(HAND_SOFTMAX)
    return path


def test_a_softmax_with_a_shared_denominator_verifies(hand_softmax: Path) -> None:
    problem = prepare(hand_softmax)
    names = problem.graph.names
    z1, z2, y1, y2 = (names[n] for n in ("z1", "z2", "y1", "y2"))
    s = exp(z1) + exp(z2)
    loss = -(y1 * log(exp(z1) / s) + y2 * log(exp(z2) / s))
    answer = problem.solution.answers["Derivative(L, z2)"]
    inlined = problem.graph.inline(answer)
    assert sympy.simplify(inlined - sympy.diff(loss, z2)) == 0
    local = [st for st in problem.solution.steps() if st.rule == "local_derivative"
             and st.lhs == Derivative(names["p2"], z2)]
    assert local and all(st.check is not None and st.check.status == "proved" for st in local)


def test_a_failing_step_points_at_its_node_and_trace_marks_it(
        hand_softmax: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Read every lhs as a total derivative again (the old rule): ∂p₂/∂z₂ = e^{z₂}/S fails.
    monkeypatch.setattr(verify, "LOCAL_RULES", frozenset())
    with pytest.raises(StepCheckError) as info:
        prepare(hand_softmax)
    assert str(info.value).startswith(f"{hand_softmax}:{P2_LINE}: ")
    result = CliRunner().invoke(main, ["show", str(hand_softmax), "--format", "trace"])
    assert result.exit_code == 1
    marked = [line for line in result.output.splitlines() if line.startswith(">>")]
    assert marked and marked[0].startswith(">>  [local_derivative] Derivative(p2, z2)")
    assert "<failed: mpmath" in marked[0]
