"""Printed math is verified: every fragment the view writes for a step is read back.

The printer (algebra/printing.py) and the reader (algebra/reader.py) share no code, so a
printed line that drops a bracket or turns a product into a difference reads back as a
different expression, and the check ladder (check/verify.py `equal_lists`) refuses it as
it refuses a wrong step. What is compared is the fragment's reading against the expression
that was printed: that expression is the step's checked value, or (for an lhs) the name
whose value the step was checked against, so a fragment that reads back equal states
exactly what was proved.

Partials of names (∂L/∂w) are compared as names: the reader must give back the same
∂L/∂w, not its value. A fragment the reader cannot read (vector notation, labels it does
not know) is counted as not covered; `stats` says how many were.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import sympy

from generator.algebra.latex_names import Primed, Vocabulary
from generator.algebra.matrices import has_names
from generator.algebra.notation import Frac, Grad, Paren, Power, VectorShapeError, components
from generator.algebra.reader import ReadError, read, spelled_name
from generator.algebra.trace import Step
from generator.check.verify import equal_lists, rounded
from generator.errors import Location, StepCheckError
from generator.solvers.problem import Problem

__all__ = ["Mismatch", "ReadBack", "refuse", "stats"]

MAX_SOFTMAX = 64  # classes a printed softmax_k may name


@dataclass(frozen=True)
class Mismatch:
    """A printed fragment whose reading is not the expression it was printed from."""

    step: Step
    text: str
    expr: sympy.Basic
    detail: str


@dataclass
class Stats:
    """Fragments read back in this process: checked, and not readable (not covered)."""

    fragments: int = 0  # every fragment written, the same one again in another language too
    checked: int = 0  # distinct fragments read back and compared
    unread: int = 0  # distinct fragments the reader cannot read or value (not covered)
    reasons: dict[str, int] = field(default_factory=dict)


stats = Stats()
# The same fragment of the same expression under the same names is read once per process
# (both languages, every format and every sheet print the same math).
_seen: dict[tuple[str, sympy.Basic, int | None, frozenset[tuple[sympy.Symbol, str]]],
            str | None] = {}
MAX_SEEN = 100_000  # `solgen serve` runs for hours: forget rather than grow without bound


def vocabulary(names: Mapping[sympy.Symbol, str]) -> Vocabulary:
    """Each declared symbol under the spelling the reader gives its printed LaTeX."""
    symbols: dict[str, sympy.Symbol] = {sym.name: sym for sym in names}
    for sym, latex in names.items():
        spelled = spelled_name(latex)
        if spelled:
            symbols.setdefault(spelled, sym)
    functions = {f"softmax{k + 1}": _softmax(k) for k in range(MAX_SOFTMAX)}
    words = frozenset(n for n in symbols if len(n) > 1)
    return Vocabulary(symbols, words, functions)




def _softmax(k: int) -> object:
    from generator.algebra.functions import softmax

    return lambda *zs: softmax(sympy.Integer(k), *zs)


class ReadBack:
    """Reads fragments back with one vocabulary and keeps the mismatches."""

    def __init__(self, names: Mapping[sympy.Symbol, str]) -> None:
        self.vocabulary = vocabulary(names)
        self.names = frozenset(names.items())
        # Two symbols printed alike (a one-unit layer's bias b and its vector b) are one name
        # on the page: the reading is compared with the symbol the page can name.
        self.alias: dict[sympy.Symbol, sympy.Basic] = {
            sym: self.vocabulary.symbol(spelled_name(latex)) for sym, latex in names.items()
            if spelled_name(latex) and spelled_name(latex) != sym.name}
        # A symbol printed as a partial of a name (f_x as ∂f/∂x) is that partial on the page.
        self.alias.update({sym: d for sym, latex in names.items()
                           if (d := _partial_of_name(latex, self.vocabulary)) is not None})
        self.mismatches: list[Mismatch] = []

    def fragment(self, step: Step, text: str, expr: sympy.Basic,
                 digits: int | None = None) -> None:
        stats.fragments += 1
        key = (text, expr, digits, self.names)
        if key in _seen:
            detail = _seen[key]
        else:
            if len(_seen) >= MAX_SEEN:
                _seen.clear()
            detail = _seen[key] = self._detail(text, expr, digits)
        if detail:
            self.mismatches.append(Mismatch(step, text, expr, detail))

    def sum_line(self, step: Step, text: str, head: str, terms: list[str]) -> None:
        """A bracketed sum `head[t₁ + t₂ …]` whose head and terms were each read back: the
        line must read as head × the sum of the terms' readings (the brackets scope the
        whole sum, each sign is the term's). Proving it from the step's value again would
        repeat the terms' proofs on one large expression (seconds for an MLP)."""
        try:
            whole = _evaluated(read(text, self.vocabulary))
            parts = [_evaluated(read(t, self.vocabulary)) for t in [head, *terms]]
        except (ReadError, RecursionError):
            self.fragment(step, text, step.rhs)
            return
        stats.fragments += 1
        if whole != sympy.Mul(parts[0], sympy.Add(*parts[1:])):
            self.fragment(step, text, step.rhs)

    def _detail(self, text: str, expr: sympy.Basic, digits: int | None) -> str | None:
        if any(type(a).__name__ == "Shown" for a in expr.atoms()):
            # A variant's number line, printed before it was checked (variants/lines.py
            # compares its numbers): no sympy value to read it against.
            _unread("variant number line")
            return None
        if has_names(expr):
            # Xᵀ(Xw − y) names matrices the reader takes for scalars; the verifier checked
            # the line entry by entry against the scalar graph (docs/design.md).
            _unread("matrix notation, checked entry by entry")
            return None
        try:
            value = read(text, self.vocabulary)
        except (ReadError, RecursionError) as exc:
            _unread(type(exc).__name__ + ": " + str(exc).split(":")[0])
            return None
        mine, theirs = _scalars(value), _scalars(expr)
        if mine is None or theirs is None or value.has(Primed) or expr.has(Grad):
            _unread("vector notation or s' of a name")
            return None
        if any(not s.name.isidentifier() for s in expr.free_symbols):
            _unread("a label such as σ'(x) that names a value defined in its block")
            return None
        names: dict[sympy.Basic, sympy.Symbol] = {}
        mine = [_evaluated(_named(v, names)) for v in mine]
        theirs = [_evaluated(_named(_decimals(v.xreplace(self.alias)), names)) for v in theirs]
        # A decimal printed with `digits` places must be the value correctly rounded.
        check = rounded(mine, theirs, digits) if digits is not None else equal_lists(
            mine, theirs)
        stats.checked += 1
        if check.status == "failed":
            return f"reads back as {value}: {check.detail}"
        return None


def _partial_of_name(latex: str, vocabulary: Vocabulary) -> sympy.Derivative | None:
    """The plain ∂f/∂x a declared symbol's LaTeX reads as, or None if it reads otherwise."""
    if r"\partial" not in latex and r"\frac{d" not in latex:
        return None
    try:
        value = read(latex, vocabulary)
    except (ReadError, RecursionError):
        return None
    if isinstance(value, sympy.Derivative) and isinstance(value.expr, sympy.Symbol) and (
            value.expr not in value.variables):
        return sympy.Derivative(value.expr, *value.variable_count)
    return None


def _unread(reason: str) -> None:
    stats.unread += 1
    stats.reasons[reason] = stats.reasons.get(reason, 0) + 1


def _scalars(expr: sympy.Basic) -> list[sympy.Basic] | None:
    if isinstance(expr, sympy.MatrixBase):
        return list(expr)
    try:
        parts = components(expr)
    except VectorShapeError:
        return None
    return [expr] if parts is None else parts


def _named(expr: sympy.Basic, names: dict[sympy.Basic, sympy.Symbol]) -> sympy.Basic:
    """Partials of names become one symbol each (the same partial, the same symbol); any
    other derivative (σ'(z) printed from ∂σ(z)/∂z, dx/dx) is worked out. A kind's display
    derivative (a Derivative subclass printed as d/dx(…)) is the plain Derivative here, so
    the page's ∂L/∂w and the step's are one symbol."""
    def name(d: sympy.Derivative) -> sympy.Basic:
        if isinstance(d.expr, sympy.Symbol) and d.expr not in d.variables:
            plain = sympy.Derivative(d.expr, *d.variable_count)
            return names.setdefault(plain, sympy.Symbol(f"_d{len(names)}"))
        return sympy.Derivative(d.expr, *d.variable_count).doit()
    return expr.replace(lambda e: isinstance(e, sympy.Derivative), name)


def refuse(problem: Problem, reader: ReadBack) -> None:
    """Stop the problem, as a wrong step does, when a printed fragment misreads its value."""
    if not reader.mismatches:
        return
    source, lines = problem.source, problem.graph.lines
    out = []
    for bad in reader.mismatches:
        lhs = bad.step.lhs
        line = lines.get(lhs) if isinstance(lhs, sympy.Symbol) else None
        where = Location(source.path, line or source.line(("kind",)))
        out.append(f"{where}: the printed line of a step ({bad.step.rule}) is not what was "
                   f"checked\n  printed: {bad.text}\n  checked: {bad.expr}\n  {bad.detail}")
    raise StepCheckError("\n".join(out))


def _evaluated(expr: sympy.Basic) -> sympy.Basic:
    """The value of a display form: `(−1)·(−1)` kept unevaluated for the page is 1 here."""
    if not expr.args or isinstance(expr, sympy.MatrixBase):
        return expr
    if isinstance(expr, (sympy.UnevaluatedExpr, Paren)):
        return _evaluated(expr.args[0])
    if isinstance(expr, (Power, Frac)):
        base, other = (_evaluated(a) for a in expr.args)
        return sympy.Pow(base, other) if isinstance(expr, Power) else base / other
    return expr.func(*(_evaluated(a) for a in expr.args))


def _decimals(expr: sympy.Basic) -> sympy.Basic:
    """A Float computed at some precision (a training run's) stands on the page as the
    decimal of its significant digits: that decimal, exactly, is what the line states."""
    return expr.xreplace({f: sympy.Rational(str(f)) for f in expr.atoms(sympy.Float)})
