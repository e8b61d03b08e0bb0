"""The one place where text becomes a sympy expression.

Text is parsed with Python's `ast` and the tree is walked node by node: only numbers,
declared names, arithmetic and whitelisted functions are accepted. Nothing is ever
passed to `eval` or `sympify`, so a problem file cannot run code.
"""

from __future__ import annotations

import ast
import io
import math
import tokenize
from collections.abc import Callable, Mapping
from typing import Any

import sympy

from generator.algebra.functions import FUNCTIONS

_HINT = "use numbers, declared names, + - * / ** ^ and functions like sigma(x)"
MAX_LENGTH = 4000
MAX_DEPTH = 60
MAX_EXPONENT = 1000
MAX_DIGITS = 10_000


class ExprError(ValueError):
    """Text that is not a valid expression; the caller adds file, line and key."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def _clip(text: str, width: int = 60) -> str:
    """Error messages quote at most `width` characters: they must fit on one screen."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _caret_to_power(text: str) -> str:
    """`^` means power, as in mathematics; change the token, not the characters."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        raise ExprError(f"cannot read expression {_clip(text)!r}: unbalanced brackets or quotes"
                        ) from None
    out = [(t.type, "**") if t.type == tokenize.OP and t.string == "^" else (t.type, t.string)
           for t in tokens]
    return tokenize.untokenize(out)


_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}


_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Lt: lambda a, b: sympy.Lt(a, b, evaluate=False),
    ast.LtE: lambda a, b: sympy.Le(a, b, evaluate=False),
    ast.Gt: lambda a, b: sympy.Gt(a, b, evaluate=False),
    ast.GtE: lambda a, b: sympy.Ge(a, b, evaluate=False),
    ast.Eq: lambda a, b: sympy.Eq(a, b, evaluate=False),
    ast.NotEq: lambda a, b: sympy.Ne(a, b, evaluate=False),
}
def _is_condition(value: Any) -> bool:
    # sympy's Symbol is also a Boolean (for logic formulas); only these are conditions here.
    boolalg = sympy.logic.boolalg
    return isinstance(value, sympy.core.relational.Relational | boolalg.BooleanFunction
                      | boolalg.BooleanAtom)


_CONDITION_HINT = "write a comparison such as abs(z00) <= 4, joined by and / or / not"


def _digits(base: Any, exponent: Any) -> float:
    """Decimal digits of base**exponent, in plain floats (math.log10 takes any int).

    A sympy `log` here stays symbolic under `evaluate(False)` (how identity lines are
    parsed for display), and comparing it in an `if` raised a TypeError for `2**3`.
    """
    p, q = sympy.Rational(base).as_numer_denom()
    return float(abs(exponent)) * max(math.log10(abs(int(p))), math.log10(abs(int(q))))


class _Walker:
    def __init__(self, names: Mapping[str, sympy.Basic], extra_calls: Mapping[str, Any],
                 conditions: bool = False) -> None:
        self.names = names
        self.calls = {**FUNCTIONS, **extra_calls}
        # Comparisons and and/or/not are only read in `where:` conditions, never in values.
        self.conditions = conditions

    def walk(self, node: ast.AST, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise ExprError(f"expression is nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, ast.Expression):
            return self.walk(node.body, depth + 1)
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            value = self.number(node.operand, depth)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp):
            return self.binary(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, ast.Attribute):
            raise ExprError(f"attribute access .{node.attr} is not allowed", _HINT)
        if self.conditions and isinstance(node, ast.Compare | ast.BoolOp | ast.UnaryOp):
            return self.logic(node, depth)
        raise ExprError(f"{type(node).__name__} is not allowed in an expression", _HINT)

    def logic(self, node: ast.Compare | ast.BoolOp | ast.UnaryOp, depth: int) -> Any:
        """`a < b <= c`, `p and q`, `not p`: sympy relationals joined by And/Or/Not."""
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.Not):
                raise ExprError(f"operator {type(node.op).__name__} is not allowed")
            return sympy.Not(self.boolean(node.operand, depth))
        if isinstance(node, ast.BoolOp):
            parts = [self.boolean(v, depth) for v in node.values]
            return sympy.And(*parts) if isinstance(node.op, ast.And) else sympy.Or(*parts)
        terms = [self.number(node.left, depth)]
        terms += [self.number(c, depth) for c in node.comparators]
        pairs = zip(node.ops, terms, terms[1:], strict=False)
        links = [_COMPARE[type(op)](a, b) for op, a, b in pairs if type(op) in _COMPARE]
        if len(links) != len(node.ops):
            raise ExprError("only < <= > >= == != compare values", _CONDITION_HINT)
        return links[0] if len(links) == 1 else sympy.And(*links, evaluate=False)

    def boolean(self, node: ast.AST, depth: int) -> Any:
        value = self.walk(node, depth + 1)
        if not _is_condition(value):
            raise ExprError("and / or / not join comparisons, not numbers", _CONDITION_HINT)
        return value

    def number(self, node: ast.AST, depth: int) -> Any:
        value = self.walk(node, depth + 1)
        if self.conditions and _is_condition(value):
            raise ExprError("a comparison cannot be used as a number", _CONDITION_HINT)
        return value

    def constant(self, node: ast.Constant) -> Any:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ExprError(f"{value!r} is not a number")
        if isinstance(value, int):
            if abs(value) > 10**100:
                raise ExprError("integer constant is too large")
            return sympy.Integer(value)
        if not math.isfinite(value):
            raise ExprError(f"{value!r} is not a finite number")
        return sympy.Rational(repr(value))

    def name(self, ident: str) -> Any:
        if ident.startswith("_"):
            raise ExprError(f"name {ident!r} is not allowed")
        if ident in self.names:
            return self.names[ident]
        if ident in ("pi", "E"):
            return sympy.pi if ident == "pi" else sympy.E
        if ident in self.calls:
            raise ExprError(f"{ident!r} is a function: call it, e.g. {ident}(x)")
        raise ExprError(f"unknown symbol {ident!r}",
                        "declare it under inputs, params, constants or nodes")

    def binary(self, node: ast.BinOp, depth: int) -> Any:
        left = self.number(node.left, depth)
        right = self.number(node.right, depth)
        if isinstance(node.op, ast.Pow):
            if right.is_Number and abs(right) > MAX_EXPONENT:
                raise ExprError(f"exponent {right} is larger than {MAX_EXPONENT}")
            if left.is_Number and right.is_Number and left != 0 and (
                _digits(left, right) > MAX_DIGITS
            ):
                raise ExprError(f"number {left}**{right} has more than {MAX_DIGITS} digits")
            if not right.is_Number and left.is_Number and abs(left) > 1:
                # 10**x is harmless symbolically but 10**10**10 is not: cap nested towers.
                raise ExprError("a number raised to a symbolic power is not supported")
            return left**right
        op = _BINARY.get(type(node.op))
        if op is None:
            raise ExprError(f"operator {type(node.op).__name__} is not allowed")
        if isinstance(node.op, ast.Div) and right == 0:
            raise ExprError("division by zero")
        return op(left, right)

    def call(self, node: ast.Call, depth: int) -> Any:
        if isinstance(node.func, ast.Attribute):
            raise ExprError(f"attribute access .{node.func.attr} is not allowed", _HINT)
        if not isinstance(node.func, ast.Name) or node.func.id not in self.calls:
            what = node.func.id if isinstance(node.func, ast.Name) else "this call"
            raise ExprError(f"function {what!r} is not allowed",
                            "allowed: " + ", ".join(sorted(self.calls)))
        if node.keywords:
            raise ExprError("keyword arguments are not allowed")
        args = [self.walk(a, depth + 1) for a in node.args]
        try:
            return self.calls[node.func.id](*args)
        except (TypeError, ValueError) as exc:
            raise ExprError(f"{node.func.id}(...): {exc}") from None


def parse(text: object, names: Mapping[str, sympy.Basic],
          extra_calls: Mapping[str, Any] | None = None) -> Any:
    """Parse `text` over `names` (declared symbols) into a sympy expression."""
    return _parse(text, names, extra_calls, conditions=False)


def parse_condition(text: object, names: Mapping[str, sympy.Basic],
                    extra_calls: Mapping[str, Any] | None = None) -> Any:
    """Parse a `where:` condition: comparisons joined by and/or/not → sympy Boolean."""
    value = _parse(text, names, extra_calls, conditions=True)
    if not _is_condition(value):
        raise ExprError(f"{str(text).strip()!r} is a value, not a condition", _CONDITION_HINT)
    return value


def _parse(text: object, names: Mapping[str, sympy.Basic],
           extra_calls: Mapping[str, Any] | None, conditions: bool) -> Any:
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise ExprError(f"expected an expression, got {type(text).__name__}")
    source = str(text).strip()
    if not source:
        raise ExprError("empty expression")
    if len(source) > MAX_LENGTH:
        raise ExprError(f"expression is longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(_caret_to_power(source), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        msg = exc.msg if isinstance(exc, SyntaxError) else str(exc)
        raise ExprError(f"cannot read expression {_clip(source)!r}: {msg}") from None
    try:
        return _Walker(names, extra_calls or {}, conditions).walk(tree)
    except RecursionError:
        raise ExprError(f"expression is nested deeper than {MAX_DEPTH} levels") from None
