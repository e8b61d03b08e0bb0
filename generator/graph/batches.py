"""What a `batch` layer made, kept on the graph for the matrix form of its gradient.

The layer (layers/batch.py) expands the model into scalar nodes like every macro; this
record says which scalars are the entries of which matrix, so a solver can write
∇_w L = (1/n) Xᵀ(Xw − y) and check it entry by entry against those nodes.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy import Symbol

Rows = tuple[tuple[Symbol, ...], ...]


@dataclass(frozen=True)
class HiddenFact:
    """A hidden layer: A = F Vᵀ + 𝟏cᵀ, H = fn(A), F the layer below (X first)."""

    fn: str  # sigma | tanh | relu
    names: dict[str, str]  # weights, bias, pre, out → name
    weights: Rows  # V, h × d
    bias: tuple[Symbol, ...]
    pre: Rows  # A, n × h
    act: Rows  # H, n × h


@dataclass(frozen=True)
class BatchFact:
    model: str  # linear | logistic | softmax
    loss: str  # mse | half_mse | bce | ce
    names: dict[str, str]  # role (data, weights, bias, target, pred, logits) → name
    data: Rows  # X, n × d
    weights: Rows  # d × 1 (linear, logistic: the column w) or k × d (softmax: W)
    bias: tuple[Symbol, ...]  # (), (b,) or b_1 … b_k
    target: Rows  # n × 1 or n × k
    logits: Rows  # n × 1 or n × k: z (linear: the predictions themselves)
    pred: Rows  # n × 1 or n × k: ŷ, p or P
    lam: sympy.Expr | None  # λ of (λ/2)‖w‖², None without an L2 term
    line: int  # the layer's line, for errors about it
    hidden: tuple[HiddenFact, ...] = ()

    @property
    def n(self) -> int:
        return len(self.data)
