"""`for:` families: one written node per index tuple, named and filled from templates.

`name{i}: {for: {i: [0, 1]}, expr: "w*x{2*i+1}"}` gives one node per value of `i`. A
family whose name is letters followed only by `{…}` groups (`z{i}`, `h{t}`, `a{i}{j}`) is
also an array, so a layer can take it as its input (`activation: {fn: softmax, in: z}`).
A templated name that lands outside what is declared is reported with the node, the
template and the loop values, not as a bare unknown symbol.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from sympy import Symbol

from generator.algebra.expr import ExprError
from generator.graph.indices import Affine, Templated, at_text, fill_text, templated_names
from generator.graph.model import Family, Graph, default_latex
from generator.spec.models import ForNode
from generator.spec.source import KeyPath

_ARRAY_BASE = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")


@dataclass(frozen=True)
class Written:
    """One written node before its body is parsed; family members also keep the loop values
    (one mapping per term of a `sum:`) and the templated names of their expression."""

    name: str
    text: str
    keys: KeyPath
    fam: Family | None = None
    values: tuple[dict[str, int], ...] = ()
    found: tuple[Templated, ...] = ()


def _letters(node: ForNode) -> frozenset[str]:
    both = set(node.for_) & set(node.sum)
    if both:
        raise ExprError(f"{', '.join(sorted(both))} is both under `for:` and `sum:`",
                        "give each letter one role")
    if not node.for_ or any(not v for v in (*node.for_.values(), *node.sum.values())):
        raise ExprError("every `for:` and `sum:` letter needs at least one value",
                        "e.g. for: {i: [0, 1]}")
    return frozenset((*node.for_, *node.sum))


def _summed(text: str, found: tuple[Templated, ...], node: ForNode,
            values: dict[str, int]) -> tuple[str, tuple[dict[str, int], ...]]:
    """The member's text: the expression, or the sum of its terms over the `sum:` letters."""
    if not node.sum:
        return fill_text(text, list(found), values), (values,)
    terms = [{**values, **dict(zip(node.sum, combo, strict=True))}
             for combo in itertools.product(*node.sum.values())]
    return (" + ".join(f"({fill_text(text, list(found), t)})" for t in terms), tuple(terms))


def expand(template: str, node: ForNode, keys: KeyPath, g: Graph, limit: int
           ) -> list[Written]:
    """Every member of one family (raises ExprError naming the template on a bad index)."""
    letters = _letters(node)
    combos = list(itertools.product(*node.for_.values()))
    terms = len(list(itertools.product(*node.sum.values())))
    if len(combos) > limit or len(combos) * terms > limit:
        raise ExprError(f"expands to more than {limit} nodes or terms", "use fewer index values")
    named = templated_names(template, frozenset(node.for_))
    if len(named) != 1 or named[0].text != template:
        raise ExprError(f"the name {template!r} is not one name with `{{…}}` indices",
                        "write it as e.g. z{i} or h{t}")
    found = tuple(templated_names(str(node.expr), letters))
    base = template.split("{", 1)[0]
    generic = Symbol(f"{base}_{''.join(node.for_)}", real=True)
    g.latex[generic] = node.latex or f"{default_latex(base)}_{{{''.join(node.for_)}}}"
    members: list[tuple[str, dict[str, int], tuple[int, ...]]] = []
    for combo in combos:
        values = dict(zip(node.for_, combo, strict=True))
        name, index = named[0].fill(values)
        members.append((name, values, index))
    fam = Family(template, generic, tuple(Symbol(n, real=True) for n, _, _ in members))
    out = []
    for name, values, _ in members:
        text, used = _summed(str(node.expr), found, node, values)
        out.append(Written(name, text, (*keys, "expr"), fam, used, found))
    _as_array(g, named[0], base, [(index, name) for name, _, index in members])
    return out


def _as_array(g: Graph, named: Templated, base: str,
              members: list[tuple[tuple[int, ...], str]]) -> None:
    # Only `base{…}{…}` is an array (`s1{j}`: the row s1); `w{k}1` has text after its
    # group and is just names.
    shape_ok = (isinstance(named.parts[0], str) and _ARRAY_BASE.match(named.parts[0])
                and all(isinstance(p, Affine) for p in named.parts[1:]))
    if not shape_ok or base in g.arrays or base in g.names:
        return
    if len({index for index, _ in members}) != len(members):
        return
    g.arrays[base] = {index: Symbol(name, real=True) for index, name in members}


def reference_error(w: Written, g: Graph) -> tuple[str, str] | None:
    """Why a member's expression names something undeclared, or None when it does not."""
    for values, t in itertools.product(w.values, w.found):
        name, index = t.fill(values)
        if name in g.names:
            continue
        base = t.text.split("{", 1)[0]
        hint = "declare it, or narrow the `for:` range"
        known = g.arrays.get(base)
        if known is not None and all(len(k) == len(index) for k in known):
            hint = f"{base} has indices {_ranges(list(known))}; narrow the `for:` range"
        return (f"node {w.name}: {t.text} at {at_text(values)} is {name}, which is not "
                f"declared", hint)
    return None


def _ranges(indices: list[tuple[int, ...]]) -> str:
    dims = zip(*indices, strict=True)
    return " × ".join(f"{min(d)}…{max(d)}" for d in dims)
