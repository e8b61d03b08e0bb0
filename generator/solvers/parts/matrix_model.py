"""The matrices of a batch model (graph/batches.py) as Named matrices, with their names.

Vectors print bold (𝐰, 𝐲, 𝐩), matrices upright capitals (X, W, P); every matrix is
valued by the graph's own scalars, so each line built from them is checked entry by
entry against the scalar graph. n and λ are symbols here whose values the blocks carry
(`Block.extra`), so the page says (1/n) and the check uses n = 3.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy import Derivative, ImmutableMatrix, Symbol

from generator.algebra.matrices import Named, column
from generator.graph.batches import BatchFact, HiddenFact
from generator.graph.model import Graph

N = Symbol("n_batch", positive=True)  # printed n; its value is the number of rows


def _base(graph: Graph, symbol: Symbol) -> str:
    """The printed name of an element's array: X_{11} → X, \\hat{y}_{1} → \\hat{y}."""
    return graph.latex[symbol].rsplit("_{", 1)[0]


def _bold(base: str) -> str:
    """A vector's name in bold: w → \\mathbf{w}, \\hat{y} → \\hat{\\mathbf{y}}."""
    if base.startswith(r"\hat{") and base.endswith("}"):
        return rf"\hat{{\mathbf{{{base[5:-1]}}}}}"
    return rf"\mathbf{{{base}}}" if len(base) == 1 else base


@dataclass(frozen=True)
class HiddenMats:
    """A hidden layer's matrices: A = F Vᵀ + 𝟏cᵀ, H = fn(A)."""

    fn: str
    V: Named
    c: Named | None
    A: Named
    H: Named


@dataclass(frozen=True)
class Mats:
    """Each matrix of the model and of its gradient, and the scalars n and λ."""

    fact: BatchFact
    loss: Symbol
    loss_tex: str
    X: Named
    W: Named  # d × 1 column w, or k × d matrix W
    b: Named | None  # k × 1 (k = 1: the scalar bias as a 1 × 1)
    Y: Named
    Z: Named  # logits (linear: the predictions)
    P: Named  # predictions ŷ, p or P
    ones: Named  # n × 1
    lam: sympy.Expr | None
    hidden: tuple[HiddenMats, ...] = ()

    @property
    def F(self) -> Named:
        """What the output layer reads: X, or the last hidden layer's H."""
        return self.hidden[-1].H if self.hidden else self.X

    @property
    def scalar_bias(self) -> sympy.Symbol | None:
        """The bias of a single output (linear, logistic): one number, printed as b, never
        as the 1 × 1 matrix [b] it is in the matrix arithmetic."""
        if self.b is None or not self.vector:
            return None
        bias: Symbol = self.b.grid[0, 0]
        return bias

    def bias_grad(self) -> sympy.Basic:
        """∇_b L arranged like b; ∂L/∂b for a scalar bias."""
        assert self.b is not None
        if self.scalar_bias is not None:
            return Derivative(self.loss, self.scalar_bias)
        return self.grad(self.b, self.nabla_tex(self.b))

    @property
    def vector(self) -> bool:
        """One output per sample (linear, logistic): w, y, p are columns."""
        return self.fact.model != "softmax"

    def grad(self, target: Named, tex: str) -> Named:
        """∂L/∂(each entry of target), arranged like target."""
        rows = [[Derivative(self.loss, s) for s in row] for row in target.grid.tolist()]
        return Named(tex, rows)

    def partial_tex(self, of: Named) -> str:
        return rf"\frac{{\partial {self.loss_tex}}}{{\partial {of.args[0].name}}}"

    def nabla_tex(self, of: Named) -> str:
        return rf"\nabla_{{{of.args[0].name}}} {self.loss_tex}"


def mats(graph: Graph) -> Mats:
    loss = graph.loss
    fact = graph.batches[loss]
    vector = fact.model != "softmax"

    def named(rows: tuple[tuple[Symbol, ...], ...], as_vector: bool) -> Named:
        base = _base(graph, rows[0][0])
        if as_vector:
            return column(_bold(base), [r[0] for r in rows])
        return Named(base, [list(r) for r in rows])

    bias = None
    if fact.bias:
        bias_base = _base(graph, fact.bias[0]) if len(fact.bias) > 1 else graph.latex[
            fact.bias[0]]
        bias = column(_bold(bias_base) if len(fact.bias) > 1 else bias_base, fact.bias)
    pred = named(fact.pred, vector)
    if fact.model == "softmax":
        pred = Named(_base(graph, fact.pred[0][0]).upper(), [list(r) for r in fact.pred])
    return Mats(fact, loss, graph.latex[loss], named(fact.data, False),
                named(fact.weights, vector), bias,
                named(fact.target, vector) if vector else _upper(graph, fact.target),
                named(fact.logits, vector) if vector else _upper(graph, fact.logits),
                pred, column(r"\mathbf{1}", [1] * fact.n), fact.lam,
                tuple(_hidden(graph, h) for h in fact.hidden))


def _upper(graph: Graph, rows: tuple[tuple[Symbol, ...], ...]) -> Named:
    """A matrix of nodes named by the capital of their letter: z_ij → Z, h_ij → H."""
    return Named(_base(graph, rows[0][0]).upper(), [list(r) for r in rows])


def _hidden(graph: Graph, h: HiddenFact) -> HiddenMats:
    bias = None
    if h.bias:
        bias = column(_bold(_base(graph, h.bias[0])), h.bias)
    return HiddenMats(h.fn, Named(_base(graph, h.weights[0][0]), [list(r) for r in h.weights]),
                      bias, _upper(graph, h.pre), _upper(graph, h.act))


def scalars(m: Mats) -> dict[Symbol, sympy.Expr]:
    """The values of the printed scalars: n is the number of samples."""
    return {N: sympy.Integer(m.fact.n)}


def explicit(entries: list[sympy.Basic], like: Named) -> ImmutableMatrix:
    return ImmutableMatrix(like.grid.rows, like.grid.cols, entries)
