"""Layer macros expanded into scalar graph nodes, one module per kind of layer.

Each macro also records a note (for the model description) and a family, so a solver
can print alike partial derivatives once with generic indices, as the seed does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.layer_spec import L2, Activation, Conv2d, Dense, Loss, Pool
from generator.layers.activations import activation
from generator.layers.conv import conv2d
from generator.layers.dense import dense
from generator.layers.losses import l2, loss
from generator.layers.pool import pool
from generator.source import KeyPath

if TYPE_CHECKING:
    from generator.graph import _Compiler


def expand(c: _Compiler, macro: Conv2d | Activation | Dense | Pool | Loss | L2,
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
    else:
        l2(c, macro, keys)
