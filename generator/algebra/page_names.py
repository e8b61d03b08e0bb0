"""The vocabulary of a printed page: how the reader resolves the names solgen prints.

Both read-backs use it — of a solution's steps (view/readback.py) and of a variant's
number lines (variants/reading.py) — so a name reads the same in both. It maps each
symbol's printed LaTeX to the symbol by the reader's own spelling of it (never by the
printer's), and knows softmax_k and the gradients ∇_θ of the vectors a solution uses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import sympy

from generator.algebra.latex_names import Vocabulary
from generator.algebra.reader import spelled_name

__all__ = ["vocabulary"]

MAX_SOFTMAX = 64  # classes a printed softmax_k may name


def vocabulary(names: Mapping[sympy.Symbol, str],
               gradients: Mapping[str, Callable[[sympy.Basic], sympy.Basic]] | None = None
               ) -> Vocabulary:
    """Each declared symbol under the spelling the reader gives its printed LaTeX, softmax_k,
    and the gradients of the vectors a solution uses."""
    symbols: dict[str, sympy.Symbol] = {sym.name: sym for sym in names}
    for sym, latex in names.items():
        spelled = spelled_name(latex)
        if spelled:
            symbols.setdefault(spelled, sym)
    functions: dict[str, Callable[..., sympy.Basic]] = {
        f"softmax{k + 1}": _softmax(k) for k in range(MAX_SOFTMAX)}
    words = frozenset(n for n in symbols if len(n) > 1)
    return Vocabulary(symbols, words, functions, dict(gradients or {}))


def _softmax(k: int) -> Callable[..., sympy.Basic]:
    from generator.algebra.functions import softmax

    return lambda *zs: sympy.sympify(softmax(sympy.Integer(k), *zs))
