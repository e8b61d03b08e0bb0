"""The `vary:` and `values:` keys of a problem file: how each number of a variant is drawn.

Kept apart from spec.py so the variant machinery owns its own models; spec.py only
adds the keys to the kinds that take numbers.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

Number = int | float
# A fixed value: a number, a fraction written "3/4", or rows of them for an array input.
Value = Number | str | list[Any]
MAX_CANDIDATES = 100_000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class FractionRange(_Strict):
    """Every distinct num/den with num and den in their ranges."""

    num: tuple[int, int] = Field(description="Numerators: [low, high].")
    den: tuple[int, int] = Field(description="Denominators: [low, high], positive.")


class Draw(_Strict):
    """How one symbol (or every element of an array) is drawn.

    Exactly one of `int` (with `step`), `choice`, `decimal` (with `digits`) or
    `fraction`; `exclude` and `nonzero` remove values from any of them.
    """

    int_: tuple[int, int] | None = Field(
        None, alias="int", description="Integers [low, high], every `step`-th from low.")
    step: int = Field(1, ge=1, description="With `int`: the spacing of the integers.")
    choice: list[Number | str] | None = Field(
        None, min_length=1, description="One of these values (numbers or \"3/4\").")
    decimal: tuple[Number, Number] | None = Field(
        None, description="Multiples of 10^-digits in [low, high], shown as decimals.")
    digits: int = Field(1, ge=1, le=6, description="With `decimal`: the decimal places.")
    fraction: FractionRange | None = Field(None, description="Fractions num/den.")
    exclude: list[Number | str] = Field([], description="Values never drawn.")
    nonzero: bool = Field(False, description="Never draw 0.")

    @model_validator(mode="after")
    def one_kind(self) -> Draw:
        given = [k for k in ("int_", "choice", "decimal", "fraction") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("give exactly one of int, choice, decimal, fraction")
        for pair in (self.int_, self.decimal, *(
                (self.fraction.num, self.fraction.den) if self.fraction else ())):
            if pair is not None and pair[0] > pair[1]:
                raise ValueError(f"range [{pair[0]}, {pair[1]}] is empty: write [low, high]")
        if self.fraction and self.fraction.den[0] <= 0:
            raise ValueError("fraction denominators must be positive")
        return self
