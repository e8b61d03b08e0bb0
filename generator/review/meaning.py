"""What a read expression stands for, given the names a submission (or a problem) defines.

`s'` with s = σ(x) is dσ/dx; `∂h/∂b` with h = σ(z), z = b + w₁x₁ + w₂x₂ is the derivative of
the definitions; a derivative along an edge on the right of a chain is the local partial,
any other the total derivative (as in generator/verify.py). A name the text uses but never
defines stays a free variable — unless the text also differentiates it (∂o/∂z), which says it
depends on something the reviewer cannot see: then the line is unread, never passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy
from sympy import Derivative, Symbol
from sympy.core.function import AppliedUndef

from generator.algebra.latex_names import Primed, is_opaque

MAX_INLINE_DEPTH = 200


class Unresolved(Exception):
    """A line whose value depends on something not defined; `key` names the reason."""

    def __init__(self, key: str, name: str = "") -> None:
        self.key = key
        self.name = name
        super().__init__(f"{key}: {name}")


@dataclass
class Scope:
    definitions: dict[Symbol, Any] = field(default_factory=dict)
    functions: dict[str, tuple[tuple[Symbol, ...], Any]] = field(default_factory=dict)
    data: dict[Symbol, Any] = field(default_factory=dict)
    unreadable: set[Symbol] = field(default_factory=set)  # defined by a line not read
    dependent: set[Symbol] = field(default_factory=set)  # differentiated somewhere

    def child(self) -> Scope:
        return Scope(dict(self.definitions), dict(self.functions), dict(self.data),
                     set(self.unreadable), self.dependent)

    def defined(self, sym: Symbol) -> bool:
        return sym in self.definitions or sym in self.unreadable or sym in self.data

    # ---- values ----
    def value(self, expr: Any, lhs: bool = False, shallow: bool = False) -> Any:
        """The expression over undefined names only (a matrix stays a matrix).

        `shallow` keeps defined names as they are (derivatives are still worked out): two
        sides equal over the names are equal whatever the names stand for, and far smaller.
        """
        out = _Walk(self, lhs, shallow).walk(expr, None, 0)
        bad = sorted((s for s in getattr(out, "free_symbols", set()) if is_opaque(s)),
                     key=lambda s: s.name)
        if bad:
            raise Unresolved("undefined", bad[0].name)
        if out.has(Derivative, sympy.Subs, Primed, AppliedUndef):
            raise Unresolved("unevaluated")
        return out

    def at_data(self, value: Any) -> Any:
        return value.xreplace(self.data) if self.data else value


@dataclass
class _Walk:
    scope: Scope
    lhs: bool
    shallow: bool = False

    @property
    def full(self) -> _Walk:
        return _Walk(self.scope, self.lhs) if self.shallow else self

    def walk(self, expr: Any, keep: Symbol | None, depth: int) -> Any:
        if depth > MAX_INLINE_DEPTH:
            raise Unresolved("cycle")
        if isinstance(expr, sympy.MatrixBase):
            return sympy.ImmutableMatrix(expr.rows, expr.cols,
                                         [self.walk(e, keep, depth + 1) for e in expr])
        if isinstance(expr, Symbol):
            return self.symbol(expr, keep, depth)
        if isinstance(expr, Primed):
            return self.primed(expr, depth)
        if isinstance(expr, Derivative):
            return self.derivative(expr, depth)
        if isinstance(expr, sympy.Subs):
            inner = self.walk(expr.expr, keep, depth + 1)
            point = [self.walk(p, keep, depth + 1) for p in expr.point]
            return inner.xreplace(dict(zip(expr.variables, point, strict=True)))
        if isinstance(expr, AppliedUndef):
            return self.call(expr, keep, depth)
        if not expr.args:
            return expr
        args = [self.walk(a, keep, depth + 1) for a in expr.args]
        return _rebuild(expr, args)

    def symbol(self, sym: Symbol, keep: Symbol | None, depth: int) -> Any:
        if sym == keep:
            return sym
        if sym in self.scope.unreadable:
            raise Unresolved("definition_unread", sym.name)
        body = self.scope.definitions.get(sym)
        if body is None or (self.shallow and not is_opaque(sym)
                            and not isinstance(body, sympy.MatrixBase)):
            return sym
        return self.walk(body, keep, depth + 1)

    def primed(self, expr: Any, depth: int) -> Any:
        sym, order = expr.args
        if sym not in self.scope.definitions:
            raise Unresolved("undefined", sym.name)
        body = self.full.walk(sym, None, depth + 1)
        free = [s for s in sorted(body.free_symbols, key=lambda s: s.name)
                if s not in self.scope.data] if hasattr(
            body, "free_symbols") else []
        if len(free) != 1:
            raise Unresolved("prime_of_what", sym.name)
        return sympy.diff(body, free[0], int(order))

    def derivative(self, expr: Derivative, depth: int) -> Any:
        inner = expr.expr
        pairs = list(expr.variable_count)
        edge = (len(pairs) == 1 and isinstance(inner, Symbol)
                and pairs[0][0] in getattr(self.scope.definitions.get(inner), "free_symbols", ()))
        if edge:
            var, n = pairs[0]
            # Along an edge: the local partial of the body as written (verify.py does so on
            # the right of a chain). On the left the total derivative is meant, unless the
            # text hides what the other names depend on: then the edge is all it can mean.
            local = self.walk(sympy.diff(self.scope.definitions[inner], var, n), None, depth + 1)
            if not self.lhs:
                return local
            try:
                return self.total(inner, pairs, depth)
            except Unresolved:
                return local
        return self.total(inner, pairs, depth)

    def total(self, inner: Any, pairs: list[tuple[Any, int]], depth: int) -> Any:
        value = inner
        for var, n in pairs:
            if not isinstance(var, Symbol):
                raise Unresolved("unevaluated")
            value = self.full.walk(value, var, depth + 1)
            if isinstance(value, sympy.MatrixBase):
                raise Unresolved("vector_derivative")
            self.hidden(value, var)
            value = sympy.diff(value, var, n)
        return self.walk(value, None, depth + 1)

    def hidden(self, value: Any, var: Symbol) -> None:
        """A name differentiated elsewhere but never defined depends on something unseen."""
        for sym in sorted(value.free_symbols, key=lambda s: s.name):
            if sym != var and not self.scope.defined(sym) and (
                    sym in self.scope.dependent or is_opaque(sym)):
                raise Unresolved("depends", sym.name)

    def call(self, expr: Any, keep: Symbol | None, depth: int) -> Any:
        name = type(expr).__name__
        if name not in self.scope.functions:
            raise Unresolved("undefined", name)
        params, body = self.scope.functions[name]
        if len(params) != len(expr.args):
            raise Unresolved("arguments", name)
        args = [self.walk(a, keep, depth + 1) for a in expr.args]
        return self.walk(body.xreplace(dict(zip(params, args, strict=True))), keep, depth + 1)


def _rebuild(expr: Any, args: list[Any]) -> Any:
    """The same node over new arguments, with Python operators so a vector can be a factor."""
    try:
        return _operate(expr, args)
    except (TypeError, ValueError, sympy.ShapeError):
        # A vector added to an undefined name: say which name, not "cannot add".
        names = sorted((s for a in args for s in getattr(a, "free_symbols", ()) if is_opaque(s)),
                       key=lambda s: s.name)
        raise Unresolved("undefined" if names else "shape",
                         names[0].name if names else "") from None


def _operate(expr: Any, args: list[Any]) -> Any:
    if isinstance(expr, sympy.Add):
        total = args[0]
        for a in args[1:]:
            total = total + a
        return total
    if isinstance(expr, sympy.Mul):
        product = args[0]
        for a in args[1:]:
            product = product * a
        return product
    if any(isinstance(a, sympy.MatrixBase) for a in args):
        if isinstance(expr, sympy.Pow) and not isinstance(args[1], sympy.MatrixBase):
            raise Unresolved("vector_power")
        raise Unresolved("vector_function")
    return expr.func(*args)
