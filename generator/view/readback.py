"""Printed math is verified: every fragment the view writes for a step is read back.

The printer (algebra/printing.py) and the reader (algebra/reader.py) share no code, so a
printed line that drops a bracket or turns a product into a difference reads back as a
different expression, and the check ladder (check/verify.py `equal_lists`) refuses it as
it refuses a wrong step. What is compared is the fragment's reading against the expression
that was printed: that expression is the step's checked value, or (for an lhs) the name
whose value the step was checked against, so a fragment that reads back equal states
exactly what was proved.

Partials of names (∂L/∂w) are compared as names: the reader must give back the same
∂L/∂w, not its value. What a solution's own names stand for is taught to the reader
(`ReadBack.learn`): ∇_θ f of a vector θ reads component-wise as (∂f/∂b, ∂f/∂w₁, …), θ⁰
as the vector it names, `s'` as the block's name s', and a label such as σ'(x) is
compared by the value its block defines; a name the reader cannot read as a value
(`f'(x)`, `h(x₁,x₂)`) is that name where printed as itself. A fragment the reader still
cannot read stops the problem as a misread one does; `stats` counts them and
`stats.uncovered` lists them (scripts/readback-coverage.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import sympy

from generator.algebra.latex_names import Primed, Vocabulary
from generator.algebra.matrices import has_names
from generator.algebra.notation import (
    Frac,
    Grad,
    Paren,
    Power,
    Vec,
    VectorShapeError,
    components,
)
from generator.algebra.page_names import vocabulary
from generator.algebra.reader import ReadError, read, spelled_name
from generator.algebra.trace import Solution, Step
from generator.check.verify import equal_lists, rounded
from generator.errors import Location, StepCheckError
from generator.solvers.problem import Problem, step_line

__all__ = ["Mismatch", "ReadBack", "refuse", "stats"]


@dataclass(frozen=True)
class Mismatch:
    """A printed fragment whose reading is not the expression it was printed from."""

    step: Step
    text: str
    expr: sympy.Basic
    detail: str
    owner: sympy.Basic | None = None  # the lhs the step states or continues (its file line)


@dataclass
class Stats:
    """Fragments read back in this process: checked, and not readable (not covered)."""

    fragments: int = 0  # every fragment written, the same one again in another language too
    checked: int = 0  # distinct fragments read back and compared
    unread: int = 0  # distinct fragments the reader cannot read or value (not covered)
    reasons: dict[str, int] = field(default_factory=dict)
    number_lines: int = 0  # distinct variant number lines, read back in variants/reading.py
    matrix_lines: int = 0  # distinct lines in matrix notation, checked entry by entry instead
    uncovered: dict[str, str] = field(default_factory=dict)  # text → why, first MAX_LISTED


stats = Stats()
# The same fragment of the same expression under the same names is read once per process
# (both languages, every format and every sheet print the same math).
_seen: dict[tuple[object, ...], str | None] = {}
MAX_SEEN = 100_000  # `solgen serve` runs for hours: forget rather than grow without bound
MAX_LISTED = 1000


def _gradient(wrt: sympy.Symbol, vector: sympy.Basic) -> Callable[[sympy.Basic], sympy.Basic]:
    return lambda of: Grad(of, wrt, vector)




class ReadBack:
    """Reads fragments back with one vocabulary and keeps the mismatches."""

    def __init__(self, names: Mapping[sympy.Symbol, str],
                 constants: Mapping[sympy.Symbol, sympy.Basic] | None = None) -> None:
        self.latex = dict(names)
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
        # A declared constant (n: 1) is its value on both sides, as in the verifier: the page
        # may drop a 1/n that is 1, and no counterexample gives n another value.
        self.constants = {self.alias.get(sym, sym): value
                          for sym, value in (constants or {}).items()
                          if isinstance(self.alias.get(sym, sym), sympy.Symbol)}
        self.fixed = frozenset(self.constants.items())
        self.primed = _primed_names(names, self.vocabulary)
        self.labels = _labels(names, self.vocabulary)
        self.values: dict[sympy.Symbol, sympy.Basic] = {}
        self.context: tuple[object, ...] = ()
        self.owner: sympy.Basic | None = None  # the last lhs printed: what `= …` continues
        self.mismatches: list[Mismatch] = []

    def learn(self, solution: Solution) -> None:
        """What this solution's own names stand for: the vectors its ∇ are taken over
        (θ = (b, w₁, w₂)), the vectors and labels its blocks define (θ⁰, σ'(x))."""
        values = _definitions(solution)
        gradients: dict[str, tuple[sympy.Symbol, sympy.Basic]] = {}
        for step in solution.steps():
            for grad in _gradients(step):
                wrt, vector = grad.args[1], grad.args[2]
                spelled = spelled_name(self.latex.get(wrt, wrt.name))
                if spelled:
                    gradients.setdefault(spelled, (wrt, vector))
        context = (frozenset(values.items()), frozenset(gradients.items()))
        if context == self.context:
            return
        self.values, self.context = values, context
        self.vocabulary = vocabulary(self.latex, {
            k: _gradient(wrt, vector) for k, (wrt, vector) in gradients.items()})

    def fragment(self, step: Step, text: str, expr: sympy.Basic,
                 digits: int | None = None) -> None:
        stats.fragments += 1
        key = (text, expr, digits, self.names, self.context, self.fixed)
        if key in _seen:
            detail = _seen[key]
        else:
            if len(_seen) >= MAX_SEEN:
                _seen.clear()
            detail = _seen[key] = self._detail(text, expr, digits)
        if step.lhs is not None:
            self.owner = step.lhs
        if detail:
            self.mismatches.append(Mismatch(step, text, expr, detail, self.owner))

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
            # A variant's number line: read back where it was made, against the variant's
            # numbers (variants/reading.py); here it has no sympy value to compare with.
            stats.number_lines += 1
            return None
        if has_names(expr) or expr.has(sympy.MatPow):
            # Xᵀ(Xw − y) names matrices the reader takes for scalars, and it reads no matrix
            # inverse; the verifier checked the line entry by entry against the scalar
            # graph (docs/design.md).
            stats.matrix_lines += 1
            return None
        try:
            value = self.labels.get(text) or read(text, self.vocabulary).xreplace(self.primed)
        except (ReadError, RecursionError) as exc:
            return _unread(type(exc).__name__ + ": " + str(exc).split(":")[0], text)
        if value.has(Primed):
            return _unread("s' of a name this solution does not define", text)
        # A label (σ'(x)) or vector name (θ⁰) stands for what its block defines, on the
        # page as in the check: both sides are compared with it worked out.
        value, expr = value.xreplace(self.values), expr.xreplace(self.values)
        # Floats become the decimals they print before any matrix arithmetic: (1/3)·[3.5]
        # worked out on 2-digit Floats would be −1.2, not −7/6.
        mine, theirs = _scalars(value), _scalars(_decimals(expr))
        if mine is None or theirs is None:
            return _unread("a vector added to a scalar", text)
        names: dict[sympy.Basic, sympy.Symbol] = {}
        fixed = self.constants
        mine = [_evaluated(_named(v, names)).xreplace(fixed) for v in mine]
        theirs = [_evaluated(_named(_decimals(v.xreplace(self.alias)), names)).xreplace(fixed)
                  for v in theirs]
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


def _unread(reason: str, text: str) -> str:
    """A fragment that cannot be read back states nothing checkable: it stops the problem
    as a misread one does (a dropped bracket often leaves a line that does not parse)."""
    stats.unread += 1
    stats.reasons[reason] = stats.reasons.get(reason, 0) + 1
    if len(stats.uncovered) < MAX_LISTED:
        stats.uncovered.setdefault(text, reason)
    return f"cannot be read back: {reason}"


def _primed_names(names: Mapping[sympy.Symbol, str], vocab: Vocabulary
                  ) -> dict[sympy.Basic, sympy.Symbol]:
    """`s'` reads as s' of the name s; the solution that prints it names it s' (a label
    whose meaning its block gives): the reading is that label."""
    out: dict[sympy.Basic, sympy.Symbol] = {}
    for sym, latex in names.items():
        if "'" in latex:
            try:
                value = read(latex, vocab)
            except ReadError:
                continue
            if isinstance(value, Primed):
                out.setdefault(value, sym)
    return out


def _definitions(solution: Solution) -> dict[sympy.Symbol, sympy.Basic]:
    """The vectors (θ⁰ = Vec(…)) and labels (σ'(x)) the blocks define; a label defined
    differently in two blocks (f'(x) of (a) and of (b)) is left a name."""
    values: dict[sympy.Symbol, sympy.Basic] = {}
    ambiguous: set[sympy.Symbol] = set()
    for section in solution.sections:
        for block in section.blocks:
            for sym, body in block.extra.items():
                wanted = isinstance(body, Vec) or not sym.name.isidentifier()
                if wanted and values.setdefault(sym, body) != body:
                    ambiguous.add(sym)
    return {sym: body for sym, body in values.items() if sym not in ambiguous}


def _labels(names: Mapping[sympy.Symbol, str], vocab: Vocabulary) -> dict[str, sympy.Symbol]:
    """Names whose LaTeX the reader does not read as a value (`f'(x)` of a function the
    page defines in words, `\nabla f\big|_{P}`, `h(x_1,x_2)`): that exact text on the page
    is the name, compared as a name (as ∂L/∂w is)."""
    out: dict[str, sympy.Symbol] = {}
    for sym, latex in names.items():
        if spelled_name(latex):
            continue
        try:
            value = read(latex, vocab)
        except (ReadError, RecursionError):
            value = None
        if value is None or isinstance(value, sympy.MatrixBase) or value.has(Primed):
            out.setdefault(latex, sym)
    return out


def _gradients(step: Step) -> set[sympy.Basic]:
    found: set[sympy.Basic] = set()
    for expr in (step.lhs, step.rhs):
        if expr is not None and expr.has(Grad):
            found |= expr.atoms(Grad)
    return found


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
    out = []
    for bad in reader.mismatches:
        # The line of the node or key that produced the step, as for a step that fails.
        where = Location(problem.source.path, step_line(problem.source, problem.graph,
                                                        bad.owner))
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
