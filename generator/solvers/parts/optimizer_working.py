"""The arithmetic of an optimizer's state values with numbers (issue 15): each of m, v,
m̂, v̂ (G, s, v of momentum, g̃ of L2) as a TA writes it, `m = 0.9·(−0.0424323) +
0.1·(−0.19019) ≈ −0.0572084`, `m̂ = −0.0572084/(1 − 0.9²) ≈ −0.301097`.

The numbers line means the optimizer's formula (optimizers.state_formula) at the exact
values the verifier gives each name, so it is checked against the state value's own
meaning (optimizers.update over sympy's derivative) at 40 digits; the value line is checked
as the rounding of it, as every `≈` line of a training sheet.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy
from sympy import Add, Mul, Pow, Symbol

from generator.algebra.notation import Frac, Paren
from generator.algebra.numbers import as_decimal, evaluated, substitute
from generator.algebra.trace import Step
from generator.solvers.parts import optimizers
from generator.solvers.parts.sample_steps import value_step


class Working:
    """The numbers lines of one parameter's update t."""

    def __init__(self, settings: optimizers.Settings, t: int, theta_shown: sympy.Basic,
                 theta: sympy.Basic) -> None:
        self.settings, self.t = settings, t
        self.theta_shown, self.theta = theta_shown, theta

    def lines(self, rule: str, lhs: Symbol, key: str, syms: Mapping[str, Symbol],
              printed: Mapping[Symbol, sympy.Basic], before_shown: sympy.Basic,
              meaning: sympy.Basic,
              result: tuple[sympy.Basic, sympy.Basic, int]) -> list[Step]:
        """lhs = the formula with numbers in it, then = / ≈ its value (`meaning`: what lhs
        means, `self.meaning`; `result`: the run's value, the exact one, the decimals
        shown)."""
        line, consts = optimizers.state_formula(self.settings, self.t, key, dict(syms))
        reads = syms["g"]  # g̃ after L2, else ḡ: what the state value reads
        shown = {**{c: as_decimal(v) for c, v in consts.items()},
                 optimizers.PREV: before_shown, optimizers.GRAD: printed[reads],
                 optimizers.THETA: self.theta_shown,
                 **{s: printed[s] for s in syms.values() if s in printed}}
        terms = set(line.args) if isinstance(line, sympy.Add) else set()
        # A negative number added is bracketed, + (−0.38865); a product brackets its own.
        numbers = substitute(line, {k: Paren(v) if k in terms and v.is_Number and v < 0
                                    else v for k, v in shown.items()}, shown=True)
        value, exact, places = result
        return [Step(rule, numbers, lhs=lhs, value=meaning),
                value_step("arithmetic", None, value, exact, places)]

    def meaning(self, key: str, syms: Mapping[str, Symbol], before: sympy.Basic,
                extra: Mapping[Symbol, sympy.Basic]) -> sympy.Basic:
        """What the new state value means: the formula over the exact meanings of what it
        reads. optimizers.update gives the same number, rounded once more at the run's
        precision (λθ, a Float product), so the two differ in the 42nd digit; built as
        the line is, they are equal, and the run's value is checked as the rounding."""
        line, consts = optimizers.state_formula(self.settings, self.t, key, dict(syms))
        # Evaluated: an unevaluated tree is evaluated piecemeal wherever the verifier's
        # xreplace rebuilds it, and the lhs and the line would round in different places.
        return evaluated(substitute(line, {**consts, optimizers.PREV: before,
                                 optimizers.GRAD: extra[syms["g"]],
                                 optimizers.THETA: self.theta,
                                 **{s: extra[s] for s in syms.values() if s in extra}}))


def rate_line(s: optimizers.Settings, t: int) -> tuple[sympy.Basic, sympy.Basic] | None:
    """η_t with its numbers as Step 1's schedule writes it, `0.1·(1 + cos(π/4))/2` or
    `0.1·0.5²`, and its exact value; None at an update where η_t is η itself."""
    assert s.schedule is not None
    kind, k, c = s.schedule
    lr, eta_min = Symbol("opt_const_eta"), Symbol("opt_const_eta_min")
    if kind == "step":
        if (t - 1) // k == 0:
            return None
        gamma = Symbol("opt_const_gamma")
        power = gamma if (t - 1) // k == 1 else Pow(gamma, (t - 1) // k, evaluate=False)
        line: sympy.Basic = Mul(lr, power, evaluate=False)
        values = {lr: s.lr, gamma: c}
    else:
        if t == 1:
            return None
        turn = sympy.Rational(t - 1, k)  # π/4, 3π/4: as a course writes the angle
        angle = Frac(sympy.pi if turn.p == 1 else Mul(turn.p, sympy.pi, evaluate=False),
                     turn.q) if turn.q != 1 else Mul(turn.p, sympy.pi, evaluate=False)
        half = Frac(Add(1, sympy.cos(angle, evaluate=False), evaluate=False), 2)
        line = Mul(lr, half, evaluate=False) if c == 0 else Add(eta_min, Mul(
            Paren(Add(lr, Mul(-1, eta_min, evaluate=False), evaluate=False)), half,
            evaluate=False), evaluate=False)
        values = {lr: s.lr, eta_min: c}
    shown = substitute(line, {k_: as_decimal(v) for k_, v in values.items()}, shown=True)
    # Its value without the display's fractions (Frac evaluates through floats).
    plain = substitute(line, values).replace(lambda e: isinstance(e, Frac | Paren),
                                             lambda e: e.args[0] / e.args[1]
                                             if isinstance(e, Frac) else e.args[0])
    return shown, evaluated(plain)
