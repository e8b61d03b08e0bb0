"""The computation graph as data: named scalar nodes over leaves (inputs, params, constants).

`compiler.py` builds it from a spec; solvers and the verifier only ever see
`node = expression` over earlier names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy
from sympy import Symbol

from generator.graph.batches import BatchFact
from generator.limits import LimitError

MAX_PATHS = 10_000
_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "eta", "theta", "lambda", "mu", "sigma",
          "tau", "phi", "psi", "omega", "rho", "xi", "nu", "kappa", "zeta", "chi", "iota"}


def default_latex(name: str) -> str:
    """`w11` → w_{11}, `yhat` → \\hat{y}, `alpha` → \\alpha, `MSE` → \\mathrm{MSE}."""
    printed: str = sympy.latex(Symbol(name))
    if printed == name and len(name) > 1 and name.isalpha() and name.lower() not in _GREEK:
        return rf"\mathrm{{{name}}}"
    return printed


@dataclass(frozen=True)
class Family:
    """Nodes made by one `for:` or layer: printed once with generic indices when alike."""

    key: str
    generic: Symbol
    members: tuple[Symbol, ...]


@dataclass
class Graph:
    names: dict[str, Symbol] = field(default_factory=dict)
    latex: dict[Symbol, str] = field(default_factory=dict)
    roles: dict[Symbol, str] = field(default_factory=dict)
    nodes: dict[Symbol, sympy.Expr] = field(default_factory=dict)  # topological order
    display: dict[Symbol, sympy.Expr] = field(default_factory=dict)  # author's term order
    constants: dict[Symbol, sympy.Expr] = field(default_factory=dict)
    family: dict[Symbol, Family] = field(default_factory=dict)
    notes: list[tuple[str, tuple[Symbol, ...]]] = field(default_factory=list)
    arrays: dict[str, dict[tuple[int, ...], Symbol]] = field(default_factory=dict)
    lines: dict[Symbol, int] = field(default_factory=dict)
    # conv kernel weight → the (output, input) pairs it multiplies, for "which inputs it touches"
    touches: dict[Symbol, list[tuple[Symbol, Symbol]]] = field(default_factory=dict)
    # dense weight matrix name → (outputs z_r, inputs x_j): shown as ∇W = δ xᵀ
    matrices: dict[str, tuple[tuple[Symbol, ...], tuple[Symbol, ...]]] = field(
        default_factory=dict)
    # softmax outputs p_k → (position, logits); loss nodes → (kind, targets, predictions)
    softmax: dict[Symbol, tuple[int, tuple[Symbol, ...]]] = field(default_factory=dict)
    losses: dict[Symbol, tuple[str, tuple[Symbol, ...], tuple[Symbol, ...]]] = field(
        default_factory=dict)
    # constants that are an mse loss's number of samples (n = 1 in HW 1-3): said so on the sheet
    sample_counts: set[Symbol] = field(default_factory=set)
    # nodes written under `nodes:` (not made by a layer): no layer note describes them
    written: set[Symbol] = field(default_factory=set)
    # loss node of a `batch` layer → its matrices (graph/batches.py), for `form: matrix`
    batches: dict[Symbol, BatchFact] = field(default_factory=dict)
    loss: Symbol = field(default_factory=lambda: Symbol("L"))
    _full: dict[Symbol, sympy.Expr] = field(default_factory=dict)

    def leaves(self, role: str) -> list[Symbol]:
        return [s for s, r in self.roles.items() if r == role]

    def deps(self, node: Symbol) -> list[Symbol]:
        """Direct inputs of a node, in a stable order."""
        free = self.nodes[node].free_symbols
        return sorted((s for s in free if isinstance(s, Symbol)), key=lambda s: s.name)

    def inline(self, expr: sympy.Basic) -> sympy.Basic:
        """Replace every node by its definition, down to leaves."""
        if not self._full:
            for node, body in self.nodes.items():
                self._full[node] = body.xreplace(self._full)
        return expr.xreplace(self._full)

    def inline_above(self, expr: sympy.Basic, keep: Symbol) -> sympy.Basic:
        """Inline nodes but treat `keep` as an independent variable (for ∂expr/∂keep)."""
        full: dict[Symbol, sympy.Expr] = {}
        for node, body in self.nodes.items():
            if node != keep:
                full[node] = body.xreplace(full)
        return expr.xreplace(full)

    def paths(self, top: Symbol, var: Symbol) -> list[tuple[Symbol, ...]]:
        """Every path top → … → var through direct dependencies (top first)."""
        out: list[tuple[Symbol, ...]] = []

        def walk(path: tuple[Symbol, ...]) -> None:
            if len(out) > MAX_PATHS:
                raise LimitError(f"more than {MAX_PATHS} chain-rule paths from {top} to {var}")
            here = path[-1]
            if here == var:
                out.append(path)
                return
            if here in self.nodes:
                for d in self.deps(here):
                    walk((*path, d))

        walk((top,))
        return out


def element_name(base: str, index: tuple[int, ...]) -> str:
    if all(0 <= i <= 9 for i in index):
        return base + "".join(map(str, index))
    return base + "".join(f"_{i}" for i in index)
