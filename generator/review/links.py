"""One link of a chain (`a = b`, `a \\approx b`) → a mark, through generator/verify.py.

The ladder is verify's (`equal_lists` → `compare`: a failed 40-digit check at random points
first, then expand and cancel); this module only gives both sides their meaning, retries
at the values the text gives, and words the outcome: a counterexample is written with the
names and numbers a student would recognise.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

import sympy
from sympy.polys.polyconfig import using

from generator.algebra.reader import ReadError
from generator.algebra.trace import Check
from generator.check.verify import equal_lists, rounded
from generator.graph.model import default_latex
from generator.limits import LimitError, time_limit
from generator.review.chains import Part, Statement
from generator.review.meaning import Scope, Unresolved
from generator.review.setup import Setup

MAX_OPS = 3_000  # operations on one side, after definitions are put in
STATUS = {"proved": "proved", "numeric": "numeric", "failed": "wrong"}


@dataclass(frozen=True)
class Mark:
    line: int
    order: int  # the math's index × 100 + the link's: marks on one line stay in text order
    math: int
    status: str  # proved, numeric, wrong, unread, given
    relation: str
    left: str
    right: str
    key: str  # message key
    params: tuple[tuple[str, str], ...] = ()


def _mark(st: Statement, k: int, index: int, status: str, key: str,
          params: dict[str, str] | None = None, left: Part | None = None) -> Mark:
    left = left or st.parts[k]
    right = st.parts[k + 1]
    return Mark(st.lines[k], index * 100 + k, index, status, st.relations[k],
                left.text if left is not None else "", right.text if right is not None else "",
                key, tuple(sorted((params or {}).items())))


def definition_mark(st: Statement, k: int, index: int, key: str = "defines") -> Mark:
    return _mark(st, k, index, "given", key)


def unread_mark(st: Statement, k: int, index: int, error: ReadError) -> Mark:
    return _mark(st, k, index, "unread", "unread_syntax", {"why": str(error)})


def check_link(st: Statement, k: int, index: int, left: tuple[Part, Any, bool],
               right: tuple[Part, Any], scope: Scope, setup: Setup) -> Mark:
    mark = _mark(st, k, index, "unread", "", left=left[0])
    for value in (left[1], right[1]):
        if isinstance(value, ReadError):
            return _with(mark, "unread", "unread_syntax", {"why": str(value)})
    try:
        with time_limit(setup.seconds, "this line"):
            status, key, params = _compare(left[1], right[1], st.relations[k], scope, right[0],
                                           left[2])
    except RecursionError:
        return _with(mark, "unread", "unread_size")
    except (ArithmeticError, TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
        # sympy can fail inside its own algorithms on odd input: said, never a crash.
        return _with(mark, "unread", "unread_error", {"why": type(exc).__name__})
    except LimitError:
        # The symbolic proof gave up: the 40-digit check alone still decides.
        try:
            with time_limit(setup.seconds, "this line"):
                status, key, params = _compare(left[1], right[1], st.relations[k], scope,
                                               right[0], left[2], numeric_only=True)
        except LimitError:
            return _with(mark, "unread", "unread_time", {"seconds": f"{setup.seconds:g}"})
    return _with(mark, status, key, params)


def _with(mark: Mark, status: str, key: str, params: dict[str, str] | None = None) -> Mark:
    return Mark(mark.line, mark.order, mark.math, status, mark.relation, mark.left,
                mark.right, key, tuple(sorted((params or {}).items())))


def compare_values(truth: Any, stated: Any, relation: str, scope: Scope, setup: Setup,
                   part: Part) -> str:
    """proved / numeric / wrong / unread for a stated value against an exact one."""
    if isinstance(stated, ReadError):
        return "unread"
    for numeric_only in (False, True):
        try:
            with time_limit(setup.seconds, "the final result"):
                return _compare(truth, stated, relation, scope, part, False, exact=True,
                                numeric_only=numeric_only)[0]
        except LimitError:
            continue
    return "unread"


def _compare(a: Any, b: Any, relation: str, scope: Scope, right: Part, lhs: bool,
             exact: bool = False, numeric_only: bool = False) -> tuple[str, str, dict[str, str]]:
    try:
        if not exact and not numeric_only:
            # Cheap first: over the defined names as written; equal there is equal.
            sa, sb = scope.value(a, lhs=lhs, shallow=True), scope.value(b, shallow=True)
            if _ops(sa) <= MAX_OPS and _ops(sb) <= MAX_OPS and _cached(
                    sa, sb, relation, right).status == "proved":
                return "proved", "proved", {}
        va = a if exact else scope.value(a, lhs=lhs)
        vb = scope.value(b)
    except Unresolved as exc:
        name = f"${_spell(exc.name)}$" if exc.name else "?"
        return "unread", f"unread_{exc.key}", {"name": name, "why": exc.key}
    except (TypeError, ValueError, sympy.ShapeError, AttributeError) as exc:
        return "unread", "unread_shape", {"why": type(exc).__name__}
    if _ops(va) > MAX_OPS or _ops(vb) > MAX_OPS:
        return "unread", "unread_size", {}
    ladder = _numeric if numeric_only else _cached
    check = ladder(va, vb, relation, right)
    if check.status == "failed" and scope.data and _uses(scope, va, vb):
        at_data = ladder(scope.at_data(va), scope.at_data(vb), relation, right)
        if at_data.status != "failed":
            used = [f"${_spell(s.name)} = {sympy.latex(v)}$" for s, v in sorted(
                scope.data.items(), key=lambda kv: kv[0].name) if s in _free(va) | _free(vb)]
            given = ", ".join(used[:6]) + (", …" if len(used) > 6 else "")
            return STATUS[at_data.status], f"{at_data.status}_at_data", {"values": given}
    if check.status == "failed":
        if "no point" in check.detail:
            return "unread", "unread_nowhere", {}
        if check.method == "shape":
            # A vector against a scalar is a question of notation (is x a vector here?),
            # which the reviewer cannot settle: said, not called wrong.
            return "unread", "unread_shape", {"why": check.detail}
        if relation == r"\approx":
            true_value: Any = _flat(scope.at_data(va))[0]
            return "wrong", "wrong_rounding", {
                "exact": str(sympy.N(true_value, 12)) if true_value.is_number else "?",
                "digits": str(_decimals(right))}
        return "wrong", "wrong", _counterexample(check)
    return STATUS[check.status], check.status, {}


_SEEN: dict[tuple[Any, ...], Check] = {}
MAX_SEEN = 4096


def _cached(va: Any, vb: Any, relation: str, right: Part) -> Check:
    """The ladder, remembered: a class's submissions repeat the same lines, and a line's
    check depends only on the two values (and the decimals shown)."""
    key = (va, vb, relation, _decimals(right) if relation == r"\approx" else 0)
    if key not in _SEEN:
        if len(_SEEN) >= MAX_SEEN:
            _SEEN.clear()
        # sympy's heuristic gcd (inside cancel) can spend minutes in one huge-integer
        # operation that the per-line alarm cannot interrupt (seen twice in test runs on
        # the seeds' lines); the other gcd works in small steps, which the alarm can stop.
        with using(USE_HEU_GCD=False):
            _SEEN[key] = _ladder(va, vb, relation, right)
    return _SEEN[key]


def _ladder(va: Any, vb: Any, relation: str, right: Part) -> Check:
    la, lb = _flat(va), _flat(vb)
    if _shape(va) != _shape(vb):
        return Check("failed", "shape", f"a {_shape(va)} ≠ a {_shape(vb)}")
    if relation == r"\approx":
        return rounded(lb, la, _decimals(right))
    try:
        return equal_lists(la, lb)
    except (TypeError, ValueError, ZeroDivisionError):
        return Check("failed", "mpmath", "no point where both sides are defined")


def _numeric(va: Any, vb: Any, relation: str, right: Part) -> Check:
    """Agreement to 30 digits at a few random points, without a symbolic proof: for a line
    whose proof takes longer than its budget. verify.rounded does the 40-digit arithmetic."""
    if relation == r"\approx" or _shape(va) != _shape(vb):
        return _ladder(va, vb, relation, right)
    la, lb = _flat(va), _flat(vb)
    names = sorted(_free(va) | _free(vb), key=lambda s: s.name)
    rng = random.Random(len(names))
    for _ in range(3):
        point = {s: sympy.Rational(rng.randint(-1900, 1900), 1000) for s in names}
        shown = [e.xreplace(point) for e in lb]
        check = rounded(shown, [e.xreplace(point) for e in la], 30)
        if check.status == "failed":
            where = ", ".join(f"{s}={v}" for s, v in list(point.items())[:8])
            return Check("failed", "mpmath", f"at {where}: {_short(la, point)} ≠ "
                         f"{_short(lb, point)}")
    return Check("numeric", "mpmath", "agrees at 3 random points to 30 digits")


def _short(values: list[Any], point: dict[Any, Any]) -> str:
    return str(sympy.N(values[0].xreplace(point), 15))


def _flat(value: Any) -> list[Any]:
    return list(value) if isinstance(value, sympy.MatrixBase) else [value]


def _shape(value: Any) -> tuple[int, int]:
    return value.shape if isinstance(value, sympy.MatrixBase) else (1, 1)


def _free(value: Any) -> set[Any]:
    return set(getattr(value, "free_symbols", set()))


def _uses(scope: Scope, va: Any, vb: Any) -> bool:
    return bool((_free(va) | _free(vb)) & set(scope.data))


def _ops(value: Any) -> int:
    return sum(sympy.count_ops(e) for e in _flat(value))


def _decimals(part: Part) -> int:
    places = [len(t.text.split(".")[1]) for t in part.tokens if t.kind == "num" and "." in t.text]
    return max(places, default=0)


def _spell(name: str) -> str:
    """A symbol's name as LaTeX a student would recognise (`w11` → w_{11})."""
    if "^" in name:
        base, _, label = name.partition("^")
        return f"{_spell(base)}^{{{label}}}"
    if not name or " " in name:
        return name.replace("nabla_", r"\nabla_")
    try:
        return default_latex(name)
    except (TypeError, ValueError):
        return name


_POINT = re.compile(r"^at (?P<point>.*): (?P<left>.*) ≠ (?P<right>.*)$")


def _counterexample(check: Check) -> dict[str, str]:
    match = _POINT.match(check.detail)
    if not match:
        return {"point": "", "left": check.detail, "right": ""}
    point = []
    for pair in match.group("point").split(", "):
        name, _, value = pair.partition("=")
        if value:
            point.append(f"${_spell(name)} = {_decimal(value)}$")
    return {"point": ", ".join(point) or "—", "left": _decimal(match.group("left")),
            "right": _decimal(match.group("right"))}


def _decimal(value: str) -> str:
    """873/1000 → 0.873; 7.03739888454077 → 7.03740 (six digits are enough to compare)."""
    try:
        number = sympy.Rational(value.strip())
    except (TypeError, ValueError, SyntaxError):
        return value
    return str(number) if number.q == 1 else format(float(number), ".6g")
