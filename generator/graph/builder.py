"""What a layer macro may do to the graph being built: the `Builder` protocol.

Layer macros (`layers/`) are written against this protocol rather than against the
compiler class, so the compiler can import them without the macros importing it back.
"""

from __future__ import annotations

from typing import Protocol

import sympy
from sympy import Symbol

from generator.graph.model import Graph
from generator.spec.models import GraphSpec
from generator.spec.source import KeyPath


class Builder(Protocol):
    """A graph under construction, with the spec it comes from and its error list."""

    spec: GraphSpec
    g: Graph

    def fail(self, keys: KeyPath, message: str, hint: str = "") -> None:
        """Record an error at the line of `keys`; the build goes on to collect more."""

    def parse(self, text: object, keys: KeyPath) -> sympy.Expr | None:
        """An expression over the names declared so far, or None after `fail`."""

    def add_node(self, name: str, body: sympy.Expr, keys: KeyPath,
                 display: sympy.Expr | None = None, latex: str | None = None) -> Symbol:
        """Declare a node `name = body` (shown as `display` when given)."""
