"""The vocabulary of a printed page: how the reader resolves the names solgen prints.

Both read-backs use it — of a solution's steps (view/readback.py) and of a variant's
number lines (variants/reading.py) — so a name reads the same in both. It maps each
symbol's printed LaTeX to the symbol by the reader's own spelling of it (never by the
printer's), and knows the problem's own applied names (h(x₁,x₂)) and softmax_k.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import sympy

from generator.algebra.latex_names import FUNCTIONS, Vocabulary
from generator.algebra.reader import ReadError, spelled_name

__all__ = ["vocabulary"]

MAX_SOFTMAX = 64  # classes a printed softmax_k may name
APPLIED = re.compile(r"([A-Za-z]\w*)\(([A-Za-z]\w*(?:,[A-Za-z]\w*)*)\)")  # h(x1,x2)


def vocabulary(names: Mapping[sympy.Symbol, str],
               gradients: Mapping[str, Callable[[sympy.Basic], sympy.Basic]] | None = None
               ) -> Vocabulary:
    """Each declared symbol under the spelling the reader gives its printed LaTeX; the
    names of applied outputs (h(x₁,x₂)) and the gradients of the vectors a solution uses."""
    symbols: dict[str, sympy.Symbol] = {sym.name: sym for sym in names}
    for sym, latex in names.items():
        spelled = spelled_name(latex)
        if spelled:
            symbols.setdefault(spelled, sym)
    functions: dict[str, Callable[..., sympy.Basic]] = {
        f"softmax{k + 1}": _softmax(k) for k in range(MAX_SOFTMAX)}
    for sym, latex in names.items():
        applied = APPLIED.fullmatch(sym.name)
        head = spelled_name(latex.split("(")[0]) if applied else ""
        if applied and head and head not in FUNCTIONS:
            functions.setdefault(head, _applied(applied.group(1), symbols.get(head)))
    words = frozenset(n for n in symbols if len(n) > 1)
    return Vocabulary(symbols, words, functions, dict(gradients or {}))


def _applied(name: str, bare: sympy.Symbol | None) -> Callable[..., sympy.Basic]:
    """h(x₁, x₂) read as the name of the output it labels; h(u) of one argument is still
    the product h·u the text would mean without the label."""
    def call(*args: sympy.Basic) -> sympy.Basic:
        if all(isinstance(a, sympy.Symbol) for a in args) and len(args) > 1:
            return sympy.Symbol(f"{name}({','.join(a.name for a in args)})")
        if len(args) == 1:
            return (bare or sympy.Symbol(name)) * args[0]
        raise ReadError(f"{name}(…) of these arguments is not a name of this problem")
    return call


def _softmax(k: int) -> Callable[..., sympy.Basic]:
    from generator.algebra.functions import softmax

    return lambda *zs: sympy.sympify(softmax(sympy.Integer(k), *zs))
