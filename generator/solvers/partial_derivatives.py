"""kind: partials — ∂f/∂x, ∂f/∂y, the gradient and the Hessian of f(x, y), by the rules.

Each partial is derived by the same rule engine as `kind: derivative` (the other variables
are constants, so y² in ∂/∂x is a constant and 3xy a constant multiple); each second partial
differentiates the first partial's result again. Every entry's name (f_x, f_xy, ∇f, H)
means sympy's `diff` of f, so each line is checked against it, not against the rules.
"""

from __future__ import annotations

import itertools

import sympy
from sympy import Symbol

from generator.algebra.notation import Mat
from generator.algebra.printing import to_latex
from generator.algebra.trace import Block, Section, Solution, Step
from generator.errors import SpecError, SpecErrors
from generator.graph.model import Graph
from generator.solvers.differentiation import meaning, point, read, rules_or_error
from generator.solvers.kind import Kind
from generator.solvers.parts.diff_rules import Pdx, plain, rule_tree, shown
from generator.solvers.parts.diff_steps import Writer, inner_letter, names, rule_letters
from generator.spec.models import PartialsSpec
from generator.spec.source import Source


def _variables(spec: PartialsSpec) -> list[Symbol]:
    return [Symbol(v) for v in spec.variables]


def validate(spec: PartialsSpec, graph: Graph, source: Source) -> None:
    xs = _variables(spec)
    if len(set(spec.variables)) != len(xs) or spec.name in spec.variables:
        raise SpecErrors([SpecError(source.at(("variables",)), "the variables and the "
                                    "function need distinct names", "rename one of them")])
    f = read(spec.function, xs, source, ("function",))
    for v in xs:
        rules_or_error(f, v, source, ("function",))
    if spec.at is None:
        return
    if set(spec.at) != set(spec.variables):
        raise SpecErrors([SpecError(source.at(("at",)), "give a number for every variable",
                                    "e.g. at: {" + ", ".join(f"{v}: 1" for v in
                                                             spec.variables) + "}")])
    at = {Symbol(k): point(v, source, ("at", k)) for k, v in spec.at.items()}
    for v in xs:
        value = sympy.N(sympy.diff(f, v).xreplace(at), 30)
        if not (value.is_real and value.is_finite):
            raise SpecErrors([SpecError(source.at(("at",)), f"∂{spec.name}/∂{v} is not "
                                        "defined at this point", "choose another point")])


class Names:
    """Display symbols f_x, f_xy, ∇f, H and what each means (sympy diff of f)."""

    def __init__(self, spec: PartialsSpec, f: sympy.Basic) -> None:
        self.f, self.name = f, spec.name
        self.xs = _variables(spec)
        self.latex: dict[Symbol, str] = {}
        self.meaning: dict[Symbol, sympy.Basic] = {}

    def first(self, v: Symbol) -> Symbol:
        sym = Symbol(f"{self.name}_{v.name}")
        self.latex[sym] = rf"\frac{{\partial {self.name}}}{{\partial {to_latex(v, {})}}}"
        self.meaning[sym] = meaning(sympy.diff(self.f, v))
        return sym

    def second(self, u: Symbol, v: Symbol) -> Symbol:
        """∂²f/∂v∂u = ∂/∂v (∂f/∂u)."""
        sym = Symbol(f"{self.name}_{u.name}{v.name}")
        lu, lv = to_latex(u, {}), to_latex(v, {})
        den = rf"\partial {lu}^2" if u == v else rf"\partial {lv}\,\partial {lu}"
        self.latex[sym] = rf"\frac{{\partial^2 {self.name}}}{{{den}}}"
        self.meaning[sym] = meaning(sympy.diff(self.f, u, v))
        return sym

    def whole(self, key: str, latex: str, value: sympy.Basic) -> Symbol:
        sym = Symbol(f"{key}_{self.name}")
        self.latex[sym], self.meaning[sym] = latex, value
        return sym


def _derive(writer: Writer, expr: sympy.Basic, v: Symbol, lhs: Symbol,
            extra: dict[Symbol, sympy.Basic]) -> tuple[list[Block], sympy.Basic]:
    derivation, final = writer.derive(rule_tree(expr, v))
    answer = Block("p_result", {}, (Step("d_result", shown(final), lhs=lhs,
                                         value=plain(final)),), extra=extra, boxed=True)
    return [*derivation, answer], plain(final)


def _first(spec: PartialsSpec, n: Names, writer: Writer) -> tuple[list[Section], list[
        sympy.Basic]]:
    sections, results = [], []
    for v in n.xs:
        sym = n.first(v)
        others = [o for o in n.xs if o != v]
        blocks, final = _derive(writer, n.f, v, sym, n.meaning)
        head = Block("p_treat", {"v": v, "others": ", ".join(to_latex(o, {}) for o in others)})
        sections.append(Section("p_first", (head, *blocks), {"d": sym}))
        results.append(final)
    return sections, results


def _second(n: Names, writer: Writer, firsts: list[sympy.Basic]) -> tuple[list[Section],
                                                                           list[sympy.Basic]]:
    sections, entries = [], {}
    for (i, u), (j, v) in itertools.combinations_with_replacement(enumerate(n.xs), 2):
        sym, fu = n.second(u, v), n.first(u)
        opened = Step("p_again", shown(Pdx(firsts[i], v)), lhs=sym,
                      value=Pdx(firsts[i], v), params={"d": fu})
        blocks, final = _derive(writer, firsts[i], v, sym, n.meaning)
        sections.append(Section("p_second", (Block("", {}, (opened,), extra=n.meaning,
                                                   layout="annotated"), *blocks), {"d": sym}))
        entries[(i, j)] = entries[(j, i)] = final
    size = len(n.xs)
    return sections, [entries[(i, j)] for i in range(size) for j in range(size)]


def _matrix(rows: int, cols: int, entries: list[sympy.Basic]) -> sympy.Basic:
    return Mat(rows, cols, *entries)


def solve(spec: PartialsSpec, graph: Graph) -> Solution:
    xs = _variables(spec)
    f = read(spec.function, xs, None, ())
    n, writer = Names(spec, f), Writer(Pdx, inner_letter(xs), pair=rule_letters(xs, spec.name))
    args = ", ".join(to_latex(v, {}) for v in xs)
    given = Block("p_given", {"f": shown(f), "name": f"{spec.name}({args})"})
    sections = [Section("", (given,), level=0)]
    first, grads = _first(spec, n, writer)
    sections += first
    size = len(xs)
    grad_truth = _matrix(size, 1, [sympy.diff(f, v) for v in xs])
    grad = n.whole("grad", rf"\nabla {spec.name}", grad_truth)
    collect = [Block("p_gradient", {}, (Step("p_collect", _matrix(size, 1, [shown(g) for g in
                                                                            grads]), lhs=grad,
                                             value=_matrix(size, 1, grads)),),
                     extra=n.meaning, boxed=True)]
    answers: dict[str, sympy.Basic] = {f"d{spec.name}/d{v.name}": g for v, g in zip(xs, grads,
                                                                                   strict=True)}
    hess: Symbol | None = None
    if spec.hessian:
        second, entries = _second(n, writer, grads)
        sections += second
        truth = _matrix(size, size, [sympy.diff(f, u, v) for u in xs for v in xs])
        hess = n.whole("hess", rf"H_{{{spec.name}}}", truth)
        collect.append(Block("p_hessian", {}, (Step("p_collect", _matrix(
            size, size, [shown(e) for e in entries]), lhs=hess,
            value=_matrix(size, size, entries)),), extra=n.meaning, boxed=True))
        answers.update({f"d2{spec.name}/d{u.name}d{v.name}": e for (u, v), e in zip(
            itertools.product(xs, xs), entries, strict=True)})
    if spec.at is not None:
        collect.append(_at_block(spec, n, grad, grads, hess))
    sections.append(Section("p_collect", tuple(collect)))
    return Solution(spec.id, spec.kind, tuple(sections), answers,
                    {**n.latex, **names(xs)})


def _at_block(spec: PartialsSpec, n: Names, grad: Symbol, grads: list[sympy.Basic],
              hess: Symbol | None) -> Block:
    """∇f and H at the point: exact entries, then decimals when one is irrational."""
    at = {Symbol(k): point(v, None, ("at", k)) for k, v in (spec.at or {}).items()}
    steps = []
    for sym in (grad, hess):
        if sym is None:
            continue
        truth = n.meaning[sym]
        exact = [sympy.nsimplify(sympy.simplify(e.xreplace(at))) for e in truth.args[2:]]
        shape = (int(truth.args[0]), int(truth.args[1]))
        point_sym = n.whole(f"{sym.name}_at", n.latex[sym] + r"\big|_{P}", truth.xreplace(at))
        steps.append(Step("substitution", Mat(*shape, *exact), lhs=point_sym))
        if any(not e.is_Rational for e in exact):
            steps.append(Step("numeric_value", Mat(*shape, *[
                sympy.Float(sympy.N(e, 40), 40) for e in exact]), relation=r"\approx",
                digits=spec.precision))
    where = ", ".join(f"{k} = {to_latex(v, {})}" for k, v in at.items())
    return Block("p_at", {"point": where}, tuple(steps), extra=n.meaning)


KIND = Kind[PartialsSpec]("partials", validate, solve)
