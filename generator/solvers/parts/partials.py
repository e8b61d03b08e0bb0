"""Short derivations of one local partial ∂child/∂var, as the seeds write them."""

from __future__ import annotations

from collections.abc import Mapping

import sympy
from sympy import Add, Derivative, Mul, Pow, Symbol

from generator.algebra.functions import sigmoid, sigmoid_exp, softmax
from generator.algebra.trace import Step

Edge = tuple[Symbol, Symbol]


def sigmoid_prime(z: sympy.Basic) -> sympy.Basic:
    """σ(z)(1 − σ(z)), kept in that order."""
    return Mul(sigmoid(z), Add(1, -sigmoid(z), evaluate=False), evaluate=False)


def sigmoid_prime_exp(z: sympy.Basic) -> sympy.Basic:
    """1/(1+e^{−z}) (1 − 1/(1+e^{−z})): the form seed 002 writes."""
    s = sigmoid_exp(z)
    return Mul(s, Add(1, -s, evaluate=False), evaluate=False)


def softmax_names(nodes: Mapping[Symbol, sympy.Basic]) -> dict[sympy.Basic, Symbol]:
    """Each softmax output under its node's name (softmax₁(z) → p₁)."""
    return {body: sym for sym, body in nodes.items() if isinstance(body, softmax)}


def softmax_prime(body: sympy.Basic, var: Symbol, named: Mapping[sympy.Basic, Symbol]
                  ) -> sympy.Basic | None:
    """∂p_k/∂z_j in the names of the outputs, as a course writes it: p_k(1 − p_k) for
    j = k, otherwise −p_k p_j with the lower index first, −p_1 p_2 for both ∂p_1/∂z_2 and
    ∂p_2/∂z_1, as backprop writes it (never softmax_k(z) beside the p_k it defines)."""
    if not isinstance(body, softmax) or var not in body.args[1:]:
        return None
    zs = body.args[1:]
    p_k = named.get(body)
    p_j = named.get(softmax(sympy.Integer(zs.index(var)), *zs))
    if p_k is None or p_j is None:
        return None
    if p_j == p_k:
        return Mul(p_k, Add(1, -p_k, evaluate=False), evaluate=False)
    first, second = (p_k, p_j) if int(body.args[0]) < zs.index(var) else (p_j, p_k)
    return Mul(-1, first, second, evaluate=False)


def derive(child: Symbol, var: Symbol, body: sympy.Expr, shown: sympy.Expr,
           exp_form: bool, named: Mapping[sympy.Basic, Symbol] | None = None
           ) -> tuple[list[Step], sympy.Basic]:
    """Steps `child = body ⇒ ∂child/∂var = …` and the final display form of the partial;
    `named`: softmax outputs by node name, so their partials are written in those names."""
    steps = [Step("definition", shown, lhs=child)]
    lhs = Derivative(child, var)
    in_names = softmax_prime(body, var, named) if named else None
    if in_names is not None:
        steps.append(Step("local_derivative", in_names, lhs=lhs, relation=r"\Rightarrow"))
        return steps, in_names
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
