"""The `statement:` of a problem: the author's question text, with slots for drawn numbers.

A statement is Markdown (per language) in the same small markup as every other sentence
(generator/latex_text.py). `{{ name }}` marks a slot: it is replaced by the variant's number
for `name` as inline math (`$-0.9$`), or by the matrix of an array input or parameter
(`{{ a }}`). The text is never handed to a template engine: a slot is found by a regular
expression and may only name a declared input, parameter, hyperparameter or constant, so
`{{ config }}`, `{% … %}` and `{# … #}` are errors when the file is read, not code that runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace

import sympy

from generator.algebra.markdown_math import problems
from generator.algebra.numbers import as_decimal
from generator.errors import SpecError
from generator.graph.model import Graph
from generator.spec.models import GraphSpec, Localized, localized
from generator.spec.source import Source

SLOT = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
_JINJA = re.compile(r"\{%|%\}|\{#|#\}|\{\{|\}\}")
ROLES = ("input", "param", "hyper", "constant")
HINT_MATH = ("KaTeX needs balanced $…$, braces, \\left…\\right and \\begin…\\end; write \\$ "
             "for a dollar")


def slot_names(graph: Graph) -> list[str]:
    """What a slot may name: every declared leaf, and every array of them."""
    leaves = {s.name for s, role in graph.roles.items() if role in ROLES}
    arrays = {a for a, elements in graph.arrays.items()
              if all(s.name in leaves for s in elements.values())}  # not node arrays (z, o)
    return sorted({*leaves, *arrays})


def _texts(text: Localized) -> dict[str, str]:
    return {"": text} if isinstance(text, str) else {k: v for k, v in text.items()}


def _line(source: Source, keys: tuple[str, ...], body: str, offset: int) -> int | None:
    """The file line of `offset` in a statement: a block scalar (`|`) starts a line below."""
    first = source.line(keys)
    if first is None:
        return None
    block = 1 if "\n" in body.rstrip("\n") or body.endswith("\n") else 0
    return first + block + body.count("\n", 0, offset)


def problems_of(spec: GraphSpec, graph: Graph, source: Source) -> list[SpecError]:
    """Every slot names a declared symbol; no other template syntax; math KaTeX can read."""
    if spec.statement is None:
        return []
    allowed = set(slot_names(graph))
    errors: list[SpecError] = []
    for lang, body in _texts(spec.statement).items():
        keys = ("statement", lang) if lang else ("statement",)
        where = source.at(keys)
        for match in SLOT.finditer(body):
            name = match.group(1)
            if name not in allowed:
                at = replace(where, line=_line(source, keys, body, match.start()))
                what = (f"slot {{{{ {name} }}}} names no declared symbol" if _NAME.match(name)
                        else f"slot {{{{ {name} }}}} is not a name")
                errors.append(SpecError(at, what, "a slot is {{ name }} with one of: "
                                        + ", ".join(sorted(allowed))))
        rest = _JINJA.search(SLOT.sub("", body))
        if rest is not None:
            at = replace(where, line=_line(source, keys, body, rest.start()))
            errors.append(SpecError(at, f"{rest.group()!r} is not a slot",
                                    "a statement only has {{ name }} slots (no {% %} or {# #})"))
        errors += [SpecError(where, p, HINT_MATH) for p in problems(SLOT.sub("1", body))]
    return errors


def fill(text: Localized, lang: str, graph: Graph, point: Mapping[sympy.Symbol, sympy.Basic],
         tex: Callable[[sympy.Basic], str],
         decimals: frozenset[sympy.Symbol] = frozenset()) -> str:
    """The statement in `lang` with every slot replaced by its number (or matrix) as math."""
    def number(sym: sympy.Symbol) -> str:
        if sym not in point:  # a constant written as a formula: its name, as in the model
            return str(graph.latex.get(sym, sym.name))
        value = point[sym]
        return tex(as_decimal(value) if sym in decimals else value)

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in graph.arrays:
            rows: dict[int, list[str]] = {}
            for index, sym in graph.arrays[name].items():
                rows.setdefault(index[0], []).append(number(sym))
            body = r" \\ ".join(" & ".join(r) for r in rows.values())
            math = rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"
        else:
            math = number(graph.names[name])
        # Inside `$…$` already (an odd number of unescaped dollars before it): no new dollars.
        inside = len(re.findall(r"(?<!\\)\$", match.string[:match.start()])) % 2 == 1
        return math if inside else f"${math}$"

    return SLOT.sub(one, localized(text, lang).strip())
