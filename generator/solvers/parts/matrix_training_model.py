"""Which training models `form: matrix` can write: linear or logistic regression per sample.

A `kind: training` model is a scalar graph of one sample (ŷ = w₁x₁ + w₂x₂ + b). Stacking
the samples of a batch as rows makes it ŷ = Xw + b𝟏; that is only true when the
prediction is an affine function of the inputs with one weight per input (or σ of one)
and the loss is a squared error (or binary cross-entropy) plus at most (λ/2)Σw². This
module finds those pieces in the graph, by sympy on the inlined expressions, and says
in plain words what is missing when a model is not of that form.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy import Symbol

from generator.algebra.functions import sigmoid
from generator.errors import SpecError
from generator.graph.model import Graph
from generator.spec.models import TrainingSpec
from generator.spec.source import Source

HINT = ("form: matrix writes linear regression ŷ = w₁x₁ + … + b with an mse loss, or "
        "logistic regression p = σ(w₁x₁ + … + b) with bce, plus an optional l2 layer; "
        "remove `form: matrix` for any other model")


class NotMatrix(Exception):
    """The model has no matrix form: the message says which part, for `form:`."""


@dataclass(frozen=True)
class LinearModel:
    weights: tuple[Symbol, ...]  # params that multiply an input, in declaration order
    columns: tuple[Symbol, ...]  # the input each weight multiplies: X's columns
    bias: Symbol | None
    target: Symbol
    pred: Symbol  # the loss's prediction node: ŷ, or p = σ(z)
    logistic: bool
    scale: sympy.Rational  # δ = (scale/n)(ŷ − y): 2k for k(y − ŷ)², 1 for bce
    lam: sympy.Rational  # of (λ/2)Σw² over the weights; 0 without a penalty
    data_loss: sympy.Expr  # the per-sample loss without the penalty, over pred and target

    @property
    def params(self) -> tuple[Symbol, ...]:
        return (*self.weights, *([self.bias] if self.bias is not None else []))


def recognize(graph: Graph) -> LinearModel:
    """The model's pieces, or NotMatrix naming the first that does not fit."""
    kind, node, target, pred = _loss_layer(graph)
    consts = dict(graph.constants)
    inner = graph.inline(pred).xreplace(consts)
    logistic = isinstance(inner, sigmoid)
    if (kind == "bce") != logistic:
        raise NotMatrix(f"a {kind} loss on {'σ(…)' if logistic else 'an affine'} prediction "
                        f"{pred.name} has no matrix form here")
    weights, columns, bias = _affine(graph, inner.args[0] if logistic else inner, target)
    body = graph.nodes[node].xreplace(consts)
    if kind == "mse":
        k = sympy.diff(body, pred, 2) / 2
        if not (k.is_Rational and k > 0) or sympy.expand(body - k * (pred - target) ** 2) != 0:
            raise NotMatrix(f"the loss {node.name} is not a multiple of (y − ŷ)²")
        scale = sympy.Rational(2 * k)
    else:
        scale = sympy.Integer(1)
    lam = _penalty(graph, node, weights, bias)
    return LinearModel(weights, columns, bias, target, pred, logistic, scale, lam, body)


def _loss_layer(graph: Graph) -> tuple[str, Symbol, Symbol, Symbol]:
    found = [(node, rec) for node, rec in graph.losses.items()
             if node == graph.loss or node in _below(graph, graph.loss)]
    if len(found) != 1:
        raise NotMatrix("the loss needs exactly one `loss:` layer (mse or bce)")
    node, (kind, targets, preds) = found[0]
    if kind not in ("mse", "bce") or len(targets) != 1 or len(preds) != 1:
        raise NotMatrix(f"the loss layer {node.name} is {kind} over {len(preds)} "
                        "prediction(s); one mse or bce prediction is needed")
    target, pred = targets[0], preds[0]
    if graph.roles.get(target) != "input" or pred not in graph.nodes:
        raise NotMatrix(f"the loss layer {node.name} needs an input as target and a node "
                        "as prediction")
    return kind, node, target, pred


def _below(graph: Graph, node: Symbol) -> set[Symbol]:
    """Every node the loss is built from (its body names them before inlining)."""
    seen: set[Symbol] = set()
    todo = [node]
    while todo:
        for dep in graph.nodes.get(todo.pop(), sympy.Integer(0)).free_symbols:
            if isinstance(dep, Symbol) and dep in graph.nodes and dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return seen


def _affine(graph: Graph, z: sympy.Expr, target: Symbol
            ) -> tuple[tuple[Symbol, ...], tuple[Symbol, ...], Symbol | None]:
    """z = Σ wⱼxⱼ + b: each param's coefficient is one input (a weight) or 1 (the bias)."""
    weights, columns, bias = [], [], None
    inputs = set(graph.leaves("input")) - {target}
    for q in graph.leaves("param"):
        c = sympy.diff(z, q)
        if c == 1 and bias is None:
            bias = q
        elif isinstance(c, Symbol) and c in inputs and c not in columns:
            weights.append(q)
            columns.append(c)
        else:
            raise NotMatrix(f"the prediction is not w₁x₁ + … + b in the param {q.name} "
                            f"(its coefficient is {c})")
    rest = sympy.expand(z - sum((w * x for w, x in zip(weights, columns, strict=True)),
                                sympy.Integer(0)) - (bias if bias is not None else 0))
    if rest != 0 or not weights:
        raise NotMatrix(f"the prediction has a part {rest} outside w₁x₁ + … + b")
    return tuple(weights), tuple(columns), bias


def _penalty(graph: Graph, node: Symbol, weights: tuple[Symbol, ...],
             bias: Symbol | None) -> sympy.Rational:
    """λ of loss = data loss + (λ/2)Σw² over every weight and not the bias."""
    consts = dict(graph.constants)
    rest = sympy.expand(graph.inline(graph.loss).xreplace(consts)
                        - graph.inline(node).xreplace(consts))
    if rest == 0:
        return sympy.Integer(0)
    lam = 2 * rest.coeff(weights[0], 2)
    expected = lam / 2 * sympy.Add(*[w ** 2 for w in weights])
    if not lam.is_Rational or sympy.expand(rest - expected) != 0:
        raise NotMatrix(f"the loss adds {rest} to {node.name}; only (λ/2)Σw² over every "
                        "weight (an l2 layer) has a matrix form")
    return sympy.Rational(lam)


def problems(spec: TrainingSpec, graph: Graph, source: Source) -> list[SpecError]:
    """What stops `form: matrix`: a model without a matrix form, an optimizer it does not
    write (plain SGD and momentum only), each at its key."""
    errors = []
    try:
        recognize(graph)
    except NotMatrix as exc:
        errors.append(SpecError(source.at(("form",)), f"no matrix form for this model: {exc}",
                                HINT))
    for key, used in (("optimizer", spec.optimizer != "sgd"),
                      ("weight_decay", bool(spec.weight_decay)),
                      ("schedule", spec.schedule is not None)):
        if used:
            errors.append(SpecError(source.at((key,)), "form: matrix writes plain gradient "
                                    f"descent or momentum; `{key}:` has no matrix form here",
                                    "use `momentum:` (or none), or remove `form: matrix`; "
                                    "for weight decay use an l2 layer"))
    return errors
