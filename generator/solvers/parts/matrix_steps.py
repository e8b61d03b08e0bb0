"""The gradient of a batch model in matrix notation, each line checked entry by entry.

Shapes first, then the forward pass and the loss as matrices, then δ (the gradient with
respect to the logits or predictions), the chain rule ∇_W L = Xᵀδ (δᵀX for softmax) with
the L2 term λW, and ∇_b L = 𝟏ᵀδ. Every line's entries are worked out by matrix arithmetic
from the scalars the graph already has (algebra/matrices.py) and checked against the
scalar graph by the verifier, so a printed matrix product is a verified step.
"""

from __future__ import annotations

import sympy
from sympy import HadamardProduct, Symbol, log

from generator.algebra.functions import sigmoid, softmax
from generator.algebra.matrices import Named, add, mul, shape_tex, sub, t
from generator.algebra.trace import Block, Section, Step
from generator.solvers.parts.matrix_model import Mats, N, scalars


def scale(m: Mats) -> sympy.Expr:
    """The factor of δ: 2/n for mse, 1/n for the others (half_mse's ½ cancels the 2)."""
    return 2 / N if m.fact.loss == "mse" else 1 / N


def delta(m: Mats) -> Named:
    """δ = ∂L/∂ŷ (linear) or ∂L/∂z, ∂L/∂Z: as partials of the scalar nodes."""
    return m.grad(m.P if m.fact.model == "linear" else m.Z, r"\boldsymbol{\delta}"
                  if m.vector else r"\Delta")


def delta_formula(m: Mats) -> sympy.Basic:
    return mul(scale(m), sub(m.P, m.Y))


def affine(m: Mats) -> sympy.Basic:
    """Xw + b𝟏, or XWᵀ + 𝟏bᵀ."""
    if m.vector:
        base = mul(m.X, m.W)
        return base if m.b is None else add(base, mul(m.b.grid[0, 0], m.ones))
    base = mul(m.X, t(m.W))
    return base if m.b is None else add(base, mul(m.ones, t(m.b)))


def weight_formula(m: Mats, d: sympy.Basic) -> sympy.Basic:
    """∇_W L from δ: Xᵀδ (+ λw) or δᵀX (+ λW)."""
    core = mul(t(m.X), d) if m.vector else mul(t(d), m.X)
    return core if m.lam is None else add(core, mul(m.lam, m.W))


def substituted(m: Mats, pred: sympy.Basic) -> sympy.Basic:
    """(c) Xᵀ(ŷ − y) + λw with the factor in front; `pred` may be ŷ or Xw itself."""
    core = mul(scale(m), t(m.X), sub(pred, m.Y))
    return core if m.lam is None else add(core, mul(m.lam, m.W))


def bias_formula(d: sympy.Basic, m: Mats) -> sympy.Basic:
    return mul(t(m.ones), d) if m.vector else mul(t(d), m.ones)


def sum_condition(m: Mats) -> dict[Symbol, sympy.Expr]:
    """Each row of Y sums to 1 (one-hot or a distribution): y_ik = 1 − Σ_{c<k} y_ic."""
    if m.vector:
        return {}
    rows = m.Y.grid.tolist()
    return {row[-1]: 1 - sympy.Add(*row[:-1]) for row in rows}


def _shapes(m: Mats) -> tuple[Block, Block]:
    roles = [("shape_data", m.X), ("shape_weights", m.W), ("shape_target", m.Y),
             ("shape_pred", m.P)]
    if m.b is not None:
        roles.insert(2, ("shape_bias", m.b))
    items = tuple((key, {"name": x.args[0].name, "shape": shape_tex(x)}) for key, x in roles)
    # The sentence and the list apart: a list right under a sentence reads as one line.
    return Block("matrix_shapes", {"n": str(m.fact.n)}), Block("", {}, items=items)


def _loss_line(m: Mats) -> sympy.Basic:
    if m.fact.loss in ("mse", "half_mse"):
        r = sub(m.P, m.Y)
        body = mul((1 if m.fact.loss == "mse" else sympy.Rational(1, 2)) / N, t(r), r)
    elif m.fact.loss == "bce":
        ps = [p for (p,) in m.P.grid.tolist()]
        logp = Named(rf"\log {m.P.args[0].name}", [[log(p)] for p in ps])
        log1p = Named(rf"\log(\mathbf{{1}} - {m.P.args[0].name})", [[log(1 - p)] for p in ps])
        body = mul(-1 / N, add(mul(t(m.Y), logp), mul(t(sub(m.ones, m.Y)), log1p)))
    else:
        logp = Named(rf"\log {m.P.args[0].name}", [[log(p) for p in row]
                                                    for row in m.P.grid.tolist()])
        ones_k = Named(r"\mathbf{1}", [[1]] * m.P.grid.cols)
        body = mul(-1 / N, t(m.ones), HadamardProduct(m.Y, logp), ones_k)
    if m.lam is None:
        return body
    if m.vector:
        return add(body, mul(m.lam / 2, t(m.W), m.W))
    ones_d = Named(r"\mathbf{1}", [[1]] * m.W.grid.cols)
    ones_k = Named(r"\mathbf{1}", [[1]] * m.W.grid.rows)
    return add(body, mul(m.lam / 2, t(ones_k), HadamardProduct(m.W, m.W), ones_d))


def prediction(m: Mats) -> Named:
    """σ(z) or softmax(Z), applied entry by entry (row by row): a name valued by its cells."""
    rows = m.Z.grid.tolist()
    if m.fact.model == "logistic":
        return Named(rf"\sigma({m.Z.args[0].name})", [[sigmoid(z)] for (z,) in rows])
    return Named(rf"\operatorname{{softmax}}({m.Z.args[0].name})",
                 [[softmax(sympy.Integer(c), *row) for c in range(len(row))] for row in rows])


def _forward(m: Mats) -> Block:
    steps = [Step("matrix_definition", affine(m), lhs=m.Z)]
    if m.fact.model != "linear":
        steps.append(Step("matrix_definition", prediction(m), lhs=m.P))
    steps.append(Step("matrix_definition", _loss_line(m), lhs=m.loss))
    return Block(f"matrix_forward_{m.fact.model}", {"shape": shape_tex(m.P)}, tuple(steps),
                 extra=scalars(m))


def model_section(m: Mats) -> Section:
    return Section("matrix_model", (*_shapes(m), _forward(m)))


def gradient_section(m: Mats) -> Section:
    d = delta(m)
    extra = scalars(m)
    cond = sum_condition(m)
    blocks = [Block(f"matrix_delta_{m.fact.model}", {"shape": shape_tex(d)}, (
        Step("matrix_delta", delta_formula(m), lhs=d),), at=cond, extra=extra)]
    grad_w = m.grad(m.W, m.nabla_tex(m.W))
    chain = weight_formula(m, d)
    steps = [Step("matrix_chain_rule", chain, lhs=grad_w)]
    if m.vector:
        steps.append(Step("matrix_substitute", substituted(m, m.P)))
        if m.fact.model == "linear":
            steps.append(Step("matrix_substitute", substituted(m, affine(m))))
    blocks.append(Block("matrix_weights", {"shape": _product_shape(m, d), "weight":
                                           m.W.args[0].name}, tuple(steps), extra=extra))
    if not m.vector:
        blocks.append(Block("matrix_weights_p_minus_y", {}, (
            Step("matrix_substitute", add(mul(scale(m), t(sub(m.P, m.Y)), m.X),
                                          *([mul(m.lam, m.W)] if m.lam is not None else [])),
                 lhs=grad_w),),
            at=cond, extra=extra))
    if m.b is not None:
        grad_b = m.grad(m.b, m.nabla_tex(m.b))
        blocks.append(Block("matrix_bias", {"shape": shape_tex(grad_b), "bias":
                                            m.b.args[0].name}, (
            Step("matrix_chain_rule", bias_formula(d, m), lhs=grad_b),
            Step("matrix_substitute", _bias_substituted(m))), at=cond,
            extra=extra))
    return Section("matrix_gradient", tuple(blocks))


def _product_shape(m: Mats, d: Named) -> str:
    """(d × n)(n × 1) = d × 1: the shapes of the chain rule's product."""
    left, right = (t(m.X), d) if m.vector else (t(d), m.X)
    return rf"({shape_tex(left)})\,({shape_tex(right)}) = {shape_tex(mul(left, right))}"


def _bias_substituted(m: Mats) -> sympy.Basic:
    """(1/n) 𝟏ᵀ(p − y), or (1/n)(P − Y)ᵀ𝟏."""
    r = sub(m.P, m.Y)
    return mul(scale(m), t(m.ones), r) if m.vector else mul(scale(m), t(r), m.ones)
