"""Every problem kind, by its `kind:` value: the one place that lists them.

A kind module defines `KIND` (generator/solvers/kind.py); modules load on first use,
so a build only imports the kinds it meets. Adding a kind adds one line here
(docs/design.md, "Adding a problem kind").
"""

from __future__ import annotations

import importlib
from typing import Any

from generator.algebra.trace import Solution
from generator.errors import SpecError, SpecErrors
from generator.graph.model import Graph
from generator.solvers.kind import Kind, Variants
from generator.spec.models import AnySpec
from generator.spec.source import Source
from generator.spec.vary import Draw

MODULES = {
    "gradient": "generator.solvers.gradient",
    "sgd_step": "generator.solvers.sgd",
    "self_derivatives": "generator.solvers.derivatives",
    "identity": "generator.solvers.identity",
    "discussion": "generator.solvers.discussion",
    "training": "generator.solvers.training",
    "derivative": "generator.solvers.differentiation",
    "partials": "generator.solvers.partial_derivatives",
}


def kind(spec: AnySpec) -> Kind[Any]:
    found: Kind[Any] = importlib.import_module(MODULES[spec.kind]).KIND
    return found


def graph(spec: AnySpec, source: Source) -> Graph:
    return kind(spec).graph(spec, source)


def validate(spec: AnySpec, graph: Graph, source: Source) -> None:
    _refuse_vary(spec, source)
    kind(spec).validate(spec, graph, source)


def solve(spec: AnySpec, graph: Graph) -> Solution:
    solution: Solution = kind(spec).solve(spec, graph)
    return solution


def variants(spec: AnySpec) -> Variants[Any]:
    """The variant hooks of a kind that has variants (validation refused `vary:` otherwise)."""
    hooks = kind(spec).variants
    if hooks is None:
        raise TypeError(f"kind {spec.kind} has no variants")
    return hooks


def vary(spec: AnySpec) -> dict[str, Draw]:
    """The file's `vary:`, or nothing for a kind without variants."""
    hooks = kind(spec).variants
    return hooks.vary(spec) if hooks is not None else {}


def _refuse_vary(spec: AnySpec, source: Source) -> None:
    # `vary:`/`where:` belong to the shared graph model, so a graph kind without variant
    # hooks reads them too; refuse them here rather than crash under --variants.
    if kind(spec).variants is not None:
        return
    with_variants = ", ".join(k for k in MODULES if _has_variants(k))
    errors = [SpecError(source.at((key,)), f"kind {spec.kind} has no variants",
                        f"remove {key}: (variants are drawn for {with_variants} problems)")
              for key in ("vary", "where") if getattr(spec, key, None)]
    if errors:
        raise SpecErrors(errors)


def _has_variants(name: str) -> bool:
    return importlib.import_module(MODULES[name]).KIND.variants is not None
