"""Which inputs each convolution weight touches: ∂z_ij/∂w_pq = a_(…) for every output.

With stride and padding the map from weights to inputs stops being obvious (a weight can
skip inputs, or meet only padding zeros), so the solution lists it, each entry checked
as a local partial derivative.
"""

from __future__ import annotations

from sympy import Derivative, Symbol

from generator.algebra.trace import Block, Section, Step
from generator.graph.model import Graph
from generator.spec.models import GradientSpec


def _wanted(spec: GradientSpec) -> bool:
    if spec.display.conv_touches is not None:
        return spec.display.conv_touches
    return any(layer.conv2d is not None and (layer.conv2d.stride > 1
                                             or layer.conv2d.padding != "valid")
               for layer in spec.layers)


def touch_sections(spec: GradientSpec, graph: Graph, params: list[Symbol]) -> list[Section]:
    if not _wanted(spec):
        return []
    padded = "yes" if any(layer.conv2d is not None and layer.conv2d.padding not in ("valid", 0)
                          for layer in spec.layers) else ""
    blocks = []
    for w in params:
        pairs = graph.touches.get(w)
        if not pairs:
            continue
        steps = tuple(Step("local_derivative", x, lhs=Derivative(z, w)) for z, x in pairs)
        blocks.append(Block("conv_touch", {"weight": w, "count": str(len(pairs)),
                                          "padded": padded}, steps,
                            layout="inline"))
    touched = {x for pairs in graph.touches.values() for _, x in pairs}
    for layer in spec.layers:
        found = graph.arrays.get(layer.conv2d.input) if layer.conv2d else None
        missed = [a for _, a in sorted(found.items()) if a not in touched] if found else []
        if blocks and missed:  # a stride larger than the kernel, or valid padding, skips them
            blocks.append(Block("conv_untouched", {
                "inputs": ", ".join(graph.latex[a] for a in missed)}))
    return [Section("conv_touches", tuple(blocks))] if blocks else []
