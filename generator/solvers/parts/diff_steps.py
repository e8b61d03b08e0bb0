"""A rule tree (generator/solvers/parts/diff_rules.py) written out as a teacher does.

Each rule that needs its parts differentiated writes three things: the rule applied, with
d/dx of each part still open; the parts, a one-line fact for an elementary one and a
numbered sub-derivation (1), (1.2), … for any other; then the parts' results substituted,
tidied and simplified, each line labelled. Every line is a checked step: its left side is
d/dx of what it differentiates, so the verifier compares it with sympy's `diff`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy
from sympy import Add, Symbol

from generator.algebra.notation import Paren
from generator.algebra.printing import to_latex
from generator.algebra.trace import Block, Step
from generator.solvers.parts.diff_rules import Ddx, Pdx, Rule, plain, shown

SIMPLER = 2  # operations a simplified form must save to be shown


def evaluated(expr: sympy.Basic) -> sympy.Basic:
    """A display form rebuilt with sympy's evaluation (brackets dropped, 2·x·1 → 2x)."""
    if isinstance(expr, Paren):
        return evaluated(expr.args[0])
    if not expr.args or isinstance(expr, Symbol):
        return expr
    with sympy.evaluate(True):
        return expr.func(*[evaluated(a) for a in expr.args])


def _prints_alike(a: sympy.Basic, b: sympy.Basic) -> bool:
    return to_latex(shown(a), {}) == to_latex(shown(b), {})


def _reordered(display: sympy.Basic, value: sympy.Basic) -> bool:
    """Is `value` the display's terms, each as printed, only in sympy's order?"""
    def printed(terms: tuple[sympy.Basic, ...]) -> list[str]:
        return sorted(to_latex(shown(t), {}) for t in terms)
    return printed(Add.make_args(display)) == printed(Add.make_args(value))


def tidy_steps(display: sympy.Basic) -> tuple[list[Step], sympy.Basic]:
    """Labelled simplification lines after a substitution, and the form they end in."""
    steps: list[Step] = []
    current = evaluated(display)
    if not _prints_alike(current, display) and not _reordered(display, current):
        steps.append(Step("d_tidy", shown(current), value=current))
    else:
        current = display
    value = evaluated(current)
    candidates = [sympy.simplify(value), sympy.factor(value)]
    best = min(candidates, key=lambda e: (sympy.count_ops(e), len(str(e))))
    # Only a clear gain: x(x cos x + 2 sin x) for 2x sin x + x² cos x saves one operation
    # and hides the form a teacher writes (and a partial is differentiated again).
    if sympy.count_ops(best) <= sympy.count_ops(value) - SIMPLER and not _prints_alike(
            best, current):
        steps.append(Step("d_simplify", shown(best), value=best))
        current = best
    return steps, current


@dataclass
class Writer:
    """Writes the derivation of one rule tree; `d` is Ddx (d/dx) or Pdx (∂/∂x); `letter`
    names a chain rule's inner function in its sentence (`inner_letter`)."""

    d: type[Ddx]
    letter: str = "u"
    extra: dict[Symbol, sympy.Basic] = field(default_factory=dict)
    pair: tuple[str, str] = ("u", "v")  # the product and quotient rules' letters

    def lhs(self, rule: Rule) -> sympy.Basic:
        return self.d(rule.expr, rule.var)

    def fact(self, rule: Rule) -> Step:
        result = self.result(rule)
        return Step(f"d_{rule.name}", shown(result), lhs=shown(self.lhs(rule)),
                    value=plain(result), params=self.params(rule))

    def result(self, rule: Rule) -> sympy.Basic:
        """d/dx of an elementary rule's expression (a constant multiple multiplied out)."""
        if rule.parts:
            return evaluated(rule.apply([self.result(p) for p in rule.parts]))
        return rule.apply([])

    def params(self, rule: Rule) -> dict[str, sympy.Basic]:
        """The sentence's parameters: the variable differentiated by (a rule such as
        (x^n)' = n x^{n−1} is stated in it), a chain rule's letter and inner function."""
        out = {"x": rule.var, "partial": sympy.Integer(self.d is Pdx)}
        if rule.name == "log_diff":
            return out
        if rule.name == "chain":
            out["letter"] = Symbol(self.letter)
        if rule.name in ("product", "quotient"):
            out["first"], out["second"] = (Symbol(n) for n in self.pair)
        return {**out, **{k: shown(v) for k, v in rule.params.items()}}

    def key(self, rule: Rule) -> str:
        return f"d_chain_{rule.outer}" if rule.name == "chain" else f"d_{rule.name}"

    def derive(self, rule: Rule, label: str = "") -> tuple[list[Block], sympy.Basic]:
        """Blocks of the derivation of d/dx rule.expr, and its final display form."""
        if rule.leaf:
            step = self.fact(rule)
            return [Block("", {}, (step,), layout="annotated")], self.result(rule)
        if rule.name == "log_diff":
            return self.log_diff(rule, label)
        form = rule.form(self.d)
        opened = Step(self.key(rule), shown(form), lhs=shown(self.lhs(rule)), value=plain(form),
                      params=self.params(rule))
        blocks = [Block("", {}, (opened,), layout="annotated")]
        parts, results = self.parts(rule, label)
        blocks += parts
        done = rule.apply(results)
        tidy, final = tidy_steps(done)
        steps = (Step("d_substitute", shown(done), lhs=shown(self.lhs(rule)), value=plain(done)),
                 *tidy)
        blocks.append(Block("d_so", {}, steps, layout="annotated"))
        return blocks, final

    def parts(self, rule: Rule, label: str) -> tuple[list[Block], list[sympy.Basic]]:
        facts = [self.fact(p) for p in rule.parts if p.leaf]
        blocks = [Block("d_where", {}, tuple(facts), layout="annotated")] if facts else []
        results: list[sympy.Basic] = []
        number = 0
        for part in rule.parts:
            if part.leaf:
                results.append(self.result(part))
                continue
            number += 1
            sub = f"{label}.{number}" if label else str(number)
            inner, result = self.derive(part, sub)
            blocks += [Block("d_part", {"label": sub, "what": shown(self.lhs(part))}), *inner]
            results.append(result)
        return blocks, results

    def log_diff(self, rule: Rule, label: str) -> tuple[list[Block], sympy.Basic]:
        """y = h^g: ln y = g ln h, differentiate both sides, then y' = y · (…)."""
        x, f = rule.var, rule.expr
        y, dy = Symbol("y_logdiff"), Symbol("dy_logdiff")
        self.extra.update({y: f, dy: sympy.diff(f, x)})  # what the notation y, y' means
        part = rule.parts[0]
        opened = Step("d_log_diff", shown(self.d(part.expr, x)), lhs=dy / y,
                      value=self.d(part.expr, x), params={"y": y, **self.params(rule)})
        blocks = [Block("d_log_diff", {"y": y, "f": shown(f), "g": shown(rule.params["g"]),
                                       "h": shown(rule.params["h"]), "x": x,
                                       "partial": "1" if self.d is Pdx else "0"},
                        (opened,), extra=dict(self.extra), layout="annotated")]
        if part.leaf:
            fact = self.fact(part)
            blocks.append(Block("d_where", {}, (fact,), layout="annotated"))
            result = self.result(part)
        else:
            sub = f"{label}.1" if label else "1"
            inner, result = self.derive(part, sub)
            blocks += [Block("d_part", {"label": sub, "what": shown(self.d(part.expr, x))}),
                       *inner]
        done = rule.apply([result])
        tidy, final = tidy_steps(done)
        steps = (Step("d_multiply_y", sympy.Mul(y, Paren(shown(result)), evaluate=False), lhs=dy,
                      value=y * plain(result), params={"y": y}),
                 Step("d_substitute", shown(done), value=plain(done)), *tidy)
        blocks.append(Block("d_so", {}, steps, extra=dict(self.extra), layout="annotated"))
        return blocks, final


# The letter for h^g in logarithmic differentiation, and for a chain rule's inner function:
# never the product rule's u, v ("let v = y^y" then "(uv)' = u'v + uv'" names two things v),
# and never each other's.
NOTATION = ("y", "F", "G", "Y")
INNER = ("u", "w", "s", "q")


def inner_letter(variables: list[Symbol]) -> str:
    """The chain rule's "u = x²" letter: one no variable is printed as, since "u = u²"
    for f(u) = sin(u²) would state a falsehood (as the log-differentiation letter does)."""
    own = {to_latex(v, {}) for v in variables}
    return next(n for n in INNER if n not in own)


PAIRS = (("u", "v"), ("p", "q"), ("g", "h"), ("r", "s"), ("a", "b"))


def rule_letters(variables: list[Symbol], function: str = "") -> tuple[str, str]:
    """The letters of the product and quotient rules' (uv)' = u'v + uv': a pair neither of
    which a variable is printed as, nor the function's name; "(uv)' = u'v + uv'" beside a
    function of u and v would give each letter two meanings, as "u = u²" would."""
    own = {to_latex(v, {}) for v in variables} | {function}
    return next(pair for pair in PAIRS if not own & set(pair))


def names(variables: list[Symbol]) -> dict[Symbol, str]:
    """LaTeX of the notation symbols the derivations use, and of the function's variables.
    The letter for h^g is one no variable is printed as: "let y = x^{xy}" with y a variable
    of f would state a falsehood, and the read-back would take the one y for the other."""
    own = {v: to_latex(v, {}) for v in variables}
    letter = next(n for n in NOTATION if n not in own.values())
    return {Symbol("y_logdiff"): letter, Symbol("dy_logdiff"): f"{letter}'", **own}
