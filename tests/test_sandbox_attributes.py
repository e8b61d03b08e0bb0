"""The sandbox's attribute answers kept per (type, name) (theme/sandbox.py) are Jinja's own,
whatever order they are asked in."""

from __future__ import annotations

import types
from typing import Any

import pytest
from jinja2.sandbox import SandboxedEnvironment

from generator.theme.sandbox import BoundedEnvironment


def _function() -> None:
    return None


def _generator() -> Any:
    yield 1


class _Claims:
    """An object that says it is a str: never answered from the kept pairs."""

    @property
    def __class__(self) -> type:  # type: ignore[override]
        return str


OBJECTS: list[Any] = [_function, str, "text", [1], {"a": 1}, _generator(),
                      types.SimpleNamespace(x=1), BoundedEnvironment.getattr, _Claims()]
NAMES = ["mro", "upper", "__code__", "__globals__", "func_globals", "gi_frame", "__class__",
         "_private", "x", "keys", "__self__", "__func__"]


@pytest.mark.parametrize("order", [1, -1])
def test_answers_are_jinjas_in_either_order(order: int) -> None:
    # "mro" of the str *instance* is safe, of the type str is not: a key by name alone
    # would answer the second from the first, in one order or the other.
    ours, jinja = BoundedEnvironment(), SandboxedEnvironment()
    pairs = [(o, n) for o in OBJECTS for n in NAMES][::order]
    for obj, name in pairs * 2:
        value = getattr(obj, name, None)
        assert ours.is_safe_attribute(obj, name, value) == jinja.is_safe_attribute(
            obj, name, value), (obj, name)


def test_templates_still_refuse_internals() -> None:
    env = BoundedEnvironment()
    env.from_string("{{ s.upper() }}").render(s="a")  # a safe pair kept first
    out = env.from_string("{{ f.__code__ }}|{{ t.mro }}|{{ s.upper() }}").render(
        f=_function, t=str, s="a")
    assert out == "||A"
