"""One solver module per problem kind.

Each module has `validate(spec, graph, source)` (raise SpecErrors for names that do not
fit the kind) and `solve(spec, graph) -> Solution`. Modules load on first use, so a
build only imports the kinds it meets.
"""

from __future__ import annotations

import importlib
from typing import Any

from generator.algebra.trace import Solution
from generator.graph.model import Graph
from generator.spec.models import AnySpec
from generator.spec.source import Source

MODULES = {
    "gradient": "generator.solvers.gradient",
    "sgd_step": "generator.solvers.sgd",
    "self_derivatives": "generator.solvers.derivatives",
    "identity": "generator.solvers.identity",
    "discussion": "generator.solvers.discussion",
    "training": "generator.solvers.training",
}


def _module(kind: str) -> Any:
    return importlib.import_module(MODULES[kind])


def validate(spec: AnySpec, graph: Graph, source: Source) -> None:
    _module(spec.kind).validate(spec, graph, source)


def solve(spec: AnySpec, graph: Graph) -> Solution:
    solution: Solution = _module(spec.kind).solve(spec, graph)
    return solution
