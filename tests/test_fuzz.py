"""Fuzzing the expression parser and the spec loader: only solgen's own errors escape.

Each property runs twice: a few hundred examples in `make test`, and 10 000 (the whole
pipeline: 1 000) as a `slow` test in `make test-all`; `make fuzz` runs only the big ones.
SOLGEN_FUZZ_EXAMPLES sets the big count.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from typing import Any

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.algebra.expr import ExprError, parse
from generator.errors import SolgenError
from generator.solvers.problem import prepare
from generator.spec.models import validate
from generator.spec.source import parse_source

EXAMPLES = 200
BIG = int(os.environ.get("SOLGEN_FUZZ_EXAMPLES", "10000"))


def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


def twice(strategy: st.SearchStrategy[Any], property_: Callable[[Any], None],
          share: int = 1) -> tuple[Callable[[], None], Callable[[], None]]:
    """The property as a quick test (`EXAMPLES // share` examples) and a slow one (`BIG //
    share`); `share` > 1 for a property whose examples are costly."""
    quick = fuzz(max(20, EXAMPLES // share))(given(strategy)(property_))
    big = fuzz(max(20, BIG // share))(given(strategy)(property_))
    return quick, pytest.mark.slow(big)


NAMES = {n: sympy.Symbol(n) for n in ("x", "y", "w11")}

TOKENS = st.sampled_from(["x", "y", "w11", "1", "0", "2.5", "10", "+", "-", "*", "/", "**",
                          "^", "(", ")", ",", "sigma", "tanh", "exp", "log", "sqrt", "abs",
                          ".", "__class__", "lambda", ":", "[", "]", "'", "=", "<", "if",
                          "import", "_", " ", "e", "pi", "1e400", "%", "@", "~", "!"])


def parser_tokens(text: str) -> None:
    try:
        result = parse(text, NAMES)
    except ExprError:
        return
    assert isinstance(result, sympy.Basic)


test_parser_tokens, test_parser_tokens_big = twice(
    st.lists(TOKENS, max_size=30).map("".join), parser_tokens)


def parser_any_text(text: str) -> None:
    with contextlib.suppress(ExprError):
        parse(text, NAMES)


test_parser_any_text, test_parser_any_text_big = twice(st.text(max_size=80), parser_any_text)


KEYS = st.sampled_from(["id", "title", "kind", "inputs", "params", "nodes", "loss", "wrt",
                        "layers", "constants", "expect", "display", "data", "init", "lr",
                        "output", "mode", "x", "L"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True),
                    st.sampled_from(["gradient", "sgd_step", "L", "x*w", "w", "[w]", "{}",
                                     "sigma(x)", "!!python/name:os.system", "*a", "&a x"]))
YAML_VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=5)), max_leaves=20)


def spec_loader_structures(data: dict[str, object]) -> None:
    import yaml

    raw = yaml.safe_dump(data, allow_unicode=True).encode("utf-8")
    with contextlib.suppress(SolgenError):
        validate(parse_source(raw, "fuzz.yaml"))


test_spec_loader_structures, test_spec_loader_structures_big = twice(
    st.dictionaries(KEYS, YAML_VALUES, max_size=10), spec_loader_structures)


def spec_loader_bytes(raw: bytes) -> None:
    with contextlib.suppress(SolgenError):
        validate(parse_source(raw, "fuzz.yaml"))


test_spec_loader_bytes, test_spec_loader_bytes_big = twice(st.binary(max_size=200),
                                                           spec_loader_bytes)


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


def whole_pipeline(expr: str) -> None:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.yaml"
        path.write_text(GRAPH.format(expr=expr), encoding="utf-8")
        with contextlib.suppress(SolgenError):
            prepare(path)


test_whole_pipeline, test_whole_pipeline_big = twice(
    st.lists(st.sampled_from(["w", "x", "1", "2", "+", "-", "*", "(", ")", "sigma(", "tanh(",
                              "exp(", "^2", "/"]), min_size=1, max_size=12).map("".join),
    whole_pipeline, share=10)
