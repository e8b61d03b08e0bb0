"""conv2d: cross-correlation or true convolution, stride, zero padding, bias, channels.

Output (i, j) of kernel o is Σ_c Σ_pq a[c, i·s + p − top, j·s + q − left] · w_o[c, p', q']
(+ b_o), with p' = p for cross-correlation and p' = kh − 1 − p for true convolution
(the kernel flipped). Padded positions are zeros, so their terms are left out.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import sympy
from sympy import Add, Mul, Symbol

from generator.graph.layers.base import Array, array, family, names, tex
from generator.graph.model import element_name
from generator.spec.layers import Conv2d
from generator.spec.source import KeyPath

if TYPE_CHECKING:
    from generator.graph.builder import Builder

Grid = dict[tuple[int, int], Symbol]  # 0-based (row, col) → symbol, one channel


def channels(found: Array) -> list[Grid]:
    """A [H, W] array as one channel, a [C, H, W] array as C channels; 0-based positions."""
    idx = sorted(found)
    if len(idx[0]) == 2:
        r0, c0 = idx[0]
        return [{(r - r0, c - c0): found[(r, c)] for r, c in idx}]
    out: list[Grid] = []
    for ch in sorted({i[0] for i in idx}):
        part = [i for i in idx if i[0] == ch]
        r0, c0 = part[0][1], part[0][2]
        out.append({(i[1] - r0, i[2] - c0): found[i] for i in part})
    return out


def _size(grid: Grid) -> tuple[int, int]:
    return max(r for r, _ in grid) + 1, max(c for _, c in grid) + 1


def pads(n: int, k: int, stride: int, padding: str | int) -> tuple[int, int]:
    """(before, after) zeros along one axis; 'same' gives ceil(n / stride) outputs."""
    if padding == "valid":
        return 0, 0
    if isinstance(padding, int):
        return padding, padding
    total = max((-(-n // stride) - 1) * stride + k - n, 0)
    return total // 2, total - total // 2


def _kernels(c: Builder, m: Conv2d, keys: KeyPath, n_channels: int
             ) -> list[list[Grid]] | None:
    given = m.kernel if isinstance(m.kernel, list) else [m.kernel]
    out = []
    for i, name in enumerate(given):
        k = array(c, name, (*keys, "kernel", i) if isinstance(m.kernel, list) else
                  (*keys, "kernel"))
        if k is None:
            return None
        grids = channels(k)
        if len(grids) != n_channels:
            c.fail((*keys, "kernel"), f"kernel {name!r} has {len(grids)} channel(s), the input "
                   f"has {n_channels}", "give the kernel shape [channels, rows, cols]")
            return None
        out.append(grids)
    return out


def _biases(c: Builder, m: Conv2d, keys: KeyPath, n: int) -> list[sympy.Expr] | None:
    if m.bias is None:
        return [sympy.Integer(0)] * n
    given = m.bias if isinstance(m.bias, list) else [m.bias]
    found = names(c, given, (*keys, "bias"))
    if found is not None and len(found) != n:
        c.fail((*keys, "bias"), f"{len(found)} biases for {n} kernels", "one bias per kernel")
        return None
    return list(found) if found is not None else None


def conv2d(c: Builder, m: Conv2d, keys: KeyPath) -> None:
    a = array(c, m.input, (*keys, "input"))
    if a is None:
        return
    inputs = channels(a)
    kernels = _kernels(c, m, keys, len(inputs))
    biases = _biases(c, m, keys, len(kernels or []))
    if kernels is None or biases is None:
        return
    (h, w), (kh, kw) = _size(inputs[0]), _size(kernels[0][0])
    top, bottom = pads(h, kh, m.stride, m.padding)
    left, right = pads(w, kw, m.stride, m.padding)
    rows, cols = (h + top + bottom - kh) // m.stride + 1, (w + left + right - kw) // m.stride + 1
    if rows < 1 or cols < 1:
        c.fail(keys, f"kernel {kh}×{kw} is larger than the padded input {h}×{w}",
               "use a smaller kernel or more padding")
        return
    geometry = (m.stride, top, left, kh, kw, m.convention == "convolution")
    out: dict[tuple[int, ...], Symbol] = {}
    for o, kernel in enumerate(kernels):
        for i, j in itertools.product(range(rows), range(cols)):
            idx: tuple[int, ...] = ((i, j) if len(kernels) == 1 else (o, i, j))
            idx = tuple(k + m.out_index_base for k in idx)
            out[idx] = _output(c, m, keys, inputs, kernel, biases[o], (i, j), geometry, idx)
    c.g.arrays[m.out] = out
    members = list(out.values())
    family(c, m.out, members, "ij" if len(kernels) == 1 else "kij")
    c.g.notes.append(("note_conv", tuple(members)))


def _output(c: Builder, m: Conv2d, keys: KeyPath, inputs: list[Grid], kernel: list[Grid],
            bias: sympy.Expr, at: tuple[int, int], geometry: tuple[int, int, int, int, int, bool],
            idx: tuple[int, ...]) -> Symbol:
    """One output z_(o)ij: the sum over channels and kernel positions, padding left out."""
    stride, top, left, kh, kw, flip = geometry
    i, j = at
    terms, pairs = [], []
    for ch, (p, q) in itertools.product(range(len(inputs)), itertools.product(
            range(kh), range(kw))):
        x = inputs[ch].get((i * stride + p - top, j * stride + q - left))
        if x is None:
            continue  # a zero of the padding
        wt = kernel[ch][(kh - 1 - p, kw - 1 - q) if flip else (p, q)]
        terms.append(Mul(x, wt, evaluate=False))
        pairs.append((wt, x))
    if bias != 0:
        terms.append(bias)
    sub = "".join(map(str, idx))
    sym = c.add_node(element_name(m.out, idx), Add(*terms), keys, Add(*terms, evaluate=False),
                     f"{tex(c, m.out)}_{{{sub}}}")
    for wt, x in pairs:
        c.g.touches.setdefault(wt, []).append((sym, x))
    return sym
