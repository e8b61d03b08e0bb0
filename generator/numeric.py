"""Numbers in a graph problem: given values, mpmath evaluation, the substituted last step.

A gradient problem whose leaves all have numbers (`values:` or a drawn variant) ends with
one more section: the given values, a forward pass through the nodes, and the answer
with the numbers put in, then its decimal. Decimals come from mpmath, never float64.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping
from typing import Any

import mpmath
import sympy
from sympy import Derivative, Symbol

from generator.errors import SpecError, SpecErrors
from generator.expr import ExprError, parse
from generator.graph import Graph
from generator.source import Source
from generator.trace import Block, Section, Step

DPS = 40
Point = dict[Symbol, sympy.Rational]


def number(value: object) -> sympy.Rational:
    """A spec value (int, float written in decimal, or "3/4") as an exact Rational."""
    parsed = parse(value, {})  # floats are read from their decimal text: 0.1 is 1/10
    if not isinstance(parsed, sympy.Rational):
        raise ExprError(f"{value!r} is not a rational number", "write 3, 0.5 or \"3/4\"")
    return parsed


def given_values(values: Mapping[str, Any], graph: Graph, source: Source,
                 key: str = "values") -> Point:
    """`values:` as {leaf symbol: Rational}; arrays take rows (`a: [[1, 2], [3, 4]]`)."""
    point: Point = {}
    errors: list[SpecError] = []
    for name, value in values.items():
        try:
            point.update(_one_value(name, value, graph))
        except ExprError as exc:
            errors.append(SpecError(source.at((key, name)), exc.message, exc.hint))
    if errors:
        raise SpecErrors(errors)
    return point


def values_point(values: Mapping[str, Any], graph: Graph) -> Point:
    """Like `given_values` for values already checked: no source needed."""
    point: Point = {}
    for name, value in values.items():
        point.update(_one_value(name, value, graph))
    return point


def written_as_decimals(values: Mapping[str, Any], graph: Graph) -> frozenset[Symbol]:
    """Leaves the author gave as decimals (0.5): shown as decimals, not as 1/2."""
    out: set[Symbol] = set()
    for name, value in values.items():
        flat = _flatten(value)
        symbols = list(graph.arrays[name].values()) if name in graph.arrays else [
            graph.names[name]]
        out.update(s for s, v in zip(symbols, flat, strict=False) if isinstance(v, float))
    return frozenset(out)


def as_decimal(value: sympy.Rational) -> sympy.Basic:
    """7/10 → 0.7, 1/2 → 0.5 for display (unchanged when it has no finite decimal)."""
    q, twos, fives = int(value.q), 0, 0
    while q % 2 == 0:
        q, twos = q // 2, twos + 1
    while q % 5 == 0:
        q, fives = q // 5, fives + 1
    places = max(twos, fives)
    if q != 1 or places == 0:
        return value
    scaled = abs(int(value.p)) * 10**places // int(value.q)
    digits = str(scaled).rjust(places + 1, "0")
    text = ("-" if value < 0 else "") + digits[:-places] + "." + digits[-places:]
    return sympy.Float(text, len(digits))


def _one_value(name: str, value: Any, graph: Graph) -> Point:
    if name in graph.arrays:
        array = graph.arrays[name]
        flat = _flatten(value)
        if len(flat) != len(array):
            raise ExprError(f"{name!r} has {len(array)} elements, got {len(flat)} values",
                            "give one row per index, e.g. [[1, 2], [3, 4]]")
        return {sym: number(v) for sym, v in zip(array.values(), flat, strict=True)}
    sym = graph.names.get(name)
    if sym is None or graph.roles.get(sym) not in ("input", "param", "hyper"):
        raise ExprError(f"{name!r} is not an input, param or hyper",
                        "values are given to leaves of the graph")
    if isinstance(value, list):
        raise ExprError(f"{name!r} is a single number, not a list")
    return {sym: number(value)}


def _flatten(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [x for item in value for x in _flatten(item)]
    return [value]


def leaves_needed(graph: Graph, expr: sympy.Basic) -> list[Symbol]:
    """Input/param/hyper leaves an expression depends on, in declaration order."""
    free = graph.inline(expr).free_symbols
    return [s for s, r in graph.roles.items() if r in ("input", "param", "hyper") and s in free]


# ---- mpmath evaluation of a numeric tree (no sympy evaluation per variant) ----

def _sigmoid(x: Any) -> Any:
    return _sigmoid_at(x, mpmath.mp.prec)


@functools.lru_cache(maxsize=4096)
def _sigmoid_at(x: Any, prec: int) -> Any:
    # The same σ(z) recurs on many lines of a variant; prec keys the cache by precision.
    return 1 / (1 + mpmath.exp(-x))


_CALLS: dict[str, Callable[..., Any]] = {
    "sigmoid": _sigmoid, "sigmoid_exp": _sigmoid, "exp": mpmath.exp, "log": mpmath.log,
    "tanh": mpmath.tanh, "sin": mpmath.sin, "cos": mpmath.cos, "Abs": mpmath.fabs,
}


def mp_value(expr: sympy.Basic, env: Mapping[Symbol, Any]) -> Any:
    """Value of an expression of numbers, functions and symbols in `env`, in mpmath."""
    if expr.is_Rational:
        return mpmath.mpf(int(expr.p)) / int(expr.q)
    if expr.is_Float:
        # A shown decimal (0.952574) holds only ~20 bits: read back the digits it prints.
        return mpmath.mpf(str(expr))
    if isinstance(expr, Symbol):
        return env[expr]
    if expr.is_Add or expr.is_Mul:
        # Plain + and * at the working precision: fsum/fprod cost more and gain nothing here.
        values = [mp_value(a, env) for a in expr.args]
        return functools.reduce(operator.add if expr.is_Add else operator.mul, values)
    if expr.is_Pow:
        return mp_value(expr.base, env) ** mp_value(expr.exp, env)
    name = type(expr).__name__
    if name in _CALLS:
        return _CALLS[name](*[mp_value(a, env) for a in expr.args])
    if expr.is_Number or expr.is_NumberSymbol:
        return mpmath.mpf(sympy.N(expr, DPS))
    raise TypeError(f"cannot evaluate {name} numerically")


def compile_mp(args: list[Symbol], expr: sympy.Basic) -> Callable[..., Any]:
    """A fast mpmath function of `args` (sympy's lambdify, σ mapped to mpmath)."""
    fn: Callable[..., Any] = sympy.lambdify(args, expr, modules=[_CALLS, "mpmath"])
    return fn


def decimal_text(value: Any, places: int) -> str:
    """`value` rounded to `places` decimals (as `precision:` means for every kind): -0.052."""
    units = int(mpmath.nint(value * mpmath.mpf(10) ** places))
    digits = str(abs(units)).rjust(places + 1, "0")
    sign = "-" if units < 0 else ""
    return sign + (digits[:-places] + "." + digits[-places:] if places else digits)


def decimal(value: Any, places: int) -> sympy.Float:
    """`decimal_text` as a Float that prints that way (for display only)."""
    text = decimal_text(value, places)
    return sympy.Float(text, max(1, len(text.lstrip("-").replace(".", "").lstrip("0"))))


# ---- the substituted section ----

def substitute(expr: sympy.Basic, point: Mapping[sympy.Basic, sympy.Basic],
               shown: bool = False, decimals: frozenset[Symbol] = frozenset()) -> sympy.Basic:
    """Put numbers in without evaluating anything: w11·a11 → 2·1, kept as written.

    `shown=True` is for display only: negative numbers are kept in brackets, so
    a·w with a = −1 prints (−1)·2, never `- -1`, and leaves in `decimals` print as
    0.7 rather than 7/10; check the `shown=False` form.
    """
    if expr in point:
        value = point[expr]
        if not shown:
            return value
        if expr in decimals:
            value = as_decimal(value)
        return sympy.UnevaluatedExpr(value) if value.is_Number and value < 0 else value
    if not expr.args:
        return expr
    return expr.func(*[substitute(a, point, shown, decimals) for a in expr.args],
                     evaluate=False)


def evaluated(expr: sympy.Basic) -> sympy.Basic:
    """Rebuild an unevaluated tree with evaluation on: 2·1 + 3·4 → 14, σ(5) stays."""
    if not expr.args:
        return expr
    return expr.func(*[evaluated(a) for a in expr.args])


def _compact(value: sympy.Basic) -> bool:
    """Short enough to write in place of its node later: 14, -3/2, σ(5)."""
    return bool(value.is_Rational) or (len(value.args) == 1 and bool(value.args[0].is_Rational))


def values_latex(graph: Graph, point: Mapping[Symbol, sympy.Basic],
                 printer: Callable[[sympy.Basic], str],
                 decimals: frozenset[Symbol] = frozenset()) -> str:
    """`a = [[…]], w_a = 1, …`: the numbers of a variant, arrays as matrices."""
    def tex(sym: Symbol) -> str:
        value = point[sym]
        return printer(as_decimal(value) if sym in decimals else value)

    parts: list[str] = []
    in_array = {s for arr in graph.arrays.values() for s in arr.values()}
    for array in graph.arrays.values():
        if not all(s in point for s in array.values()):
            continue
        rows: dict[int, list[str]] = {}
        for index, sym in array.items():
            rows.setdefault(index[0], []).append(tex(sym))
        body = r" \\ ".join(" & ".join(r) for r in rows.values())
        base = graph.latex[next(iter(array.values()))].split("_{")[0]
        parts.append(rf"{base} = \begin{{bmatrix}} {body} \end{{bmatrix}}")
    for sym, role in graph.roles.items():
        if role in ("input", "param", "hyper") and sym in point and sym not in in_array:
            parts.append(f"{graph.latex[sym]} = {tex(sym)}")
    return r",\quad ".join(parts)


def forward_steps(graph: Graph, nodes: list[Symbol], point: Point, digits: int,
                  decimals: frozenset[Symbol] = frozenset()
                  ) -> tuple[list[Step], dict[sympy.Basic, sympy.Basic], dict[Symbol, Any]]:
    """`z00 = 1·2 + … = 14`, `o00 = σ(14) ≈ 0.99999`: each needed node, in order.

    Returns the steps, what later lines may write in place of a node (14, σ(14)), and
    every node's mpmath value. Call inside `mpmath.workdps(DPS)`.
    """
    known: dict[sympy.Basic, sympy.Basic] = dict(point)
    env: dict[Symbol, Any] = {}
    steps: list[Step] = []
    for node in nodes:
        canonical = substitute(graph.display[node], known)
        exact = evaluated(canonical)
        steps.append(Step("substitution", substitute(graph.display[node], known, True, decimals),
                          lhs=node, value=canonical))
        env[node] = mp_value(canonical, env)
        if exact.is_Rational:
            if exact != canonical:
                steps.append(Step("arithmetic", exact))
        else:
            steps.append(approx_step(env[node], digits))
        if _compact(exact):
            known[node] = exact
    return steps, known, env


def approx_step(value: Any, places: int) -> Step:
    """`≈ 0.952574`: shown as a short Float, checked (verify.rounded) as the decimal shown."""
    text = decimal_text(value, places)
    return Step("approximate", decimal(value, places), value=sympy.Rational(text),
                relation=r"\approx", digits=places)


def needed_nodes(graph: Graph, exprs: list[sympy.Basic]) -> list[Symbol]:
    """Nodes the expressions use, directly or through other nodes, in topological order."""
    seen: set[Symbol] = set()
    todo = [s for e in exprs for s in e.free_symbols if s in graph.nodes]
    while todo:
        sym = todo.pop()
        if sym not in seen:
            seen.add(sym)
            todo.extend(d for d in graph.deps(sym) if d in graph.nodes)
    return [n for n in graph.nodes if n in seen]


def numeric_section(graph: Graph, answers: Mapping[Symbol, sympy.Basic], point: Point,
                    digits: int, tex: Callable[[sympy.Basic], str],
                    decimals: frozenset[Symbol] = frozenset()) -> Section:
    """The last section: given values, forward pass, each answer with numbers, its decimal.

    `answers` maps the parameter to its gradient written over nodes (the solver's form).
    Variants build the same lines faster in `numeric_lines.py`.
    """
    full = {**point, **{s: v for s, v in graph.constants.items() if v.is_Rational}}
    with mpmath.workdps(DPS):
        nodes = needed_nodes(graph, list(answers.values()))
        forward, known, env = forward_steps(graph, nodes, full, digits, decimals)
        blocks = [Block("given_values", {"values": values_latex(graph, point, tex, decimals)}),
                  Block("forward_pass", {}, tuple(forward), at=full)]
        for var, expr in answers.items():
            canonical = substitute(expr, {**full, **known})
            blocks.append(Block("numeric_answer", {"param": var}, (
                Step("substitution", substitute(expr, {**full, **known}, True, decimals),
                     lhs=Derivative(graph.loss, var), value=canonical),
                approx_step(mp_value(canonical, env), digits)), at=full))
    return Section("numeric", tuple(blocks))
