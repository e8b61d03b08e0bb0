"""A submission → a mark on every relation it writes: proved, numeric, wrong, unread, given.

Two passes over each section (a level-1 or level-2 heading starts one): the first takes
the definitions (`s = σ(x)`, `z = b + w_1x_1 + w_2x_2`, `(x_1, x_2, y) = (1, 2, 3)`: the first
time a name stands alone on the left), so a name may be used before the line that defines
it; the second checks every link of every chain with generator/verify.py, first as written
and, when that fails, at the values the text gives (a line such as `z = 4 + 5·1 + 6·2`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import sympy

from generator.algebra.latex_names import Vocabulary, is_opaque
from generator.algebra.reader import ReadError, read_tokens
from generator.review import document, syntax
from generator.review.chains import Part, Statement, statements
from generator.review.links import Mark, check_link, definition_mark, unread_mark
from generator.review.meaning import Scope
from generator.review.setup import Setup, front_definitions, with_definitions
from generator.review.words import prescan


@dataclass
class Final:
    """A final result the submission states for a quantity the problem solves."""

    line: int
    quantity: str
    status: str  # proved, numeric, wrong, unread
    solution: str  # solgen's verified line


@dataclass
class Review:
    path: str
    marks: list[Mark] = field(default_factory=list)
    syntax: list[syntax.Problem] = field(default_factory=list)
    finals: list[Final] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0
    text: str = ""
    maths: list[document.Math] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for m in self.marks if m.status == status)

    @property
    def first_wrong(self) -> Mark | None:
        return next((m for m in self.marks if m.status == "wrong"), None)

    @property
    def final_correct(self) -> bool | None:
        judged = [f for f in self.finals if f.status != "unread"]
        return None if not judged else all(f.status != "wrong" for f in judged)


def review_text(text: str, path: str, setup: Setup) -> Review:
    start = time.perf_counter()
    doc = document.parse(text, path)
    setup = with_definitions(setup, front_definitions(doc.front), f"{path}: front matter")
    found = [(i, st) for i, math in enumerate(doc.maths) for st in statements(math)]
    vocabulary = prescan([st for _, st in found], setup.vocabulary)
    reads = _Reads(vocabulary)
    setup.scope.dependent = _dependent(reads, [st for _, st in found])
    result = Review(path, text=text, maths=doc.maths)
    result.syntax = [p for math in doc.maths for p in syntax.problems(math)]
    sections: dict[int, list[tuple[int, Statement]]] = {}
    for index, st in found:
        sections.setdefault(doc.section(st.math.line), []).append((index, st))
    for section in sorted(sections):
        scope = setup.scope.child()
        defining = _definitions(sections[section], reads, scope, setup, result)
        _check(sections[section], reads, scope, setup, defining, result)
    result.marks.sort(key=lambda m: (m.line, m.order))
    result.seconds = time.perf_counter() - start
    return result


class _Reads:
    """Each part read once; a part that cannot be read keeps its ReadError."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.cache: dict[int, Any] = {}

    def __call__(self, part: Part) -> Any:
        key = id(part)
        if key not in self.cache:
            try:
                self.cache[key] = read_tokens(part.tokens, self.vocabulary)
            except ReadError as exc:
                self.cache[key] = exc
            except (RecursionError, TypeError, ValueError, AttributeError) as exc:
                self.cache[key] = ReadError(f"cannot read this ({type(exc).__name__})")
        return self.cache[key]


def _dependent(reads: _Reads, found: list[Statement]) -> set[sympy.Symbol]:
    out: set[sympy.Symbol] = set()
    for st in found:
        for part in st.parts:
            value = reads(part) if part is not None else None
            if isinstance(value, sympy.Basic):
                for d in value.atoms(sympy.Derivative):
                    if isinstance(d.expr, sympy.Symbol):  # ∂o/∂z: o depends on z
                        out.add(d.expr)
    return out


def _definitions(found: list[tuple[int, Statement]], reads: _Reads, scope: Scope,
                 setup: Setup, result: Review) -> set[tuple[int, int]]:
    """Take the section's definitions into `scope`; the links that define, (id, link)."""
    defining: set[tuple[int, int]] = set()
    for index, st in found:
        for k, part in enumerate(st.parts[:-1]):
            if part is None or st.relations[k] != "=":
                continue
            lhs, rhs = reads(part), reads(st.parts[k + 1])  # type: ignore[arg-type]
            if st.math.assumed and not _definable(lhs, scope, setup):
                defining.add((id(st), k))
                _assume(lhs, rhs, scope)
                result.marks.append(definition_mark(st, k, index, "assumes"))
                continue
            # The first link may define anything (`s = σ(x)`); a later one only values,
            # as in θ⁰ = (b, w₁, w₂) = (4, 5, 6).
            if not _definable(lhs, scope, setup) or (k > 0 and not _numbers(rhs)):
                continue
            defining.add((id(st), k))
            if isinstance(rhs, ReadError):
                for sym in _names(lhs):
                    scope.unreadable.add(sym)
                result.marks.append(unread_mark(st, k, index, rhs))
                continue
            _define(lhs, rhs, scope, setup.vocabulary)
            result.marks.append(definition_mark(st, k, index))
    return defining


def _assume(lhs: Any, rhs: Any, scope: Scope) -> None:
    """A condition such as y₁ + y₂ + y₃ = 1, kept as a value for its last name
    (y₃ = 1 − y₁ − y₂), used like the text's other values: only when a line fails as written."""
    if not isinstance(lhs, sympy.Expr) or not isinstance(rhs, sympy.Expr):
        return
    difference = lhs - rhs
    free = sorted((sym for sym in difference.free_symbols
                   if not scope.defined(sym) and sym not in scope.dependent),
                  key=lambda sym: sym.name)
    for sym in reversed(free):
        slope = sympy.diff(difference, sym)
        if slope.is_number and slope != 0:
            scope.data[sym] = sympy.expand(sym - difference / slope)
            return


def _numbers(value: Any) -> bool:
    if isinstance(value, sympy.MatrixBase):
        return all(e.is_number for e in value)
    return bool(getattr(value, "is_number", False))


def _definable(lhs: Any, scope: Scope, setup: Setup) -> bool:
    if isinstance(lhs, sympy.Symbol):
        return lhs not in setup.reserved and not scope.defined(lhs)
    if isinstance(lhs, sympy.MatrixBase):
        return all(isinstance(e, sympy.Symbol) and e not in setup.reserved
                   and not scope.defined(e) for e in lhs)
    if isinstance(lhs, sympy.core.function.AppliedUndef):
        return (all(isinstance(a, sympy.Symbol) for a in lhs.args)
                and type(lhs).__name__ not in scope.functions)
    return False


def _names(lhs: Any) -> list[sympy.Symbol]:
    if isinstance(lhs, sympy.Symbol):
        return [lhs]
    if isinstance(lhs, sympy.MatrixBase):
        return [e for e in lhs if isinstance(e, sympy.Symbol)]
    return []


def _define(lhs: Any, rhs: Any, scope: Scope, vocabulary: Vocabulary) -> None:
    if isinstance(lhs, sympy.core.function.AppliedUndef):
        name = type(lhs).__name__
        scope.functions[name] = (tuple(lhs.args), rhs)
        # `h(x_1, x_2) = σ(z)` also says what h alone means.
        scope.definitions.setdefault(vocabulary.symbol(name), rhs)
    elif isinstance(lhs, sympy.MatrixBase):
        values = list(rhs) if isinstance(rhs, sympy.MatrixBase) and len(rhs) == len(lhs) else None
        for i, sym in enumerate(lhs):
            if values is not None and values[i].is_number:
                scope.data[sym] = values[i]
            elif values is not None:
                scope.definitions[sym] = values[i]
            else:
                scope.unreadable.add(sym)
    elif isinstance(rhs, sympy.MatrixBase) and all(e.is_number for e in rhs) and not is_opaque(
            lhs):
        # a = [[1, 0], [2, 1]]: the entries a_{11}, a_{12}, … are given.
        for r in range(rhs.rows):
            for c in range(rhs.cols):
                suffix = f"{r + 1}{c + 1}" if min(rhs.shape) > 1 else f"{max(r, c) + 1}"
                scope.data.setdefault(vocabulary.symbol(lhs.name + suffix), rhs[r, c])
        scope.definitions[lhs] = rhs
    elif getattr(rhs, "is_number", False):
        scope.data[lhs] = rhs
    else:
        scope.definitions[lhs] = rhs


@dataclass
class _Chain:
    """A chain over one or more statements: its first part, its last, how its links went."""

    head: tuple[Part, Any, bool]
    last: tuple[Part, Any, bool]
    relation: str = "="
    statuses: list[str] = field(default_factory=list)


def _check(found: list[tuple[int, Statement]], reads: _Reads, scope: Scope, setup: Setup,
           defining: set[tuple[int, int]], result: Review) -> None:
    chains: list[_Chain] = []
    for index, st in found:
        opening = st.parts[0]
        chain = chains[-1] if chains and opening is None else None
        if chain is not None:
            first = chain.last
        elif opening is not None:
            first = (opening, reads(opening), True)
        else:
            result.marks.append(unread_mark(st, 0, index, ReadError(
                "a line that starts with = but follows no expression")))
            continue
        rest: list[tuple[Part, Any, bool]] = [(p, reads(p), False) for p in st.parts[1:]
                                              if p is not None]
        parts = [first, *rest]
        if chain is None:
            chain = _Chain(parts[0], parts[0])
            if st.math.display:
                chains.append(chain)
        for k in range(len(st.relations)):
            if (id(st), k) in defining:
                continue
            (left, a, lhs), (right, b, _) = parts[k], parts[k + 1]
            mark = check_link(st, k, index, (left, a, lhs), (right, b), scope, setup)
            result.marks.append(mark)
            chain.statuses.append(mark.status)
        chain.last, chain.relation = (parts[-1][0], parts[-1][1], False), st.relations[-1]
        if not st.math.display:
            _final(chain, scope, setup, result)
    for chain in chains:
        _final(chain, scope, setup, result)


def _final(chain: _Chain, scope: Scope, setup: Setup, result: Review) -> None:
    """With --problem: the chain's last part is a final result when its first part is
    ∂loss/∂param for a parameter the problem solves."""
    from generator.review.links import compare_values

    head, last = chain.head[1], chain.last[1]
    if not setup.truths or not isinstance(head, sympy.Derivative) or not chain.head[2]:
        return
    if not isinstance(last, sympy.Basic) or last.has(sympy.Derivative):
        return  # a chain-rule formula, not a result yet
    for truth in setup.truths:
        if head.expr == truth.loss and head.variables == (truth.wrt,):
            if chain.statuses and set(chain.statuses) <= {"proved", "numeric"}:
                # Every link holds and the head is ∂loss/∂param itself: so does the end.
                status = "proved" if set(chain.statuses) == {"proved"} else "numeric"
            else:
                status = compare_values(truth.value, last, chain.relation, scope, setup,
                                        chain.last[0])
            result.finals.append(Final(chain.head[0].line, f"{truth.loss}/{truth.wrt}",
                                       status, truth.latex))
