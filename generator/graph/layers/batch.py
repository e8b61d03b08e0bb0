"""A model over a batch: one row of X per sample, the mean loss, an optional L2 term.

linear: ŷ_i = Σ_j X_ij w_j (+ b); logistic: z_i = Σ_j X_ij w_j + b, p_i = σ(z_i);
softmax: z_ic = Σ_j X_ij W_cj + b_c, p_ic = softmax_c(z_i·). The loss is the mean over
the n samples (mse, half_mse = mse/2, bce, ce) plus (λ/2) Σ w² over the weights. Shapes
are checked here, so a mismatch names the layer's key and both shapes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy
from sympy import Add, Mul, Pow, log

from generator.algebra.functions import relu, sigmoid, softmax
from generator.graph.batches import BatchFact, HiddenFact, Rows
from generator.graph.layers.base import Array, tex
from generator.graph.model import element_name
from generator.spec.layers import Batch
from generator.spec.source import KeyPath

if TYPE_CHECKING:
    from generator.graph.builder import Builder

FN = {"sigma": sigmoid, "tanh": sympy.tanh, "relu": relu}
LOSSES = {"linear": ("mse", "half_mse"), "logistic": ("bce",), "softmax": ("ce",)}


def _shape(array: Array) -> list[int]:
    return [len({idx[a] for idx in array}) for a in range(len(next(iter(array))))]


def _rows(array: Array) -> Rows:
    """A 2-D array as rows of symbols; a 1-D array as one column (n × 1)."""
    keys = sorted(array)
    if len(keys[0]) == 1:
        return tuple((array[k],) for k in keys)
    firsts = sorted({k[0] for k in keys})
    return tuple(tuple(array[k] for k in keys if k[0] == r) for r in firsts)


def _arrays(c: Builder, m: Batch, keys: KeyPath) -> dict[str, Array] | None:
    found: dict[str, Array] = {}
    wanted = {"in": m.in_, "weights": m.weights, "target": m.target}
    if m.bias is not None:
        wanted["bias"] = m.bias
    for key, name in wanted.items():
        array = c.g.arrays.get(name)
        if array is None and key == "bias" and name in c.g.names:
            array = {(0,): c.g.names[name]}  # one bias for a single output
        if array is None:
            c.fail((*keys, key), f"{name!r} is not an array",
                   "declare it with `shape:` under inputs or params")
            return None
        found[key] = array
    return found


def _check_shapes(c: Builder, m: Batch, arrays: dict[str, Array], keys: KeyPath,
                  width: int | None) -> bool:
    """Every shape against X's [n, d] (d: the last hidden layer's width when there is
    one): the key, its name and both shapes in the error."""
    shapes = {k: _shape(a) for k, a in arrays.items()}
    n, d = shapes["in"]
    d = width if width is not None else d
    k = shapes["weights"][0] if m.model == "softmax" else 1
    want = {"weights": [k, d] if m.model == "softmax" else [d],
            "target": [n, k] if m.model == "softmax" else [n],
            "bias": [k] if m.model == "softmax" else [1]}
    ok = True
    for key, shape in want.items():
        if key in shapes and shapes[key] != shape:
            name = getattr(m, "in_" if key == "in" else key)
            below = f"{m.in_!r} has shape {shapes['in']}" if width is None else (
                f"the last hidden layer has {width} units")
            c.fail((*keys, key), f"{name!r} has shape {shapes[key]}, but {below}: the "
                   f"{m.model} model needs {key} of shape {shape}",
                   f"declare {name} with shape: {shape}")
            ok = False
    if m.loss not in LOSSES[m.model]:
        c.fail((*keys, "loss"), f"loss {m.loss} does not go with the {m.model} model",
               "use " + " or ".join(LOSSES[m.model]))
        ok = False
    return ok


def _nodes(c: Builder, name: str, bodies: list[list[sympy.Expr]], keys: KeyPath,
           shown: list[list[sympy.Expr]] | None = None) -> Rows:
    out = []
    for i, row in enumerate(bodies):
        syms = []
        for j, body in enumerate(row):
            index = (i + 1,) if len(row) == 1 else (i + 1, j + 1)
            sub = "".join(map(str, index)) if max(index) <= 9 else ",".join(map(str, index))
            syms.append(c.add_node(element_name(name, index), body, keys,
                                   shown[i][j] if shown else None, f"{tex(c, name)}_{{{sub}}}"))
        out.append(tuple(syms))
    return tuple(out)


def _loss(m: Batch, target: Rows, pred: Rows, n: int) -> tuple[sympy.Expr, sympy.Expr]:
    """The mean loss over the batch: (value, display in the author's order)."""
    pairs = [(y, p) for yr, pr in zip(target, pred, strict=True)
             for y, p in zip(yr, pr, strict=True)]
    if m.loss in ("mse", "half_mse"):
        total = Add(*[(p - y) ** 2 for y, p in pairs])
        shown = Add(*[Pow(Add(p, -y, evaluate=False), 2, evaluate=False) for y, p in pairs],
                    evaluate=False)
    elif m.loss == "bce":
        total = -Add(*[y * log(p) + (1 - y) * log(1 - p) for y, p in pairs])
        shown = Add(*[Mul(-1, t, evaluate=False) for y, p in pairs for t in (
            Mul(y, log(p), evaluate=False),
            Mul(Add(1, -y, evaluate=False), log(Add(1, -p, evaluate=False)), evaluate=False))],
            evaluate=False)
    else:
        total = -Add(*[y * log(p) for y, p in pairs])
        shown = Add(*[Mul(-1, y, log(p), evaluate=False) for y, p in pairs], evaluate=False)
    scale = sympy.Integer(2 * n if m.loss == "half_mse" else n)
    return total / scale, Mul(Pow(scale, -1, evaluate=False), shown, evaluate=False)


def _hidden(c: Builder, m: Batch, data: Rows, keys: KeyPath
            ) -> tuple[list[HiddenFact], Rows] | None:
    """Each hidden layer's nodes, from the input up; None after an error."""
    facts: list[HiddenFact] = []
    below, width = data, len(data[0])
    for i, layer in enumerate(m.hidden):
        here = (*keys, "hidden", i)
        weights = c.g.arrays.get(layer.weights)
        bias = c.g.arrays.get(layer.bias) if layer.bias else {}
        if weights is None or bias is None:
            c.fail((*here, "weights" if weights is None else "bias"), "not an array",
                   "declare it with `shape:` under params")
            return None
        rows = _rows(weights)
        ok = _shape(weights) == [len(rows), width] and (not bias or _shape(bias) == [len(rows)])
        if not ok:
            c.fail(here, f"hidden layer {i + 1}: {layer.weights!r} has shape "
                   f"{_shape(weights)} and bias {_shape(bias) if bias else None}, but the "
                   f"layer below has {width} columns: it needs [h, {width}] and [h]",
                   f"declare {layer.weights} with shape: [h, {width}]")
            return None
        b = tuple(bias[k] for k in sorted(bias))
        pre = _nodes(c, layer.pre, [[Add(*[x * v for x, v in zip(row, col, strict=True)],
                                         *([b[o]] if b else [])) for o, col in enumerate(rows)]
                                    for row in below], here)
        act = _nodes(c, layer.out, [[FN[layer.fn](a) for a in row] for row in pre], here)
        names = {"weights": layer.weights, "pre": layer.pre, "out": layer.out,
                 **({"bias": layer.bias} if layer.bias else {})}
        facts.append(HiddenFact(layer.fn, names, rows, b, pre, act))
        below, width = act, len(rows)
    return facts, below


def batch(c: Builder, m: Batch, keys: KeyPath) -> None:
    arrays = _arrays(c, m, keys)
    if arrays is None:
        return
    if len(_shape(arrays["in"])) != 2:
        c.fail((*keys, "in"), f"{m.in_!r} has shape {_shape(arrays['in'])}, a batch needs "
               "[n, d]", "one sample per row: shape: [n, d]")
        return
    hidden = _hidden(c, m, _rows(arrays["in"]), keys)
    if hidden is None:
        return
    facts, features = hidden
    if not _check_shapes(c, m, arrays, keys, len(features[0]) if facts else None):
        return
    lam = c.parse(m.lambda_, (*keys, "lambda")) if m.lambda_ is not None else None
    if m.lambda_ is not None and lam is None:
        return
    data, target = features, _rows(arrays["target"])
    weights = _rows(arrays["weights"])  # linear, logistic: d × 1; softmax: k × d
    bias = tuple(arrays["bias"][k] for k in sorted(arrays["bias"])) if "bias" in arrays else ()
    columns = weights if m.model == "softmax" else (tuple(w for (w,) in weights),)
    logits = [[Add(*[x * w for x, w in zip(row, col, strict=True)],
                   *([bias[o]] if bias else [])) for o, col in enumerate(columns)]
              for row in data]
    pred_name = m.pred or ("yhat" if m.model == "linear" else "p")
    if m.model == "linear":
        z = pred = _nodes(c, pred_name, logits, keys)
    else:
        z = _nodes(c, "z", logits, keys)
        pred = _nodes(c, pred_name, [
            [sigmoid(s) if m.model == "logistic" else softmax(sympy.Integer(o), *row)
             for o, s in enumerate(row)] for row in z], keys)
    value, shown = _loss(m, target, pred, len(data))
    if lam is not None:
        flat = [w for f in facts for row in f.weights for w in row]
        flat += [w for row in weights for w in row]
        value = value + lam / 2 * Add(*[w ** 2 for w in flat])
        shown = Add(shown, Mul(Pow(2, -1, evaluate=False), lam, Add(
            *[Pow(w, 2, evaluate=False) for w in flat], evaluate=False), evaluate=False),
            evaluate=False)
    loss = c.add_node(m.out, value, keys, shown)
    names = {"data": m.in_, "weights": m.weights, "target": m.target, "pred": pred_name,
             "logits": "z", **({"bias": m.bias} if m.bias else {})}
    c.g.batches[loss] = BatchFact(m.model, m.loss, names, _rows(arrays["in"]), weights, bias,
                                  target, z, pred, lam, c.g.lines.get(loss, 0), tuple(facts))
