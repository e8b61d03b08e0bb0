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

from generator.algebra.functions import relu, sigmoid, softmax, step
from generator.algebra.matrices import Named, add, mul, shape_tex, sub, t
from generator.algebra.trace import Block, Section, Step
from generator.solvers.parts.matrix_model import HiddenMats, Mats, N, scalars

FN = {"sigma": sigmoid, "tanh": sympy.tanh, "relu": relu}


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
    """Xw + b𝟏, or XWᵀ + 𝟏bᵀ (H for X above a hidden layer)."""
    if m.vector:
        base = mul(m.F, m.W)
        return base if m.b is None else add(base, mul(m.b.grid[0, 0], m.ones))
    return _layer(m.F, m.W, m.b, m.ones)


def _layer(below: Named, weights: Named, bias: Named | None, ones: Named) -> sympy.Basic:
    base = mul(below, t(weights))
    return base if bias is None else add(base, mul(ones, t(bias)))


def weight_formula(m: Mats, d: sympy.Basic) -> sympy.Basic:
    """∇_W L from δ: Xᵀδ (+ λw) or δᵀX (+ λW)."""
    core = mul(t(m.F), d) if m.vector else mul(t(d), m.F)
    return core if m.lam is None else add(core, mul(m.lam, m.W))


def substituted(m: Mats, pred: sympy.Basic) -> sympy.Basic:
    """(c) Xᵀ(ŷ − y) + λw with the factor in front; `pred` may be ŷ or Xw itself."""
    core = mul(scale(m), t(m.F), sub(pred, m.Y))
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
        roles.insert(2, ("shape_bias_scalar" if m.scalar_bias is not None else "shape_bias",
                         m.b))
    for h in m.hidden:
        roles[1:1] = [("shape_hidden_weights", h.V),
                      *([("shape_hidden_bias", h.c)] if h.c is not None else []),
                      ("shape_hidden", h.H)]
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
    squares = [_squares(h.V) for h in m.hidden]
    squares.append(mul(t(m.W), m.W) if m.vector else _squares(m.W))
    if len(squares) == 1:  # (λ/2) wᵀw, no bracket around one term
        return add(body, mul(m.lam / 2, *squares[0].args))
    return add(body, mul(m.lam / 2, add(*squares)))


def _squares(w: Named) -> sympy.Basic:
    """The sum of the squared entries of a matrix: 𝟏ᵀ(W ∘ W)𝟏."""
    ones_d = Named(r"\mathbf{1}", [[1]] * w.grid.cols)
    ones_k = Named(r"\mathbf{1}", [[1]] * w.grid.rows)
    return mul(t(ones_k), HadamardProduct(w, w), ones_d)


def prediction(m: Mats) -> Named:
    """σ(z) or softmax(Z), applied entry by entry (row by row): a name valued by its cells."""
    rows = m.Z.grid.tolist()
    if m.fact.model == "logistic":
        return Named(rf"\sigma({m.Z.args[0].name})", [[sigmoid(z)] for (z,) in rows])
    return Named(rf"\operatorname{{softmax}}({m.Z.args[0].name})",
                 [[softmax(sympy.Integer(c), *row) for c in range(len(row))] for row in rows])


def activation(h: HiddenMats) -> Named:
    """fn(A) entry by entry, e.g. tanh(A)."""
    fn = FN[h.fn]
    name = {"sigma": r"\sigma", "tanh": r"\tanh", "relu": r"\operatorname{relu}"}[h.fn]
    return Named(rf"{name}({h.A.args[0].name})", [[fn(a) for a in row]
                                                   for row in h.A.grid.tolist()])


def slope(h: HiddenMats) -> Named:
    """fn'(A) entry by entry, in the activations: H ∘ (1 − H), 1 − H ∘ H, 𝟙[A > 0]."""
    hs, big = h.H.grid.tolist(), h.H.args[0].name
    if h.fn == "sigma":
        return Named(rf"{big} \circ (1 - {big})", [[v * (1 - v) for v in r] for r in hs])
    if h.fn == "tanh":
        return Named(rf"(1 - {big} \circ {big})", [[1 - v ** 2 for v in r] for r in hs])
    return Named(rf"\mathbb{{1}}[{h.A.args[0].name} > 0]",
                 [[step(a) for a in r] for r in h.A.grid.tolist()])


def hidden_forward(m: Mats) -> list[tuple[Named, sympy.Basic]]:
    """(A, F Vᵀ + 𝟏cᵀ) and (H, fn(A)) for each hidden layer, from the input up."""
    out: list[tuple[Named, sympy.Basic]] = []
    below = m.X
    for h in m.hidden:
        out += [(h.A, _layer(below, h.V, h.c, m.ones)), (h.H, activation(h))]
        below = h.H
    return out


def hidden_backward(m: Mats, d: Named) -> list[tuple[HiddenMats, list[tuple[sympy.Basic,
                                                                           sympy.Basic]]]]:
    """Per hidden layer, top down: (∂L/∂H, upstream), (∂L/∂A, ∂L/∂H ∘ fn'(A)),
    (∇V, (∂L/∂A)ᵀF + λV) and (∇c, (∂L/∂A)ᵀ𝟏) as (lhs, rhs) pairs."""
    out = []
    upstream: sympy.Basic = mul(d, t(m.W)) if m.vector else mul(d, m.W)
    for i in reversed(range(len(m.hidden))):
        h = m.hidden[i]
        below = m.hidden[i - 1].H if i else m.X
        grad_h = m.grad(h.H, m.partial_tex(h.H))
        grad_a = m.grad(h.A, m.partial_tex(h.A))
        grad_v = mul(t(grad_a), below)
        pairs = [(grad_h, upstream), (grad_a, HadamardProduct(grad_h, slope(h))),
                 (m.grad(h.V, m.nabla_tex(h.V)), grad_v if m.lam is None else add(
                     grad_v, mul(m.lam, h.V)))]
        if h.c is not None:
            pairs.append((m.grad(h.c, m.nabla_tex(h.c)), mul(t(grad_a), m.ones)))
        out.append((h, pairs))
        upstream = mul(grad_a, h.V)
    return out


def _forward(m: Mats) -> Block:
    steps = [Step("matrix_definition", rhs, lhs=lhs) for lhs, rhs in hidden_forward(m)]
    steps.append(Step("matrix_definition", affine(m), lhs=m.Z))
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
            Step("matrix_substitute", add(mul(scale(m), t(sub(m.P, m.Y)), m.F),
                                          *([mul(m.lam, m.W)] if m.lam is not None else [])),
                 lhs=grad_w),),
            at=cond, extra=extra))
    if m.b is not None:
        grad_b = m.bias_grad()
        shape = "" if m.scalar_bias is not None else shape_tex(m.b)  # "": "a scalar"
        linear = "1" if m.fact.model == "linear" else ""  # δ is ∂L/∂ŷ, not ∂L/∂z
        blocks.append(Block("matrix_bias", {"shape": shape, "bias": m.b.args[0].name,
                                            "linear": linear}, (
            Step("matrix_chain_rule", bias_formula(d, m), lhs=grad_b),
            Step("matrix_substitute", _bias_substituted(m))), at=cond,
            extra=extra))
    for h, pairs in hidden_backward(m, d):
        blocks.append(Block("matrix_hidden", {"weight": h.V.args[0].name, "fn": h.fn}, tuple(
            Step("matrix_chain_rule", rhs, lhs=lhs) for lhs, rhs in pairs), extra=extra))
    return Section("matrix_gradient", tuple(blocks))


def _product_shape(m: Mats, d: Named) -> str:
    """(d × n)(n × 1) = d × 1: the shapes of the chain rule's product."""
    left, right = (t(m.X), d) if m.vector else (t(d), m.X)
    return rf"({shape_tex(left)})\,({shape_tex(right)}) = {shape_tex(mul(left, right))}"


def _bias_substituted(m: Mats) -> sympy.Basic:
    """(1/n) 𝟏ᵀ(p − y), or (1/n)(P − Y)ᵀ𝟏."""
    r = sub(m.P, m.Y)
    return mul(scale(m), t(m.ones), r) if m.vector else mul(scale(m), t(r), m.ones)
