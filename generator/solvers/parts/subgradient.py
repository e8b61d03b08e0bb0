"""Which subgradient convention a sheet must state: ReLU and leaky ReLU have no derivative
at 0, so wherever the model uses them (a layer or a node written by hand) the sheet says
which value every step and every number takes there."""

from __future__ import annotations

from generator.algebra.functions import leaky_relu, relu
from generator.graph.model import Graph

Note = tuple[str, dict[str, str]]


def subgradient_notes(graph: Graph) -> list[Note]:
    """The `note_*_subgradient` items for the kinks in the graph's nodes, not yet noted."""
    said = {key for key, _ in graph.notes}
    notes: list[Note] = []
    for fn, name in ((relu, "relu"), (leaky_relu, "leaky_relu")):
        key = f"note_{name}_subgradient"
        if key not in said and any(body.has(fn) for body in graph.nodes.values()):
            notes.append((key, {}))
    return notes
