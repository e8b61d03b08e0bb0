"""Activation functions as real sympy Functions.

sigma stays unevaluated at numbers (sigma(21) is printed as such in substitute-only
answers), differentiates to sigma(1 - sigma), and evaluates through mpmath.
"""

from __future__ import annotations

from typing import Any

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
        return 1 / (1 + exp(-arg))

    def _eval_evalf(self, prec: int) -> Any:
        # prec is in bits; evalf takes decimal digits.
        return (1 / (1 + exp(-self.args[0]))).evalf(prec_to_dps(prec))

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


# Names an author may call in an expression, mapped to what they build.
FUNCTIONS: dict[str, Any] = {
    "sigma": sigmoid,
    "sigmoid": sigmoid,
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
