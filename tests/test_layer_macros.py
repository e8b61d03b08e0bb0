"""Layer macros against definitions written out by hand: convolution conventions, stride,
padding, channels, pooling, activations and their derivatives, and bad-layer messages."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import sympy
from click.testing import CliRunner

from generator.algebra.functions import leaky_relu, relu, softmax, softplus, step
from generator.cli import main
from generator.graph.compiler import compile_graph
from generator.spec.models import validate
from generator.spec.source import read_source

HEAD = """\
id: t
title: t
kind: gradient
inputs: {a: {shape: [3, 3], index_base: 1}}
params: {w: {shape: [2, 2], index_base: 1}, b: {}}
"""


def graph_of(tmp_path: Path, text: str) -> object:
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    source = read_source(path)
    return compile_graph(validate(source), source)  # type: ignore[arg-type]


def conv_by_hand(stride: int, top: int, left: int, rows: int, cols: int, flip: bool
                 ) -> dict[str, sympy.Expr]:
    a = {(r, c): sympy.Symbol(f"a{r + 1}{c + 1}", real=True) for r in range(3) for c in range(3)}
    w = {(p, q): sympy.Symbol(f"w{p + 1}{q + 1}", real=True) for p in range(2) for q in range(2)}
    out = {}
    for i, j in itertools.product(range(rows), range(cols)):
        total = sympy.Symbol("b", real=True)
        for p, q in itertools.product(range(2), range(2)):
            pos = (i * stride + p - top, j * stride + q - left)
            if pos in a:
                total += a[pos] * w[(1 - p, 1 - q) if flip else (p, q)]
        out[f"z{i}{j}"] = total
    return out


@pytest.mark.parametrize(("options", "geometry"), [
    ("stride: 1, padding: valid", (1, 0, 0, 2, 2, False)),
    ("stride: 2, padding: same", (2, 0, 0, 2, 2, False)),
    ("stride: 2, padding: 1", (2, 1, 1, 2, 2, False)),
    ("stride: 1, padding: same, convention: convolution", (1, 0, 0, 3, 3, True)),
])
def test_conv2d_matches_the_definition(tmp_path: Path, options: str,
                                       geometry: tuple[int, int, int, int, int, bool]) -> None:
    g = graph_of(tmp_path, HEAD + f"layers:\n  - conv2d: {{input: a, kernel: w, out: z, "
                 f"bias: b, {options}}}\n  - loss: {{kind: sse, target: b, pred: z00, out: L}}"
                 "\nloss: L\nwrt: [w]\n")
    expected = conv_by_hand(*geometry)
    made = {s.name: body for s, body in g.nodes.items() if s.name.startswith("z")}  # type: ignore[attr-defined]
    assert made.keys() == expected.keys()
    for name, body in expected.items():
        assert sympy.expand(made[name] - body) == 0, name


def test_two_channel_input_and_two_kernels(tmp_path: Path) -> None:
    text = ("id: t\ntitle: t\nkind: gradient\ninputs: {a: {shape: [2, 2, 2]}}\n"
            "params: {k: {shape: [2, 2, 2]}, m: {shape: [2, 2, 2]}}\n"
            "layers:\n  - conv2d: {input: a, kernel: [k, m], out: z}\n"
            "  - loss: {kind: sse, target: z000, pred: z100, out: L}\nloss: L\nwrt: [k]\n")
    g = graph_of(tmp_path, text)
    body = g.nodes[sympy.Symbol("z100", real=True)]  # type: ignore[attr-defined]
    expected = sum(sympy.Symbol(f"a{c}{r}{q}", real=True) * sympy.Symbol(f"m{c}{r}{q}", real=True)
                   for c in (1, 2) for r in (1, 2) for q in (1, 2))
    assert sympy.expand(body - expected) == 0


def test_max_pool_takes_the_winner_at_the_values(tmp_path: Path) -> None:
    text = ("id: t\ntitle: t\nkind: gradient\ninputs: {a: {shape: [2, 2]}}\nparams: {v: {}}\n"
            "values: {a11: 1, a12: 5, a21: -2, a22: 3}\n"
            "layers:\n  - pool: {kind: max, in: a, out: m}\n"
            "  - dense: {in: [m00], weights: [v], out: s}\n"
            "  - loss: {kind: sse, target: v, pred: s, out: L}\nloss: L\nwrt: [v]\n")
    g = graph_of(tmp_path, text)
    assert g.nodes[sympy.Symbol("m00", real=True)] == sympy.Symbol("a12", real=True)  # type: ignore[attr-defined]


def test_max_pool_without_values_is_an_error(tmp_path: Path) -> None:
    text = ("id: t\ntitle: t\nkind: gradient\ninputs: {a: {shape: [2, 2]}}\nparams: {v: {}}\n"
            "layers:\n  - pool: {kind: max, in: a, out: m}\n"
            "  - dense: {in: [m00], weights: [v], out: s}\n"
            "  - loss: {kind: sse, target: v, pred: s, out: L}\nloss: L\nwrt: [v]\n")
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert "x.yaml:7: layers[0].pool: max pooling needs numbers for every leaf below it" in (
        result.output)
    assert "hint: give them under `values:`" in result.output


def _fd(f: object, x: sympy.Rational) -> sympy.Float:
    h = sympy.Rational(1, 10**25)
    return sympy.N((f(x + h) - f(x - h)) / (2 * h), 60)  # type: ignore[operator]


@pytest.mark.parametrize("x", [sympy.Rational(-7, 5), sympy.Rational(3, 4)])
def test_activation_derivatives_match_central_differences(x: sympy.Rational) -> None:
    t = sympy.Symbol("t", real=True)
    slope = sympy.Rational(1, 10)
    for fn in (relu, softplus, lambda u: leaky_relu(u, slope)):
        exact = sympy.N(sympy.diff(fn(t), t).xreplace({t: x}), 60)
        assert abs(exact - _fd(fn, x)) < sympy.Float("1e-30")


def test_relu_subgradient_at_zero_is_zero_and_leaky_relu_takes_the_slope() -> None:
    t = sympy.Symbol("t", real=True)
    assert sympy.diff(relu(t), t).xreplace({t: 0}) == 0
    assert step(0) == 0 and step(sympy.Rational(1, 10**9)) == 1
    assert sympy.diff(leaky_relu(t, sympy.Rational(1, 10)), t).xreplace({t: 0}) == (
        sympy.Rational(1, 10))


def test_softmax_jacobian_matches_central_differences() -> None:
    z = [sympy.Rational(3, 10), sympy.Rational(-12, 10), sympy.Rational(7, 10)]
    zs = sympy.symbols("z0:3", real=True)
    for k, m in itertools.product(range(3), range(3)):
        exact = sympy.N(sympy.diff(softmax(sympy.Integer(k), *zs), zs[m]).xreplace(
            dict(zip(zs, z, strict=True))), 60)

        def f(v: sympy.Expr, k: int = k, m: int = m) -> sympy.Expr:
            args = [v if i == m else z[i] for i in range(3)]
            return sympy.exp(args[k]) / sum(sympy.exp(a) for a in args)

        assert abs(exact - _fd(f, z[m])) < sympy.Float("1e-30"), (k, m)


def _check(tmp_path: Path, text: str) -> tuple[int, str]:
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path)])
    return result.exit_code, result.output.replace(str(tmp_path) + "/", "")


def test_dense_matrix_with_wrong_width_names_the_line(tmp_path: Path) -> None:
    text = ("id: t\ntitle: t\nkind: gradient\ninputs: {x: {shape: [3]}}\n"
            "params: {W: {shape: [2, 2]}}\n"
            "layers:\n  - dense: {in: x, weights: W, out: z}\nloss: z1\nwrt: [W]\n")
    code, out = _check(tmp_path, text)
    assert code == 1
    assert out.startswith("x.yaml:7: layers[0].dense.weights: 'W' has 2 columns for 3 inputs\n"
                          "  hint: the weight matrix is [outputs, inputs]\n")


def test_kernel_with_the_wrong_number_of_channels(tmp_path: Path) -> None:
    text = ("id: t\ntitle: t\nkind: gradient\ninputs: {a: {shape: [2, 3, 3]}}\n"
            "params: {w: {shape: [2, 2]}}\n"
            "layers:\n  - conv2d: {input: a, kernel: w, out: z}\nloss: z00\nwrt: [w]\n")
    code, out = _check(tmp_path, text)
    assert code == 1
    assert out.startswith("x.yaml:7: layers[0].conv2d.kernel: kernel 'w' has 1 channel(s), "
                          "the input has 2\n  hint: give the kernel shape [channels, rows, cols]")


def test_training_order_names_a_missing_sample(tmp_path: Path) -> None:
    text = ("id: t\ntitle: t\nkind: training\ninputs: {x: {}}\nparams: {w: {}}\n"
            "nodes: {L: (w*x - 1)^2}\nloss: L\ndata: [{x: 1}, {x: 2}]\ninit: {w: 0}\n"
            "lr: 0.1\norder: [2, 3]\n")
    code, out = _check(tmp_path, text)
    assert code == 1
    assert out.startswith("x.yaml:11: order[1]: there is no sample 3\n"
                          "  hint: samples are numbered 1 to 2\n")


def test_pooling_keeps_channels(tmp_path: Path) -> None:
    text = ("id: t\ntitle: t\nkind: gradient\ninputs: {a: {shape: [2, 2, 2]}}\n"
            "params: {v: {}}\nlayers:\n  - pool: {kind: avg, in: a, out: q}\n"
            "  - dense: {in: [q000, q100], weights: [v, v], out: s}\n"
            "  - loss: {kind: sse, target: v, pred: s, out: L}\nloss: L\nwrt: [v]\n")
    g = graph_of(tmp_path, text)
    q100 = g.nodes[sympy.Symbol("q100", real=True)]  # type: ignore[attr-defined]
    expected = sum(sympy.Symbol(f"a2{r}{c}", real=True) for r in (1, 2) for c in (1, 2)) / 4
    assert sympy.expand(q100 - expected) == 0


MAXPOOL = """\
id: maxpool
title: max pool
kind: gradient
inputs: {a: {shape: [3, 3]}, y: {}}
params: {w: {shape: [2, 2]}, v: {}}
values: {a11: 1, a12: 2, a13: 0, a21: -1, a22: 3, a23: 1, a31: 0, a32: 1, a33: 2,
         w11: 0.5, w12: -1, w21: 1, w22: 0.25, v: 1, y: 0}
layers:
  - conv2d: {input: a, kernel: w, out: z}
  - pool: {kind: max, in: z, size: 2, out: m}
  - dense: {in: [m00], weights: [v], out: s}
  - loss: {kind: mse, target: y, pred: s, out: L}
loss: L
wrt: [w11]
"""


def test_max_pool_states_the_winner_and_routes_the_gradient(tmp_path: Path) -> None:
    # z00 = -1.75, z01 = 4.25, z10 = -3.25, z11 = 2 at these values (by hand)
    path = tmp_path / "maxpool.yaml"
    path.write_text(MAXPOOL, encoding="utf-8")
    result = CliRunner().invoke(main, ["show", str(path), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "max pooling: $m_{00} = z_{01} \\approx 4.25$, the largest input" in result.output
    assert r"\frac{\partial z_{01}}{\partial w_{11}}" in result.output


def test_valid_stride_two_names_the_inputs_no_weight_touches(tmp_path: Path) -> None:
    text = HEAD + (
        "layers:\n  - conv2d: {input: a, kernel: w, out: z, stride: 2, bias: b}\n"
        "  - loss: {kind: sse, target: b, pred: z00, out: L}\nloss: L\nwrt: [w]\n")
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["show", str(path), "--lang", "en"])
    assert result.exit_code == 0, result.output
    # 3×3 input, 2×2 kernel, stride 2, no padding: one output over a11 a12 a21 a22 only
    assert "No weight ever touches $a_{13}, a_{23}, a_{31}, a_{32}, a_{33}$" in result.output
