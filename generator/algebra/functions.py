"""Activation functions as real sympy Functions, each defined once, in one class.

A class holds everything solgen knows of its function: the formula in plain sympy
(`plain`, also its `rewrite(exp)` and `evalf`), the derivative (`fdiff`), the mpmath value
(`mp`, used by every numeric path through `MPMATH`) and the LaTeX (`_latex`). Adding an
activation = one class here + its name in `FUNCTIONS`.

sigma stays unevaluated at numbers (sigma(21) is printed as such in substitute-only
answers), differentiates to sigma(1 - sigma), and evaluates through mpmath.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import mpmath
import sympy
from mpmath.libmp import prec_to_dps
from sympy import Function, exp
from sympy.printing.precedence import PRECEDENCE


class sigmoid(Function):  # type: ignore[misc]  # sympy is untyped
    """The logistic function 1 / (1 + e^{-x})."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> Any:
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, arg: Any, **kwargs: Any) -> Any:
        return sigmoid(arg).plain()

    def _eval_evalf(self, prec: int) -> Any:
        # prec is in bits; evalf takes decimal digits.
        return self.plain().evalf(prec_to_dps(prec))

    @staticmethod
    def mp(x: Any) -> Any:
        return _sigmoid_at(x, mpmath.mp.prec)

    def _eval_is_real(self) -> bool | None:
        real: bool | None = self.args[0].is_real
        return real

    def _eval_is_positive(self) -> bool | None:
        real: bool | None = self.args[0].is_real
        return real

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        # sympy passes `exp` when it prints σ(x)**2 as a power of the function.
        text = rf"\sigma\left({printer._print(self.args[0])}\right)"
        return f"{text}^{{{exp}}}" if exp is not None else text

    def plain(self) -> Any:
        """The same value in functions plain `sympy.sympify` knows (for answer keys)."""
        return 1 / (1 + exp(-self.args[0]))


class step(Function):  # type: ignore[misc]  # sympy is untyped
    """relu's derivative: 1 for x > 0, else 0. The subgradient at 0 is taken as 0."""

    nargs = 1

    @classmethod
    def eval(cls, arg: Any) -> Any:
        # Decided by assumptions, never by `arg > 0`: an unevaluated number (a substituted,
        # bracketed −3/2) compares to an undecidable Relational.
        if arg.is_positive:
            return sympy.Integer(1)
        if arg.is_nonpositive:
            return sympy.Integer(0)
        return None

    def fdiff(self, argindex: int = 1) -> Any:
        return sympy.Integer(0)  # almost everywhere; no second derivatives are shown at 0

    def _eval_rewrite_as_Heaviside(self, arg: Any, **kwargs: Any) -> Any:
        return sympy.Heaviside(arg, 0)

    def plain(self) -> Any:
        return sympy.Heaviside(self.args[0], 0)

    def _eval_evalf(self, prec: int) -> Any:
        value = self.args[0].evalf(prec_to_dps(prec))
        return sympy.Integer(1 if value > 0 else 0) if value.is_Number else None

    @staticmethod
    def mp(x: Any) -> Any:
        return mpmath.mpf(1 if x > 0 else 0)

    def _latex(self, printer: Any) -> str:
        return rf"\mathbb{{1}}\left[{printer._print(self.args[0])} > 0\right]"


class relu(Function):  # type: ignore[misc]  # sympy is untyped
    """max(0, x); its derivative is step(x), so relu'(0) = 0 (the subgradient chosen)."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> Any:
        return step(self.args[0])

    def _eval_rewrite_as_Max(self, arg: Any, **kwargs: Any) -> Any:
        return relu(arg).plain()

    def plain(self) -> Any:
        return sympy.Max(0, self.args[0])

    def _eval_evalf(self, prec: int) -> Any:
        return self.plain().evalf(prec_to_dps(prec))

    @staticmethod
    def mp(x: Any) -> Any:
        return x if x > 0 else mpmath.mpf(0)

    def _eval_is_real(self) -> bool | None:
        real: bool | None = self.args[0].is_real
        return real

    def _latex(self, printer: Any) -> str:
        return rf"\operatorname{{ReLU}}\left({printer._print(self.args[0])}\right)"


class leaky_relu(Function):  # type: ignore[misc]  # sympy is untyped
    """leaky_relu(x, a) = x for x > 0, a·x otherwise; derivative a at 0 (left side)."""

    nargs = 2

    def fdiff(self, argindex: int = 1) -> Any:
        x, a = self.args
        if argindex == 1:
            return step(x) + a * (1 - step(x))
        return x * (1 - step(x))

    def _eval_rewrite_as_Max(self, x: Any, a: Any, **kwargs: Any) -> Any:
        return leaky_relu(x, a).plain()

    def plain(self) -> Any:
        x, a = self.args
        return sympy.Max(0, x) + a * sympy.Min(0, x)

    def _eval_evalf(self, prec: int) -> Any:
        return self.plain().evalf(prec_to_dps(prec))

    @staticmethod
    def mp(x: Any, a: Any) -> Any:
        return x if x > 0 else a * x

    def _eval_is_real(self) -> bool | None:
        real: bool | None = self.args[0].is_real
        return real

    def _latex(self, printer: Any) -> str:
        x, a = (printer._print(v) for v in self.args)
        return rf"\operatorname{{LReLU}}_{{{a}}}\left({x}\right)"


class softplus(Function):  # type: ignore[misc]  # sympy is untyped
    """log(1 + e^x); its derivative is σ(x)."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> Any:
        return sigmoid(self.args[0])

    def _eval_rewrite_as_exp(self, arg: Any, **kwargs: Any) -> Any:
        return softplus(arg).plain()

    def plain(self) -> Any:
        return sympy.log(1 + exp(self.args[0]))

    def _eval_evalf(self, prec: int) -> Any:
        return self.plain().evalf(prec_to_dps(prec))

    @staticmethod
    def mp(x: Any) -> Any:
        return mpmath.log1p(mpmath.exp(x))

    def _eval_is_real(self) -> bool | None:
        real: bool | None = self.args[0].is_real
        return real

    def _latex(self, printer: Any) -> str:
        return rf"\operatorname{{softplus}}\left({printer._print(self.args[0])}\right)"


class softmax(Function):  # type: ignore[misc]  # sympy is untyped
    """softmax(k, z_0, …, z_{n-1}) = e^{z_k} / Σ_j e^{z_j}; k is a 0-based position.

    ∂softmax_k/∂z_m = p_k (δ_km − p_m): the Jacobian that turns CE into p − y.
    """

    @classmethod
    def eval(cls, k: Any, *zs: Any) -> Any:
        if not (k.is_Integer and 0 <= int(k) < len(zs)):
            raise ValueError("softmax(k, z0, ..., zn) needs 0 <= k < n")
        return None

    def fdiff(self, argindex: int = 1) -> Any:
        k, zs = int(self.args[0]), self.args[1:]
        m = argindex - 2
        if m < 0:
            return sympy.Integer(0)  # the position k is a constant
        p_k = softmax(self.args[0], *zs)
        p_m = softmax(sympy.Integer(m), *zs)
        return p_k * ((1 if k == m else 0) - p_m)

    def _eval_rewrite_as_exp(self, k: Any, *zs: Any, **kwargs: Any) -> Any:
        return softmax(k, *zs).plain()

    def plain(self) -> Any:
        zs = self.args[1:]
        return exp(zs[int(self.args[0])]) / sympy.Add(*[exp(z) for z in zs])

    def _eval_evalf(self, prec: int) -> Any:
        return self.plain().evalf(prec_to_dps(prec))

    @staticmethod
    def mp(k: Any, *zs: Any) -> Any:
        # Shifted by the largest logit: the same value, without overflow at large z.
        top = max(zs)
        terms = [mpmath.exp(z - top) for z in zs]
        return terms[int(k)] / mpmath.fsum(terms)

    def _eval_is_real(self) -> bool | None:
        return all(z.is_real for z in self.args[1:]) or None

    def _eval_is_positive(self) -> bool | None:
        return self._eval_is_real()

    def _latex(self, printer: Any) -> str:
        zs = ", ".join(printer._print(z) for z in self.args[1:])
        return rf"\operatorname{{softmax}}_{{{int(self.args[0]) + 1}}}\left({zs}\right)"


# Names an author may call in an expression, mapped to what they build.
FUNCTIONS: dict[str, Any] = {
    "sigma": sigmoid,
    "sigmoid": sigmoid,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "softplus": softplus,
    "tanh": sympy.tanh,
    "exp": sympy.exp,
    "log": sympy.log,
    "sqrt": sympy.sqrt,
    "sin": sympy.sin,
    "cos": sympy.cos,
    "abs": sympy.Abs,
}


class sigmoid_exp(sigmoid):
    """σ written out as 1/(1 + e^{-x}): the same function, printed in seed 002's form."""

    def fdiff(self, argindex: int = 1) -> Any:
        s = sigmoid_exp(self.args[0])
        return s * (1 - s)

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        arg = printer.parenthesize(self.args[0], PRECEDENCE["Mul"])
        text = rf"\frac{{1}}{{1 + e^{{-{arg}}}}}"
        return rf"\left({text}\right)^{{{exp}}}" if exp is not None else text


@functools.lru_cache(maxsize=4096)
def _sigmoid_at(x: Any, prec: int) -> Any:
    # The same σ(z) recurs on many lines of a variant; prec keys the cache by precision.
    return 1 / (1 + mpmath.exp(-x))


# The mpmath twin of every function an expression may hold: the one table of every numeric
# path (the verifier's evaluator, variants' compiled lines, `values:` sections).
MPMATH: dict[Any, Callable[..., Any]] = {
    sympy.exp: mpmath.exp, sympy.log: mpmath.log, sympy.tanh: mpmath.tanh,
    sympy.sin: mpmath.sin, sympy.cos: mpmath.cos, sympy.Abs: mpmath.fabs,
    # tan and the inverse trig functions: kind derivative and partials parse them.
    sympy.tan: mpmath.tan, sympy.atan: mpmath.atan, sympy.asin: mpmath.asin,
    sympy.acos: mpmath.acos,
    **{cls: cls.mp for cls in (sigmoid, step, relu, leaky_relu, softplus, softmax)},
}


def mp_function(func: Any) -> Callable[..., Any] | None:
    """The mpmath twin of a sympy function class (a subclass such as sigmoid_exp included)."""
    for cls in getattr(func, "__mro__", ()):
        if cls in MPMATH:
            return MPMATH[cls]
    return None


def mp_names() -> dict[str, Callable[..., Any]]:
    """The same table by printed name, for `sympy.lambdify` (sigmoid_exp prints as itself)."""
    names = {getattr(f, "__name__", str(f)): fn for f, fn in MPMATH.items()}
    names["sigmoid_exp"] = sigmoid.mp
    return names
