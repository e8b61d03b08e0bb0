"""Layer macros expanded into scalar graph nodes, one module per kind of layer.

Each macro also records a note (for the model description) and a family, so a solver
can print alike partial derivatives once with generic indices, as the seed does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.graph.layers.activations import activation
from generator.graph.layers.batch import batch
from generator.graph.layers.conv import conv2d
from generator.graph.layers.dense import dense
from generator.graph.layers.losses import l2, loss
from generator.graph.layers.pool import pool
from generator.spec.layers import L2, Activation, Batch, Conv2d, Dense, Loss, Pool
from generator.spec.source import KeyPath

if TYPE_CHECKING:
    from generator.graph.builder import Builder


def expand(c: Builder, macro: Conv2d | Activation | Dense | Pool | Loss | L2 | Batch,
           keys: KeyPath) -> None:
    if isinstance(macro, Conv2d):
        conv2d(c, macro, keys)
    elif isinstance(macro, Activation):
        activation(c, macro, keys)
    elif isinstance(macro, Dense):
        dense(c, macro, keys)
    elif isinstance(macro, Pool):
        pool(c, macro, keys)
    elif isinstance(macro, Loss):
        loss(c, macro, keys)
    elif isinstance(macro, Batch):
        batch(c, macro, keys)
    else:
        l2(c, macro, keys)
