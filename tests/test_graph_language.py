"""The graph language: affine `for:` indices, `sum:`, families as arrays, nodes over layers."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy
from test_errors import run_check

from generator.algebra.expr import ExprError
from generator.graph.indices import read_index
from generator.solvers.problem import prepare

STRIDED = """\
id: strided
title: t
kind: gradient
inputs: {x: {shape: [5], index_base: 0}, y: {shape: [2], index_base: 0}}
params: {w: {shape: [3], index_base: 0}}
nodes:
  z{i}: {for: {i: [0, 1]}, sum: {k: [0, 1, 2]}, expr: "w{k}*x{2*i+k}"}
  L: (z0 - y0)^2 + (z1 - y1)^2
loss: L
wrt: [w]
"""

# The same stride-2 convolution written out by hand.
BY_HAND = STRIDED.replace(
    '  z{i}: {for: {i: [0, 1]}, sum: {k: [0, 1, 2]}, expr: "w{k}*x{2*i+k}"}\n',
    "  z0: w0*x0 + w1*x1 + w2*x2\n  z1: w0*x2 + w1*x3 + w2*x4\n")


def solved(tmp_path: Path, text: str, name: str = "p.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return prepare(path, display="p.yaml").solution.to_text()


def test_strided_convolution_equals_the_hand_expanded_graph(tmp_path: Path) -> None:
    templated = solved(tmp_path, STRIDED, "a.yaml")
    by_hand = solved(tmp_path, BY_HAND, "b.yaml")
    # The same steps, each verified; the family only groups ∂L/∂z0 and ∂L/∂z1 together.
    assert set(templated.splitlines()) == set(by_hand.splitlines())
    answers = [t for t in templated.splitlines() if t.startswith("answer")]
    assert answers == [t for t in by_hand.splitlines() if t.startswith("answer")]
    # Every step of it verified, and the answer is the derivative of the inlined loss.
    steps = [t for t in templated.splitlines() if t.startswith("    [")]
    assert len(steps) == 3 * 9 and all(t.endswith("<proved>") for t in steps)
    x = sympy.symbols("x0:5", real=True)
    y = sympy.symbols("y0:2", real=True)
    w = sympy.symbols("w0:3", real=True)
    z = [sum(w[k] * x[2 * i + k] for k in range(3)) for i in range(2)]
    loss = sum((z[i] - y[i]) ** 2 for i in range(2))
    line = next(t for t in templated.splitlines() if t.startswith("answer Derivative(L, w1)"))
    zs = sympy.symbols("z0:2", real=True)
    names = {s.name: s for s in (*x, *y, *w, *zs)}
    answer = sympy.sympify(line.split(" = ", 1)[1], locals=names)
    answer = answer.subs(dict(zip(zs, z, strict=True)))
    assert sympy.expand(answer - sympy.diff(loss, w[1])) == 0


@pytest.mark.parametrize(("text", "value"), [
    ("2*i+k", 2 * 3 + 1), ("i+j", 3 + 5), ("2*i", 6), ("t-1", 1), ("(i+1)*2", 8),
    ("-i+7", 4), ("3", 3), ("i*2-k", 5)])
def test_affine_indices(text: str, value: int) -> None:
    assert read_index(text, frozenset("ijkt")).at({"i": 3, "j": 5, "k": 1, "t": 2}) == value


@pytest.mark.parametrize(("text", "message"), [
    ("i*j", "index {i*j}: a product of two loop letters is not affine"),
    ("i**2", "index {i**2}: unexpected '*'"),
    ("q", "index {q}: 'q' is not a letter of `for:`"),
    ("__import__", "index {__import__}: unexpected '_'"),
    ("i+", "index {i+}: incomplete expression"),
    ("", "index {}: empty index"),
])
def test_bad_indices_are_refused(text: str, message: str) -> None:
    with pytest.raises(ExprError) as err:
        read_index(text, frozenset("ijk"))
    assert err.value.message == message


ERRORS = {
    "out_of_range": (
        STRIDED.replace("{2*i+k}", "{2*i+k+1}"),
        "x.yaml:7: nodes.z{i}.expr: node z1: x{2*i+k+1} at i=1, k=2 is x5, which is not "
        "declared\n  hint: x has indices 0…4; narrow the `for:` range\n"),
    "unknown_letter": (
        STRIDED.replace("{2*i+k}", "{2*j+k}"),
        "x.yaml:7: nodes.z{i}: index {2*j+k}: 'j' is not a letter of `for:`\n"
        "  hint: write an affine index such as {i}, {t-1}, {2*i+k} over the `for:` letters\n"),
    "negative": (
        STRIDED.replace("{2*i+k}", "{2*i-k}"),
        "x.yaml:7: nodes.z{i}: x{2*i-k} at i=0, k=1 has index -1\n"
        "  hint: indices cannot be negative: narrow the `for:` range\n"),
    "not_affine": (
        STRIDED.replace("{2*i+k}", "{i*k}"),
        "x.yaml:7: nodes.z{i}: index {i*k}: a product of two loop letters is not affine\n"
        "  hint: write an affine index such as {i}, {t-1}, {2*i+k} over the `for:` letters\n"),
    "letter_twice": (
        STRIDED.replace("sum: {k:", "sum: {i:"),
        "x.yaml:7: nodes.z{i}: i is both under `for:` and `sum:`\n"
        "  hint: give each letter one role\n"),
}


@pytest.mark.parametrize("case", ERRORS)
def test_index_errors_name_file_line_node_and_index(tmp_path: Path, case: str) -> None:
    text, expected = ERRORS[case]
    code, out = run_check(tmp_path, text)
    assert code == 1
    assert out == expected + "1 of 1 problem files failed; nothing was written.\n"


SOFTMAX = """\
id: family-softmax
title: t
kind: gradient
inputs: {x: {}, y: {shape: [3]}}
params: {a: {}, b: {}, c: {}}
nodes:
  z{k}: {for: {k: [1, 2, 3]}, expr: "a*x^{k} + {k}*b + c*{k}^2"}
  L: -y1*log(p1) - y2*log(p2) - y3*log(p3)
layers:
  - activation: {fn: softmax, in: z, out: p}
loss: L
wrt: [a, b, c]
display: {method: backprop}
"""


def test_a_family_is_a_layer_input_and_nodes_use_layer_outputs(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(SOFTMAX, encoding="utf-8")
    problem = prepare(path, display="p.yaml")  # every step verified, or it raises
    graph = problem.graph
    assert graph.arrays["z"] == {(k,): graph.names[f"z{k}"] for k in (1, 2, 3)}
    assert list(graph.nodes).index(graph.names["p3"]) < list(graph.nodes).index(graph.loss)
    # Independently: the loss written out in plain sympy, differentiated by sympy.
    x, a, b, c = sympy.symbols("x a b c", real=True)
    y = sympy.symbols("y1:4", real=True)
    z = [a * x ** k + k * b + c * k ** 2 for k in (1, 2, 3)]
    p = [sympy.exp(zk) / sum(sympy.exp(u) for u in z) for zk in z]
    loss = -sum(yk * sympy.log(pk) for yk, pk in zip(y, p, strict=True))
    values = dict(zip((x, a, b, c, *y), (sympy.Rational(n, 7) for n in (3, 2, -1, 4, 1, 3, 2)),
                      strict=True))
    point = {graph.names[s.name]: v for s, v in values.items()}
    for v in (a, b, c):
        got = graph.inline(problem.solution.answers[f"Derivative(L, {v})"]).xreplace(point)
        want = sympy.diff(loss, v).subs(values)
        assert abs(sympy.N(got - want, 40)) < sympy.Float("1e-35", 40)


def test_a_row_family_feeds_a_softmax_per_row(tmp_path: Path) -> None:
    # Self-attention over 2 tokens: one family of scores per query row, one softmax each.
    text = """\
id: rows
title: t
kind: gradient
inputs: {x: {shape: [2]}, y: {}}
params: {wq: {}, wk: {}}
nodes:
  s1{j}: {for: {j: [1, 2]}, expr: "wq*x1*wk*x{j}"}
  s2{j}: {for: {j: [1, 2]}, expr: "wq*x2*wk*x{j}"}
  L: (p11*x1 + p12*x2 + p21*x1 + p22*x2 - y)^2
layers:
  - activation: {fn: softmax, in: s1, out: p1}
  - activation: {fn: softmax, in: s2, out: p2}
loss: L
wrt: [wq]
"""
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    problem = prepare(path, display="p.yaml")
    graph = problem.graph
    assert sorted(graph.arrays["p2"]) == [(1,), (2,)]
    x1, x2, wq, wk, y = sympy.symbols("x1 x2 wq wk y", real=True)
    rows = [[wq * xi * wk * xj for xj in (x1, x2)] for xi in (x1, x2)]
    attn = [[sympy.exp(s) / sum(sympy.exp(u) for u in row) for s in row] for row in rows]
    loss = (sum(a[0] * x1 + a[1] * x2 for a in attn) - y) ** 2
    values = dict(zip((x1, x2, wq, wk, y), (sympy.Rational(n, 5) for n in (3, -4, 2, 6, 1)),
                      strict=True))
    point = {graph.names[s.name]: v for s, v in values.items()}
    got = graph.inline(problem.solution.answers["Derivative(L, wq)"]).xreplace(point)
    assert abs(sympy.N(got - sympy.diff(loss, wq).subs(values), 40)) < sympy.Float("1e-35", 40)
