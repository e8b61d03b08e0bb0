"""The `layers:` key of a problem file: one model per layer macro.

Kept apart from spec.py so that module stays one screenful per kind; generator/graph/layers/
expands these models into scalar nodes (see docs/layers.md).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Number = int | float


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Conv2d(_Strict):
    """A 2-D convolution layer; see docs/layers.md for the index conventions."""

    input: str = Field(description="An input array of shape [H, W] or [C, H, W].")
    kernel: str | list[str] = Field(
        min_length=1, description="A param array [kh, kw] (or [C, kh, kw]); a list of "
        "them gives one output channel each.")
    out: str = Field(description="Name of the output array: `z` makes z00, z01, ….")
    convention: Literal["cross_correlation", "convolution"] = Field(
        "cross_correlation", description="`convolution` flips the kernel.")
    stride: Annotated[int, Field(ge=1, le=8)] = Field(1, description="Step between windows.")
    padding: Literal["valid", "same"] | Annotated[int, Field(ge=0, le=8)] = Field(
        "valid", description="`valid`: no zeros; `same`: ceil(H/stride) outputs, as "
        "TensorFlow pads; a number: that many zeros on every side.")
    bias: str | list[str] | None = Field(
        None, description="A param added to every output; a list gives one per output "
        "channel.")
    out_index_base: Literal[0, 1] = Field(
        0, description="First index of the output names (z00 or z11).")


class Activation(_Strict):
    """An activation applied element by element (softmax: over the whole vector)."""

    fn: Literal["sigma", "tanh", "relu", "leaky_relu", "softplus", "softmax"] = Field(
        description="The function; `sigma` is the logistic sigmoid σ.")
    in_: str = Field(alias="in", description="A node or an array of nodes.")
    out: str = Field(description="Name of the output node or array.")
    slope: Number | str = Field(0.01, description="leaky_relu only: the slope for x < 0.")


class Dense(_Strict):
    """Scalar form: `in` and `weights` are lists → one output node.
    Matrix form: `in` names a vector and `weights` a matrix [m, n] → vector out of m."""

    in_: list[str] | str = Field(
        alias="in", description="A list of nodes (scalar form) or a vector (matrix form).")
    weights: list[str] | str = Field(
        description="A list of params, one per input, or a param matrix [m, n].")
    out: str = Field(description="Name of the output node or vector.")
    bias: Literal[False] | str = Field(
        False, description="A param (scalar form) or a vector param (matrix form).")


class Pool(_Strict):
    """Max or average pooling over square windows of an array."""

    kind: Literal["max", "avg"] = Field(
        description="`max` picks the winner of each window at the problem's `values:`.")
    in_: str = Field(alias="in", description="An array [H, W] or [C, H, W].")
    size: Annotated[int, Field(ge=1, le=8)] = Field(2, description="Window side.")
    stride: Annotated[int, Field(ge=1, le=8)] | None = Field(
        None, description="Step between windows; default: `size`.")
    out: str = Field(description="Name of the output array.")


class Loss(_Strict):
    """A loss between a target and a prediction: one node."""

    kind: Literal["mse", "sse", "bce", "ce"] = Field(
        description="Mean or sum of squared errors, binary or categorical cross-entropy.")
    target: str = Field(description="A name or a vector.")
    pred: str = Field(description="A name or a vector, the same length as `target`.")
    n: str | Number = Field(1, description="mse only: the n of the 1/n in front.")
    out: str = Field(description="Name of the loss node.")


class L2(_Strict):
    """loss + (λ/2) Σ w² over the listed params (arrays or names): weight decay λw."""

    loss: str = Field(description="The loss node without the penalty.")
    params: list[str] = Field(min_length=1, description="Params or param arrays to penalise.")
    lambda_: str | Number = Field(alias="lambda", description="λ: a number or a hyper.")
    out: str = Field(description="Name of the penalised loss node.")


class Hidden(_Strict):
    """One hidden layer of a batch model: H = fn(A), A = F Vᵀ + 𝟏cᵀ over the layer below."""

    weights: str = Field(description="A param array [h, d]: one row per hidden unit.")
    bias: str | None = Field(None, description="A param vector [h].")
    fn: Literal["sigma", "tanh", "relu"] = Field(description="The activation.")
    pre: str = Field("a", description="Name of the pre-activations (a11 … a_nh).")
    out: str = Field("h", description="Name of the activations (h11 … h_nh).")


class Batch(_Strict):
    """A model over a batch of n samples, one per row of `in` (docs/layers.md, "Matrix
    form"): the prediction of every sample, the mean loss over the batch and an optional
    L2 term, as scalar nodes; `form: matrix` writes their gradient with matrices."""

    model: Literal["linear", "logistic", "softmax"] = Field(
        description="`linear`: ŷ = Xw (+ b); `logistic`: p = σ(Xw + b); `softmax`: "
        "P = softmax(XWᵀ + 1bᵀ) row by row.")
    in_: str = Field(alias="in", description="The data X: an input array [n, d], one sample "
                     "per row.")
    weights: str = Field(description="A param array: [d] (linear, logistic) or [k, d] "
                         "(softmax).")
    bias: str | None = Field(None, description="A param: one name (linear, logistic) or a "
                             "vector [k] (softmax).")
    target: str = Field(description="An input array: [n] (linear, logistic) or [n, k] "
                        "(softmax, one row per sample).")
    loss: Literal["mse", "half_mse", "bce", "ce"] = Field(
        description="`mse`: (1/n)Σ(ŷ − y)²; `half_mse`: (1/2n)Σ(ŷ − y)²; `bce`: mean binary "
        "cross-entropy (logistic); `ce`: mean cross-entropy (softmax).")
    lambda_: str | Number | None = Field(
        None, alias="lambda", description="λ of an L2 term (λ/2)‖w‖² on the weights.")
    hidden: list[Hidden] = Field([], max_length=4, description="Hidden layers, from the "
                                 "input up; the output model reads the last one's H.")
    pred: str | None = Field(None, description="Name of the predictions (default `yhat` for "
                             "linear, `p` otherwise); logits are `z`.")
    out: str = Field(description="Name of the loss node.")


LAYER_KINDS = ("conv2d", "activation", "dense", "pool", "loss", "l2", "batch")


class Layer(_Strict):
    """One entry of `layers:`: exactly one of these keys."""

    conv2d: Conv2d | None = Field(None, description="A 2-D convolution.")
    activation: Activation | None = Field(None, description="An activation function.")
    dense: Dense | None = Field(None, description="A fully connected layer.")
    pool: Pool | None = Field(None, description="Max or average pooling.")
    loss: Loss | None = Field(None, description="A loss node.")
    l2: L2 | None = Field(None, description="L2 weight decay added to a loss.")
    batch: Batch | None = Field(None, description="A model and its mean loss over a batch.")

    @model_validator(mode="after")
    def one_kind(self) -> Layer:
        given = [k for k in LAYER_KINDS if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("each layer is exactly one of " + ", ".join(LAYER_KINDS))
        return self

    @property
    def macro(self) -> Conv2d | Activation | Dense | Pool | Loss | L2 | Batch:
        found = next(getattr(self, k) for k in LAYER_KINDS if getattr(self, k))
        assert found is not None
        return found  # type: ignore[no-any-return]
