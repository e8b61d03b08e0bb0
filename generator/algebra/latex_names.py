"""What names in LaTeX mean: the vocabulary the reader resolves words and commands against.

A name is read to a canonical spelling first (`w_{11}` and `w11` → "w11", `\\hat{y}` →
"yhat", `\\alpha` → "alpha"), the spelling solgen itself gives its symbols, and only then to
a symbol: a problem file may map several spellings to one of its symbols (its name `yy`
and its LaTeX `y`).
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy

from generator.algebra.functions import leaky_relu, relu, sigmoid, softplus, step

# Functions a reader knows by command or upright word, with one argument.
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "sigma": sigmoid, "sigmoid": sigmoid, "tanh": sympy.tanh, "sinh": sympy.sinh,
    "cosh": sympy.cosh, "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan,
    "exp": sympy.exp, "log": sympy.log, "ln": sympy.log, "relu": relu, "ReLU": relu,
    "softplus": softplus, "step": step, "arctan": sympy.atan, "arcsin": sympy.asin,
    "arccos": sympy.acos,
}
TWO_ARGUMENTS: dict[str, Callable[..., Any]] = {"LReLU": leaky_relu, "leaky_relu": leaky_relu}

GREEK = frozenset({
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
    "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "rho", "tau", "phi", "varphi",
    "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Phi", "Psi", "Omega",
    "Sigma", "sigma",
})
ACCENTS = {r"\hat": "hat", r"\widehat": "hat", r"\bar": "bar", r"\overline": "bar",
           r"\tilde": "tilde", r"\widetilde": "tilde", r"\dot": "dot", r"\vec": "vec"}
STYLES = frozenset({r"\mathbf", r"\boldsymbol", r"\mathit", r"\bm", r"\mathsf", r"\mathcal"})
WORDS = frozenset({r"\mathrm", r"\operatorname", r"\text", r"\textrm", r"\textit",
                   r"\mathrm*", r"\operatorname*"})


@dataclass(frozen=True)
class Vocabulary:
    """Names a text may use: symbols by canonical spelling, words read as one name."""

    symbols: Mapping[str, sympy.Symbol] = field(default_factory=dict)
    words: frozenset[str] = frozenset()  # multi-letter words that are one name (yy, MSE)
    functions: Mapping[str, Any] = field(default_factory=dict)  # the text's own: h(x_1, x_2)
    # ∇_θ of f for each vector name the text defines (θ = (b, w₁, w₂)), by the spelling of
    # θ; a name not listed reads as an opaque ∇θf, which only its definition can value.
    gradients: Mapping[str, Callable[[sympy.Basic], sympy.Basic]] = field(default_factory=dict)

    def symbol(self, name: str) -> sympy.Symbol:
        return self.symbols.get(name) or sympy.Symbol(name)

    def is_word(self, word: str) -> bool:
        return word in self.words or word in self.symbols or word in self.functions

    def function(self, name: str) -> Any:
        return self.functions.get(name) or FUNCTIONS.get(name)


def suggestion(word: str) -> str:
    """`sigmod` → ` (did you mean \\sigma?)`; empty when nothing is close."""
    close = difflib.get_close_matches(word, [*FUNCTIONS, *TWO_ARGUMENTS], n=1, cutoff=0.7)
    if not close:
        return ""
    return " (did you mean \\sigma?)" if close[0] == "sigmoid" else f" (did you mean {close[0]}?)"


def prime_derivative(fn: Any, arg: sympy.Basic, order: int) -> sympy.Basic:
    """f^{(order)}(arg) of a known one-argument function."""
    return _derivative(fn, order).xreplace({_T: arg})


_T = sympy.Dummy("t")


@functools.lru_cache(maxsize=64)
def _derivative(fn: Any, order: int) -> sympy.Basic:
    # σ^{(6)} takes seconds to differentiate, and a sheet prints it once per language and
    # format: work each (function, order) out once.
    return sympy.diff(fn(_T), _T, order)


class Primed(sympy.Function):  # type: ignore[misc]  # sympy is untyped
    """`s'`, `s''` of a name: the derivative of the name's definition, resolved by whoever
    knows the definitions (the reader does not). Args: the symbol and the order."""

    nargs = 2

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        text = printer._print(self.args[0]) + "'" * int(self.args[1])
        return f"{text}^{{{exp}}}" if exp else text


def opaque(name: str) -> sympy.Symbol:
    """A symbol that stands for something the text must define (∇θh, θ^{(1)}): a check
    that meets it undefined says so instead of treating it as a free variable."""
    return sympy.Symbol(name, opaque=True)


def is_opaque(sym: sympy.Basic) -> bool:
    return bool(sym.assumptions0.get("opaque")) if isinstance(sym, sympy.Symbol) else False
