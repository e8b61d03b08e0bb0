"""Problem files: YAML → validated pydantic models, with file:line on every error.

Every key carries a `description`: `solgen schema` hands them to editors and
generator/spec/reference.py turns them into docs/reference.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from generator.errors import SpecError, SpecErrors
from generator.spec.latex_field import (
    MATH_HINT,
    SYMBOL_HINT,
    prose_problem,
    symbol_problem,
    title_problem,
)
from generator.spec.layers import Layer
from generator.spec.source import KeyPath, Source, read_source
from generator.spec.vary import Draw, Value

LANGS = ("zh-TW", "en")
Number = int | float
Localized = str | dict[Literal["zh-TW", "en"], str]
Points = Annotated[float, Field(gt=0, le=1000)]


# issue 20: TeX that reaches math is checked against a whitelist (generator/latex_field.py).
def _symbol_latex(text: str) -> str:
    found = symbol_problem(text)
    if found:
        raise PydanticCustomError("latex_field", "{what}", {"what": found})
    return text


def _prose(text: str) -> str:
    found = prose_problem(text)
    if found:
        raise PydanticCustomError("prose_math", "{what}", {"what": found})
    return text


def _title(text: str) -> str:
    found = title_problem(text)
    if found:
        raise PydanticCustomError("prose_math", "{what}", {"what": found})
    return text


LatexName = Annotated[str, AfterValidator(_symbol_latex)]
Prose = Annotated[str, AfterValidator(_prose)]
LocalizedProse = Prose | dict[Literal["zh-TW", "en"], Prose]
Title = Annotated[str, AfterValidator(_title)]
LocalizedTitle = Title | dict[Literal["zh-TW", "en"], Title]
_NAME = r"^[A-Za-z][A-Za-z0-9]{0,15}$"
_KIND = "What the file is; it chooses which other keys apply and who solves it."


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SymbolSpec(Strict):
    """A declared name: a scalar, or an array of scalars with `shape`."""

    latex: LatexName | None = Field(
        None, description="How the name prints; default from the name (`w11` → `w_{11}`).")
    shape: list[Annotated[int, Field(ge=1, le=64)]] | None = Field(
        None, max_length=3, description="Makes an array: `a` with `[2, 2]` declares a11, "
        "a12, a21, a22 (with index_base 1).")
    index_base: Literal[0, 1] = Field(1, description="First index of an array's elements.")


class ForNode(Strict):
    """`name{i}{j}: {for: {i: [0, 1], j: [0, 1]}, expr: "..."}`: one node per index tuple."""

    for_: dict[str, list[Annotated[int, Field(ge=0)]]] = Field(
        alias="for", description="Each index and the values it runs over.")
    sum: dict[str, list[Annotated[int, Field(ge=0)]]] = Field(
        {}, description="Indices summed over inside each node: `{for: {i: [0, 1]}, sum: {k: "
        "[0, 1]}, expr: \"w{k}*x{2*i+k}\"}` is z_i = Σ_k w_k x_{2i+k}.")
    expr: str | Number = Field(
        description="The node's expression; `{2*i+k}` in it is replaced by the index value "
        "(an affine expression over integers and the `for:`/`sum:` letters).")
    latex: LatexName | None = Field(None, description="How the nodes print, with the same `{i}`.")


class ProblemBase(Strict):
    """Keys every problem kind has."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$",
                    description="Names the output files: `output/<lang>/<id>.md`.")
    title: LocalizedTitle = Field(description="Document title: one text, or one per language.")


class GraphSpec(ProblemBase):
    """Kinds built on a computation graph (gradient, sgd_step)."""

    inputs: dict[str, SymbolSpec] = Field({}, description="The data (leaves that are not "
                                          "params), by name.")
    params: dict[str, SymbolSpec] = Field({}, description="The parameters: what gradients "
                                          "are taken with respect to.")
    hypers: dict[str, SymbolSpec] = Field({}, description="Hyperparameters such as `alpha`.")
    constants: dict[str, Number | str] = Field(
        {}, description="Kept as symbols in formulas and stated as `n = 1`.")
    latex: dict[str, LatexName] = Field({}, description="How node names print (default: `yhat` "
                                  "→ `\\hat{y}`, `MSE` → `\\mathrm{MSE}`).")
    nodes: dict[str, str | Number | ForNode] = Field(
        {}, description="Scalar nodes in sympy syntax, in any order; cycles are refused.")
    layers: list[Layer] = Field([], description="Layer macros, expanded into scalar nodes.")
    loss: str = Field(description="The node at the top of the graph.")
    # Variants (generator/variants/sampler.py): how numbers are drawn and what they must satisfy.
    vary: dict[str, Draw] = Field({}, description="How each number of a variant is drawn, "
                                  "per leaf (docs/variants.md).")
    where: list[str] = Field([], description="Conditions every draw must meet, e.g. "
                             "`abs(z00) <= 4`.")
    # What a class is handed (question sheets, Moodle, Canvas): generator/statement.py and
    # generator/marks.py check these against the graph when the file is read.
    statement: LocalizedProse | None = Field(
        None, description="The question in your words (Markdown, one text or one per "
        "language), on question sheets and in LMS exports; `{{ name }}` puts the variant's "
        "number of a declared symbol (or the matrix of an array) there.")
    points: Points | dict[str, Points] | None = Field(
        None, description="Points of each part (each answer), or per parameter "
        "`{w11: 2, b: 1}` (an array's name covers its elements); default 1 each.")
    category: Title | None = Field(
        None, min_length=1, max_length=200, description="Question bank category of LMS "
        "exports, `/` between levels, e.g. `ML/Week 3`; default `solgen/<id>`.")
    tags: list[Annotated[str, Field(pattern=r"^[^\s,]{1,50}$")]] = Field(
        [], max_length=20, description="Tags of the LMS questions (no spaces or commas).")


class GradientDisplay(Strict):
    """How a gradient solution is laid out."""

    factor_common_prefix: bool = Field(
        default=True, description="Write ∂L/∂ŷ [path + path + …] with the shared factor in front.")
    sigmoid_form: Literal["sigma", "exp"] = Field(
        default="sigma", description="`exp` also writes σ(z)(1 − σ(z)) with e^(−z).")
    # paths: one chain-rule sum per parameter (seed 002); backprop: δ = ∂L/∂v from the loss
    # backwards, with ∇W = δ xᵀ for dense matrices; auto: paths while they are few and the
    # output is not softmax + CE or σ + BCE (backprop derives p − y there), nor a loss that
    # uses a parameter directly and through other nodes (an L2 term).
    method: Literal["paths", "backprop", "auto"] = Field(
        default="auto", description="Chain-rule path sums, backpropagation (δ from the loss "
        "backwards), or paths while they are few and the output is not softmax + CE or "
        "σ + BCE (backprop derives p − y there), nor a loss that uses a parameter directly "
        "and through other nodes (an L2 term: the path sum would print ∂L/∂w for two values).")
    conv_touches: bool | None = Field(
        default=None, description="List ∂z/∂w for every kernel weight; default: when a conv has "
        "stride or padding.")


class GradientSpec(GraphSpec):
    """∂loss/∂param through the graph, path by path, every line checked."""

    kind: Literal["gradient"] = Field(description=_KIND)
    wrt: list[str] = Field(min_length=1, description="Params (or param arrays): one section "
                           "each.")
    expect: dict[str, str | Number] = Field(
        {}, description="Results you state, e.g. `Derivative(L, h): h - y`; each is checked.")
    display: GradientDisplay = Field(GradientDisplay(), description="Layout options.")
    # Numbers for leaves: with every leaf given, the answer ends in a number (generator/numeric.py);
    # max pooling picks its winner at these values (generator/graph/layers/pool.py).
    values: dict[str, Value] = Field(
        {}, description="Numbers for leaves (a number, \"3/4\", or rows for an array); "
        "with all of them the solution ends in a decimal.")
    precision: int = Field(6, ge=1, le=30, description="Decimal places of the decimals.")
    form: Literal["scalar", "matrix"] = Field(
        "scalar", description="`matrix`: the gradient of a `batch` layer in matrix notation "
        "with shapes (∇_w L = (1/n) Xᵀ(Xw − y) + λw), each line checked entry by entry.")


class SgdSpec(GraphSpec):
    """One SGD update θ¹ = θ⁰ − α ∂L/∂θ, numbers substituted."""

    kind: Literal["sgd_step"] = Field(description=_KIND)
    output: str = Field(description="The model output h whose gradient ∇θh is written out.")
    data: dict[str, Number] = Field(description="One sample: a number for every input.")
    init: dict[str, Number] = Field(description="θ⁰: a number for every param.")
    lr: str | Number = Field(description="Learning rate: a hyper (`alpha`) or a number.")
    mode: Literal["substitute_only", "numeric"] = Field(
        "substitute_only", description="`numeric` adds θ¹ ≈ … after the substituted form.")
    precision: int = Field(6, ge=1, le=30, description="Decimal places of the numeric line.")


class Name(Strict):
    """A variable of an identity chain."""

    latex: LatexName | None = Field(default=None, description="How the name prints.")


class CustomFunction(Strict):
    """f with f' = P(f): `definition` is f(x); `derivative` is P written in `symbol`."""

    name: str = Field(pattern=_NAME, description="The function's name, e.g. `g`.")
    latex: LatexName | None = Field(None, description="How the name prints.")
    definition: str = Field(description="f(x) in the variable, e.g. `2*sigma(x) - 1`.")
    derivative: str = Field(description="f' as a polynomial in the name, e.g. `(1 - g^2)/2`;"
                            " checked when the file is read.")


class SelfDerivativesSpec(ProblemBase):
    """Derivatives f', f'', …, f^(k) of a function whose derivative is a polynomial in f."""

    kind: Literal["self_derivatives"] = Field(description=_KIND)
    function: Literal["sigma", "tanh", "exp"] | CustomFunction = Field(
        description="A built-in function, or your own with f' = P(f).")
    variable: str = Field("x", pattern=_NAME, description="The variable of f.")
    symbol: str | None = Field(None, pattern=_NAME, description="The name of f(x) in the "
                               "polynomials; default s (σ), t (tanh), u (exp) or the name.")
    order: int = Field(3, ge=1, le=12, description="The highest derivative k.")
    forms: list[Literal["factored", "expanded"]] = Field(
        ["factored"], min_length=1, description="How each result is written.")


class ChainLine(Strict):
    """One line of an identity chain, with an optional reason."""

    expr: str | Number = Field(description="The line, in sympy syntax.")
    why: str | None = Field(None, description="A reason printed beside the line: "
                            "add_subtract, chain_rule, combine_fractions, definition_of, "
                            "divide_num_den, expand, multiply_num_den, product_rule, "
                            "quotient_rule, simplify, split_fraction, substitute, take_out.")
    by: str | Number | None = Field(
        None, description="What the reason names (add_subtract, definition_of, "
        "divide_num_den, multiply_num_den, substitute and take_out need it).")


class LetName(Strict):
    """A name with a meaning, and how it prints."""

    expr: str | Number = Field(description="What the name stands for.")
    latex: LatexName | None = Field(None, description="How the name prints, e.g. `s'`.")


class IdentitySpec(ProblemBase):
    """A rewrite chain: every line equals the one before it."""

    kind: Literal["identity"] = Field(description=_KIND)
    variables: dict[str, Name] = Field(default_factory=lambda: {"x": Name()},
                                       description="The free variables; default: `x`.")
    let: dict[str, str | Number | LetName] = Field(
        {}, description="Names with a meaning, substituted when lines are checked.")
    lhs: str | None = Field(None, description="An optional first side: `lhs = line 1 = …`.")
    lines: list[str | Number | ChainLine] = Field(
        min_length=2, max_length=100, description="The chain; each line must equal the one "
        "before it.")


class Question(Strict):
    """One discussion question."""

    ask: LocalizedProse = Field(description="The question (Markdown).")
    answer: LocalizedProse | None = Field(None, description="A model answer (Markdown).")


class DiscussionSpec(ProblemBase):
    """Questions for discussion, each with an optional model answer in Markdown."""

    kind: Literal["discussion"] = Field(description=_KIND)
    questions: list[Question] = Field(min_length=1, max_length=100,
                                      description="The questions, in order.")


class Schedule(Strict):
    """How the learning rate changes from one update to the next (torch.optim.lr_scheduler)."""

    kind: Literal["step", "cosine"] = Field(
        description="`step`: η·γ^⌊(t−1)/step_size⌋ (StepLR); `cosine`: η_min + (η − η_min)"
        "(1 + cos(π(t−1)/t_max))/2 (CosineAnnealingLR).")
    step_size: Annotated[int, Field(ge=1)] = Field(1, description="Updates between two "
                                                   "decays (step).")
    gamma: Annotated[float, Field(gt=0, le=1)] = Field(0.1, description="Decay factor (step).")
    t_max: Annotated[int, Field(ge=1)] = Field(10, description="Updates of half a cosine "
                                               "period (cosine).")
    eta_min: Annotated[float, Field(ge=0)] = Field(0, description="Smallest rate (cosine).")


class TrainingSpec(GraphSpec):
    """k steps of mini-batch SGD (optional momentum) on a small data set, in numbers."""

    kind: Literal["training"] = Field(description=_KIND)
    data: list[dict[str, Number]] = Field(
        min_length=1, max_length=1000, description="The samples: a number for every input.")
    init: dict[str, Number] = Field(description="Initial value of every param.")
    lr: Number = Field(description="Learning rate.")
    steps: Annotated[int, Field(ge=1, le=100)] = Field(1, description="SGD steps to take.")
    batch_size: Annotated[int, Field(ge=1, le=1000)] = Field(1, description="Samples per "
                                                             "step; the gradient is their mean.")
    order: list[Annotated[int, Field(ge=1)]] | None = Field(
        None, description="Sample numbers (1-based) in the order batches take them, wrapping; "
        "default 1, 2, ….")
    momentum: Annotated[float, Field(ge=0, lt=1)] = Field(
        0, description="μ: v ← μv + ḡ, θ ← θ − ηv (as torch.optim.SGD).")
    optimizer: Literal["sgd", "nesterov", "adagrad", "rmsprop", "adam"] = Field(
        "sgd", description="The update rule, as torch.optim writes it (docs/layers.md, "
        "\"Optimizers\"); nesterov uses `momentum`.")
    beta1: Annotated[float, Field(ge=0, lt=1)] = Field(0.9, description="Adam's β₁.")
    beta2: Annotated[float, Field(ge=0, lt=1)] = Field(0.999, description="Adam's β₂.")
    rho: Annotated[float, Field(ge=0, lt=1)] = Field(
        0.99, description="RMSProp's decay ρ (torch calls it alpha).")
    eps: Annotated[float, Field(gt=0, le=1)] | None = Field(
        None, description="ε of AdaGrad, RMSProp and Adam; default as torch (1e-10, 1e-8, "
        "1e-8).")
    weight_decay: Annotated[float, Field(ge=0, lt=1)] = Field(
        0, description="λ: as L2 (g + λθ, torch's weight_decay) or decoupled.")
    decoupled: bool = Field(False, description="Decoupled weight decay θ ← θ − ηλθ − η·update "
                            "(AdamW) instead of L2.")
    schedule: Schedule | None = Field(None, description="A learning-rate schedule.")
    precision: Annotated[int, Field(ge=2, le=30)] = Field(6, description="Significant digits "
                                                          "shown.")
    form: Literal["scalar", "matrix"] = Field(
        "scalar", description="`matrix`: each step written as matrices with numbers "
        "(ŷ = Xw + b𝟏, ∇_w L = (1/n) Xᵀ(ŷ − y) + λw, w ← w − η∇), for linear or logistic "
        "regression; plain SGD or momentum; matrix numbers shown to `precision` decimals.")


class DerivativeSpec(ProblemBase):
    """d/dx of any expression, step by step by named rules (sum, product, quotient, chain, …)."""

    kind: Literal["derivative"] = Field(description=_KIND)
    function: str | Number | list[str | Number] = Field(
        description="f(x) in sympy syntax (`x^2*sin(x)`, `ln(cos(x))`, `arctan(sqrt(x))`), "
        "or a list of them: parts (a), (b), ….")
    variable: str = Field("x", pattern=_NAME, description="The variable of f.")
    name: str = Field("f", pattern=_NAME, description="The function's name: f'(x).")
    at: str | Number | None = Field(
        None, description="Also evaluate f' at this point, e.g. `1` or `pi/4`.")
    precision: int = Field(6, ge=1, le=30, description="Decimal places of the value at `at`.")


class PartialsSpec(ProblemBase):
    """∂f/∂x, ∂f/∂y, the gradient and the Hessian of f(x, y), each entry by the rules."""

    kind: Literal["partials"] = Field(description=_KIND)
    function: str | Number = Field(description="f in sympy syntax, e.g. `x^2*y + exp(x*y)`.")
    variables: list[Annotated[str, Field(pattern=_NAME)]] = Field(
        ["x", "y"], min_length=2, max_length=3, description="The variables of f, in order.")
    name: str = Field("f", pattern=_NAME, description="The function's name.")
    hessian: bool = Field(True, description="Also the second partials and the Hessian.")
    at: dict[str, str | Number] | None = Field(
        None, description="Also evaluate the gradient (and Hessian) at this point, e.g. "
        "`{x: 1, y: 2}`.")
    precision: int = Field(6, ge=1, le=30, description="Decimal places of the values at `at`.")


class SheetPart(Strict):
    """One part of a sheet: a problem file, or a titled group of parts."""

    problem: str | None = Field(None, description="A problem file, relative to the sheet.")
    title: LocalizedTitle | None = Field(None, description="The heading; default: the problem's "
                                    "title. A group needs one.")
    parts: list[SheetPart] = Field([], max_length=26, description="Sub-parts (a), (b), ….")

    @model_validator(mode="after")
    def one_kind(self) -> SheetPart:
        if (self.problem is None) == (not self.parts):
            raise ValueError("a part is either `problem:` or a list of `parts:`")
        if self.parts and self.title is None:
            raise ValueError("a part with sub-parts needs a `title:`")
        return self


class SheetSpec(ProblemBase):
    """Problem files assembled into one document, numbered (1), (2), … (solvers/sheet.py)."""

    kind: Literal["sheet"] = Field(description=_KIND)
    parts: list[SheetPart] = Field(min_length=1, max_length=50,
                                   description="The parts (1), (2), …, in order.")


# Every kind, told apart by `kind:`. A new kind adds its model here and a kind module in
# generator/solvers/ (registered in generator/solvers/registry.py; docs/design.md,
# "Adding a problem kind").
AnySpec = (GradientSpec | SgdSpec | SelfDerivativesSpec | IdentitySpec | DiscussionSpec
           | TrainingSpec | DerivativeSpec | PartialsSpec)
_ADAPTER: TypeAdapter[AnySpec] = TypeAdapter(Annotated[AnySpec, Field(discriminator="kind")])
KIND_NAMES: tuple[str, ...] = tuple(get_args(m.model_fields["kind"].annotation)[0]
                                    for m in get_args(AnySpec))

_HINTS = {
    "extra_forbidden": "check the spelling; `solgen schema` lists every key",
    "missing": "add this key",
    "union_tag_invalid": "kind is one of: " + ", ".join(KIND_NAMES),
    "union_tag_not_found": "add `kind:` (one of " + ", ".join(KIND_NAMES) + ")",
    "string_pattern_mismatch": "use lower-case letters, digits, '-' and '_'",
    "latex_field": SYMBOL_HINT,
    "prose_math": MATH_HINT,
}


# Editors see sheets too: a sheet is a file an author writes, though it is read by
# generator/solvers/sheet.py and not by `validate`.
_SCHEMA: TypeAdapter[AnySpec | SheetSpec] = TypeAdapter(
    Annotated[AnySpec | SheetSpec, Field(discriminator="kind")])


def json_schema() -> dict[str, Any]:
    """JSON Schema of a problem or sheet file, for editors (YAML language server) and docs."""
    schema: dict[str, Any] = _SCHEMA.json_schema()
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
