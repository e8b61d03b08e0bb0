"""Short derivations of one local partial ∂child/∂var, as the seeds write them."""

from __future__ import annotations

import sympy
from sympy import Add, Derivative, Mul, Pow, Symbol

from generator.algebra.functions import sigmoid, sigmoid_exp
from generator.algebra.trace import Step

Edge = tuple[Symbol, Symbol]


def sigmoid_prime(z: sympy.Basic) -> sympy.Basic:
    """σ(z)(1 − σ(z)), kept in that order."""
    return Mul(sigmoid(z), Add(1, -sigmoid(z), evaluate=False), evaluate=False)


def sigmoid_prime_exp(z: sympy.Basic) -> sympy.Basic:
    """1/(1+e^{−z}) (1 − 1/(1+e^{−z})): the form seed 002 writes."""
    s = sigmoid_exp(z)
    return Mul(s, Add(1, -s, evaluate=False), evaluate=False)


def derive(child: Symbol, var: Symbol, body: sympy.Expr, shown: sympy.Expr,
           exp_form: bool) -> tuple[list[Step], sympy.Basic]:
    """Steps `child = body ⇒ ∂child/∂var = …` and the final display form of the partial."""
    steps = [Step("definition", shown, lhs=child)]
    lhs = Derivative(child, var)
    if isinstance(body, sigmoid) and body.args[0] == var:
        steps.append(Step("sigmoid_derivative", Derivative(body, var), lhs=lhs,
                          relation=r"\Rightarrow"))
        final = sigmoid_prime(var)
        steps.append(Step("sigmoid_prime", final))
        if exp_form:
            steps.append(Step("rewrite_exp", sigmoid_prime_exp(var)))
        return steps, final
    power = _single_power(shown, var)
    if power is not None:
        return _power_rule(child, var, shown, power, steps)
    local = sympy.diff(body, var)
    steps.append(Step("local_derivative", local, lhs=lhs, relation=r"\Rightarrow"))
    return steps, local


def _single_power(shown: sympy.Expr, var: Symbol) -> Pow | None:
    """The factor u^k (k ≥ 2, u depending on var) of c·u^k, when it is the only such factor."""
    factors = Mul.make_args(shown)
    powers = [a for a in factors if isinstance(a, Pow) and a.exp.is_Integer and a.exp > 1
              and var in a.base.free_symbols]
    if len(powers) != 1:
        return None
    others = [f for f in factors if f is not powers[0]]
    return powers[0] if all(var not in f.free_symbols for f in others) else None


def _power_rule(child: Symbol, var: Symbol, shown: sympy.Expr, power: Pow,
                steps: list[Step]) -> tuple[list[Step], sympy.Basic]:
    """c·u^k ⇒ k·c·u^{k−1} · ∂u/∂var, then the tidy result."""
    coeff = sympy.Mul(*[a for a in Mul.make_args(shown) if a is not power])
    u, k = power.base, power.exp
    lead = Pow(u, k - 1, evaluate=False) if k > 2 else u
    outer = _scaled(k * coeff, lead)
    inner = sympy.diff(u, var)
    steps.append(Step("chain_rule_inner", Mul(outer, Derivative(u, var), evaluate=False),
                      lhs=Derivative(child, var), relation=r"\Rightarrow"))
    steps.append(Step("differentiate_inner", Mul(outer, inner, evaluate=False)))
    final = _scaled(k * coeff * inner, lead)
    steps.append(Step("simplify", final))
    return steps, final


def _scaled(coefficient: sympy.Expr, factor: sympy.Expr) -> sympy.Expr:
    """coefficient · factor kept as written (not multiplied out), without a printed `1 (…)`:
    ½(h − y)² gives h − y, not 1 (h − y)."""
    if coefficient == 1:
        return factor
    return Mul(coefficient, factor, evaluate=False)
