"""What every layer macro needs: looking up arrays and names, naming outputs, families."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sympy import Symbol

from generator.graph.model import Family, default_latex
from generator.spec.source import KeyPath

if TYPE_CHECKING:
    from generator.graph.builder import Builder

Array = dict[tuple[int, ...], Symbol]


def array(c: Builder, name: str, keys: KeyPath) -> Array | None:
    found = c.g.arrays.get(name)
    if found is None:
        c.fail(keys, f"{name!r} is not an array", "declare it with `shape: [rows, cols]`")
    return found


def names(c: Builder, given: list[str], keys: KeyPath) -> list[Symbol] | None:
    out = []
    for i, n in enumerate(given):
        sym = c.g.names.get(n)
        if sym is None:
            c.fail((*keys, i), f"unknown symbol {n!r}", "declare it before this layer")
            return None
        out.append(sym)
    return out


def vector(c: Builder, given: str | list[str], keys: KeyPath) -> list[Symbol] | None:
    """A list of names, a 1-D array, or one name, as a list of symbols in index order."""
    if isinstance(given, list):
        return names(c, given, keys)
    if given in c.g.arrays:
        found = c.g.arrays[given]
        if any(len(idx) != 1 for idx in found):
            c.fail(keys, f"{given!r} is not a vector", "use an array with `shape: [n]`")
            return None
        return [found[idx] for idx in sorted(found)]
    return names(c, [given], keys)


def tex(c: Builder, name: str) -> str:
    return c.spec.latex.get(name) or default_latex(name)


def family(c: Builder, out: str, members: list[Symbol], letters: str = "ij") -> Family:
    generic = Symbol(f"{out}_{letters}", real=True)
    c.g.latex[generic] = f"{tex(c, out)}_{{{letters}}}"
    fam = Family(out, generic, tuple(members))
    for m in members:
        c.g.family[m] = fam
    return fam


def subscript(idx: tuple[int, ...]) -> str:
    return "".join(map(str, idx)) if max(idx) <= 9 else ",".join(map(str, idx))
