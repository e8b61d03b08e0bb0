"""Fuzzing the expression parser and the spec loader: only solgen's own errors escape.

`make test` runs a few hundred examples; `make fuzz` (SOLGEN_FUZZ_EXAMPLES=10000) runs more.
"""

from __future__ import annotations

import contextlib
import os

import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.algebra.expr import ExprError, parse
from generator.errors import SolgenError
from generator.solvers.problem import prepare
from generator.spec.models import validate
from generator.spec.source import parse_source

EXAMPLES = int(os.environ.get("SOLGEN_FUZZ_EXAMPLES", "200"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])
NAMES = {n: sympy.Symbol(n) for n in ("x", "y", "w11")}

TOKENS = st.sampled_from(["x", "y", "w11", "1", "0", "2.5", "10", "+", "-", "*", "/", "**",
                          "^", "(", ")", ",", "sigma", "tanh", "exp", "log", "sqrt", "abs",
                          ".", "__class__", "lambda", ":", "[", "]", "'", "=", "<", "if",
                          "import", "_", " ", "e", "pi", "1e400", "%", "@", "~", "!"])


@FUZZ
@given(st.lists(TOKENS, max_size=30).map("".join))
def test_parser_tokens(text: str) -> None:
    try:
        result = parse(text, NAMES)
    except ExprError:
        return
    assert isinstance(result, sympy.Basic)


@FUZZ
@given(st.text(max_size=80))
def test_parser_any_text(text: str) -> None:
    with contextlib.suppress(ExprError):
        parse(text, NAMES)


KEYS = st.sampled_from(["id", "title", "kind", "inputs", "params", "nodes", "loss", "wrt",
                        "layers", "constants", "expect", "display", "data", "init", "lr",
                        "output", "mode", "x", "L"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True),
                    st.sampled_from(["gradient", "sgd_step", "L", "x*w", "w", "[w]", "{}",
                                     "sigma(x)", "!!python/name:os.system", "*a", "&a x"]))
YAML_VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=5)), max_leaves=20)


@FUZZ
@given(st.dictionaries(KEYS, YAML_VALUES, max_size=10))
def test_spec_loader_structures(data: dict[str, object]) -> None:
    import yaml

    raw = yaml.safe_dump(data, allow_unicode=True).encode("utf-8")
    with contextlib.suppress(SolgenError):
        validate(parse_source(raw, "fuzz.yaml"))


@FUZZ
@given(st.binary(max_size=200))
def test_spec_loader_bytes(raw: bytes) -> None:
    with contextlib.suppress(SolgenError):
        validate(parse_source(raw, "fuzz.yaml"))


GRAPH = """id: f
title: t
kind: gradient
params: {{w: {{}}}}
inputs: {{x: {{}}}}
nodes:
  L: "{expr}"
loss: L
wrt: [w]
"""


@settings(max_examples=max(20, EXAMPLES // 10), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["w", "x", "1", "2", "+", "-", "*", "(", ")", "sigma(",
                                 "tanh(", "exp(", "^2", "/"]), min_size=1, max_size=12)
       .map("".join))
def test_whole_pipeline(expr: str) -> None:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.yaml"
        path.write_text(GRAPH.format(expr=expr), encoding="utf-8")
        with contextlib.suppress(SolgenError):
            prepare(path)
