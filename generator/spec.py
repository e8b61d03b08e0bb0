"""Problem files: YAML → validated pydantic models, with file:line on every error."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from generator.errors import SpecError, SpecErrors
from generator.source import KeyPath, Source, read_source
from generator.variant_spec import Draw, Value

LANGS = ("zh-TW", "en")
Number = int | float
Localized = str | dict[Literal["zh-TW", "en"], str]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SymbolSpec(Strict):
    latex: str | None = None
    shape: list[Annotated[int, Field(ge=1, le=64)]] | None = Field(None, max_length=3)
    index_base: Literal[0, 1] = 1


class ForNode(Strict):
    """`name{i}{j}: {for: {i: [0, 1], j: [0, 1]}, expr: "..."}`: one node per index tuple."""

    for_: dict[str, list[int]] = Field(alias="for")
    expr: str | Number
    latex: str | None = None


class Conv2d(Strict):
    """A 2-D convolution layer; see docs/layers.md for the index conventions."""

    input: str  # array [H, W] or [C, H, W]
    kernel: str | list[str] = Field(min_length=1)  # one kernel per output channel
    out: str
    convention: Literal["cross_correlation", "convolution"] = "cross_correlation"
    stride: Annotated[int, Field(ge=1, le=8)] = 1
    padding: Literal["valid", "same"] | Annotated[int, Field(ge=0, le=8)] = "valid"
    bias: str | list[str] | None = None  # one bias per output channel
    out_index_base: Literal[0, 1] = 0


class Activation(Strict):
    fn: Literal["sigma", "tanh", "relu", "leaky_relu", "softplus", "softmax"]
    in_: str = Field(alias="in")
    out: str
    slope: Number | str = 0.01  # leaky_relu only: the slope for x < 0


class Dense(Strict):
    """Scalar form: `in` and `weights` are lists → one output node.
    Matrix form: `in` names a vector and `weights` a matrix [m, n] → vector out of m."""

    in_: list[str] | str = Field(alias="in")
    weights: list[str] | str
    out: str
    bias: Literal[False] | str = False  # a param (scalar form) or a vector param (matrix)


class Pool(Strict):
    kind: Literal["max", "avg"]
    in_: str = Field(alias="in")
    size: Annotated[int, Field(ge=1, le=8)] = 2
    stride: Annotated[int, Field(ge=1, le=8)] | None = None  # default: size
    out: str


class Loss(Strict):
    kind: Literal["mse", "sse", "bce", "ce"]
    target: str  # a name or a vector
    pred: str
    n: str | Number = 1  # mse only: the 1/n in front
    out: str


class L2(Strict):
    """loss + (λ/2) Σ w² over the listed params (arrays or names): weight decay λw."""

    loss: str
    params: list[str] = Field(min_length=1)
    lambda_: str | Number = Field(alias="lambda")
    out: str


LAYER_KINDS = ("conv2d", "activation", "dense", "pool", "loss", "l2")


class Layer(Strict):
    conv2d: Conv2d | None = None
    activation: Activation | None = None
    dense: Dense | None = None
    pool: Pool | None = None
    loss: Loss | None = None
    l2: L2 | None = None

    @model_validator(mode="after")
    def one_kind(self) -> Layer:
        given = [k for k in LAYER_KINDS if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("each layer is exactly one of " + ", ".join(LAYER_KINDS))
        return self

    @property
    def macro(self) -> Conv2d | Activation | Dense | Pool | Loss | L2:
        found = next(getattr(self, k) for k in LAYER_KINDS if getattr(self, k))
        assert found is not None
        return found  # type: ignore[no-any-return]


class ProblemBase(Strict):
    """Keys every problem kind has."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    title: Localized


class GraphSpec(ProblemBase):
    """Kinds built on a computation graph (gradient, sgd_step)."""

    inputs: dict[str, SymbolSpec] = {}
    params: dict[str, SymbolSpec] = {}
    hypers: dict[str, SymbolSpec] = {}
    constants: dict[str, Number | str] = {}
    latex: dict[str, str] = {}
    nodes: dict[str, str | Number | ForNode] = {}
    layers: list[Layer] = []
    loss: str
    # Variants (generator/variants.py): how numbers are drawn and what they must satisfy.
    vary: dict[str, Draw] = {}
    where: list[str] = []


class GradientDisplay(Strict):
    factor_common_prefix: bool = True
    sigmoid_form: Literal["sigma", "exp"] = "sigma"
    # paths: one chain-rule sum per parameter (seed 002); backprop: δ = ∂L/∂v from the loss
    # backwards, with ∇W = δ xᵀ for dense matrices; auto: paths while they are few.
    method: Literal["paths", "backprop", "auto"] = "auto"
    # List ∂z/∂w = input for every conv weight; default: when a conv has stride or padding.
    conv_touches: bool | None = None


class GradientSpec(GraphSpec):
    kind: Literal["gradient"]
    wrt: list[str] = Field(min_length=1)
    expect: dict[str, str | Number] = {}
    display: GradientDisplay = GradientDisplay()
    # Numbers for leaves: with every leaf given, the answer ends in a number (generator/numeric.py);
    # max pooling picks its winner at these values (generator/layers/pool.py).
    values: dict[str, Value] = {}
    precision: int = Field(6, ge=1, le=30)


class SgdSpec(GraphSpec):
    kind: Literal["sgd_step"]
    output: str
    data: dict[str, Number]
    init: dict[str, Number]
    lr: str | Number
    mode: Literal["substitute_only", "numeric"] = "substitute_only"
    precision: int = Field(6, ge=1, le=30)


class Name(Strict):
    latex: str | None = None


class CustomFunction(Strict):
    """f with f' = P(f): `definition` is f(x); `derivative` is P written in `symbol`."""

    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9]{0,15}$")
    latex: str | None = None
    definition: str
    derivative: str


class SelfDerivativesSpec(ProblemBase):
    """Derivatives f', f'', …, f^(k) of a function whose derivative is a polynomial in f."""

    kind: Literal["self_derivatives"]
    function: Literal["sigma", "tanh", "exp"] | CustomFunction
    variable: str = Field("x", pattern=r"^[A-Za-z][A-Za-z0-9]{0,15}$")
    symbol: str | None = Field(None, pattern=r"^[A-Za-z][A-Za-z0-9]{0,15}$")
    order: int = Field(3, ge=1, le=12)
    forms: list[Literal["factored", "expanded"]] = Field(["factored"], min_length=1)


class ChainLine(Strict):
    expr: str | Number
    why: str | None = None
    by: str | Number | None = None


class LetName(Strict):
    expr: str | Number
    latex: str | None = None


class IdentitySpec(ProblemBase):
    """A rewrite chain: every line equals the one before it."""

    kind: Literal["identity"]
    variables: dict[str, Name] = Field(default_factory=lambda: {"x": Name()})
    let: dict[str, str | Number | LetName] = {}
    lhs: str | None = None
    lines: list[str | Number | ChainLine] = Field(min_length=2, max_length=100)


class Question(Strict):
    ask: Localized
    answer: Localized | None = None


class DiscussionSpec(ProblemBase):
    """Questions for discussion, each with an optional model answer in Markdown."""

    kind: Literal["discussion"]
    questions: list[Question] = Field(min_length=1, max_length=100)


class TrainingSpec(GraphSpec):
    """k steps of mini-batch SGD (optional momentum) on a small data set, in numbers."""

    kind: Literal["training"]
    data: list[dict[str, Number]] = Field(min_length=1, max_length=1000)  # one dict per sample
    init: dict[str, Number]
    lr: Number
    steps: Annotated[int, Field(ge=1, le=100)] = 1
    batch_size: Annotated[int, Field(ge=1, le=1000)] = 1
    order: list[Annotated[int, Field(ge=1)]] | None = None  # 1-based samples, drawn in turn
    momentum: Annotated[float, Field(ge=0, lt=1)] = 0
    precision: Annotated[int, Field(ge=2, le=30)] = 6  # significant digits shown


# Every kind, told apart by `kind:`. A new kind adds its model here and a solver module
# in generator/solvers/ (registered in generator/solvers/__init__.py).
AnySpec = (GradientSpec | SgdSpec | SelfDerivativesSpec | IdentitySpec | DiscussionSpec
           | TrainingSpec)
_ADAPTER: TypeAdapter[AnySpec] = TypeAdapter(Annotated[AnySpec, Field(discriminator="kind")])
KIND_NAMES = ("gradient", "sgd_step", "self_derivatives", "identity", "discussion",
              "training")

_HINTS = {
    "extra_forbidden": "check the spelling; `solgen schema` lists every key",
    "missing": "add this key",
    "union_tag_invalid": "kind is one of: " + ", ".join(KIND_NAMES),
    "union_tag_not_found": "add `kind:` (one of " + ", ".join(KIND_NAMES) + ")",
    "string_pattern_mismatch": "use lower-case letters, digits, '-' and '_'",
}


def json_schema() -> dict[str, Any]:
    """JSON Schema of a problem file, for editors (YAML language server) and docs."""
    schema: dict[str, Any] = _ADAPTER.json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "solgen problem"
    return schema


def localized(text: Localized, lang: str) -> str:
    if isinstance(text, str):
        return text
    return text.get(lang) or next(iter(text.values()))  # type: ignore[call-overload]


def _key_path(loc: tuple[int | str, ...], data: Any) -> KeyPath:
    """Keep the parts of a pydantic location that name real keys of the document.

    pydantic adds the discriminator value and union member names ("str", "dict[...]")
    to locations; walking the data drops them. A missing key is kept as the last part.
    """
    keys: list[str | int] = []
    cur = data
    for i, part in enumerate(loc):
        in_dict = isinstance(cur, dict) and part in cur
        if in_dict or (isinstance(cur, list) and isinstance(part, int) and part < len(cur)):
            keys.append(part)
            cur = cur[part]
        elif i == len(loc) - 1 and isinstance(part, str) and "[" not in part and (
            part not in _TYPE_NAMES
        ):
            keys.append(part)
    return tuple(keys)


_TYPE_NAMES = {"str", "int", "float", "bool", *KIND_NAMES}


def validate(source: Source) -> AnySpec:
    """Validate one parsed file; raise SpecErrors listing every problem with its line."""
    if not isinstance(source.data, dict):
        raise SpecErrors([SpecError(source.at(()), "a problem file is a mapping of keys",
                                    "start with `id:`, `title:` and `kind:`")])
    try:
        return _ADAPTER.validate_python(source.data)
    except ValidationError as exc:
        errors = []
        for err in exc.errors(include_url=False):
            keys = _key_path(err["loc"], source.data)
            if err["type"].startswith("union_tag"):
                keys = ("kind",)
            message = _message(err)
            errors.append(SpecError(source.at(keys), message, _HINTS.get(err["type"], "")))
        raise SpecErrors(_dedupe(errors)) from None


def _message(err: Any) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown key"
    if err["type"] in ("missing", "union_tag_not_found"):
        return "missing key"
    if err["type"] == "union_tag_invalid":
        return f"unknown kind {err['ctx']['tag']!r}"
    msg: str = err["msg"]
    return msg.removeprefix("Value error, ")


def _dedupe(errors: list[SpecError]) -> list[SpecError]:
    # A value that fails every member of a union (int | float, str | dict) yields one error
    # per member; keep one per key, and prefer the deepest key (the most specific member).
    by_key: dict[str, SpecError] = {}
    for e in errors:
        by_key.setdefault(e.where.key, e)
    keys = list(by_key)
    return [by_key[k] for k in keys
            if not any((o != k and o.startswith(k + ".")) or o.startswith(k + "[") for o in keys)
            or not k]


def load(path: Path, display: str | None = None) -> tuple[Source, AnySpec]:
    source = read_source(path, display)
    return source, validate(source)
