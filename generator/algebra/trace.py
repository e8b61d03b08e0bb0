"""The step trace: what a solution says, as data.

A trace holds rule keys and sympy expressions, never prose; words come from
`templates/messages/<lang>.yaml` at render time, so one trace serves every language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

import sympy

Status = Literal["proved", "numeric", "failed"]


@dataclass(frozen=True)
class Check:
    status: Status
    # Which rung decided: "identical", "expand", "cancel", "regions" (proved); "exact" or
    # "mpmath" (failed); "mpmath" or "rounding-exact" (numeric).
    method: str
    detail: str = ""  # the evidence: a counterexample, or how far agreement went

    @property
    def only_numeric(self) -> bool:
        """Agreement at points and nothing more (`check --strict` refuses it). A `≈` line
        whose rounding was decided in exact arithmetic is numeric by nature, not by doubt."""
        return self.status == "numeric" and self.method != "rounding-exact"

    def evidence(self) -> str:
        return f"{self.method}: {self.detail}" if self.detail else self.method


@dataclass(frozen=True)
class Step:
    """One line of a derivation: `lhs relation rhs`, or `relation rhs` continuing the last."""

    rule: str
    rhs: sympy.Basic
    lhs: sympy.Basic | None = None
    relation: str = "="
    value: sympy.Basic | None = None  # canonical form for checking; default: rhs
    check: Check | None = None
    layout: str = ""  # "" or "bracket_sum": one term of a factored sum per line
    digits: int | None = None  # for "\\approx" steps: decimals shown, sets the tolerance
    params: Mapping[str, sympy.Basic] = field(default_factory=dict)  # of the rule's sentence

    @property
    def canonical(self) -> sympy.Basic:
        return self.rhs if self.value is None else self.value


@dataclass(frozen=True)
class Block:
    """A sentence (message key) followed by zero or more derivation lines in one display."""

    key: str = ""
    params: Mapping[str, sympy.Basic | str] = field(default_factory=dict)
    steps: tuple[Step, ...] = ()
    at: Mapping[sympy.Symbol, sympy.Basic] = field(default_factory=dict)  # substitution point
    extra: Mapping[sympy.Symbol, sympy.Basic] = field(default_factory=dict)  # local definitions
    items: tuple[tuple[str, Mapping[str, sympy.Basic | str]], ...] = ()  # bullet list
    layout: str = "aligned"  # "aligned": one step per line; "inline": one line, \\qquad apart
    boxed: bool = False
    # A table under the text: first row is the header. A str cell is an `items` message key,
    # anything else is math. Tables repeat checked numbers; they are not checked themselves.
    table: tuple[tuple[sympy.Basic | str, ...], ...] = ()


@dataclass(frozen=True)
class Section:
    key: str
    blocks: tuple[Block, ...]
    params: Mapping[str, sympy.Basic | str] = field(default_factory=dict)
    level: int = 3


@dataclass(frozen=True)
class Solution:
    problem_id: str
    kind: str
    sections: tuple[Section, ...]
    answers: Mapping[str, sympy.Basic] = field(default_factory=dict)
    names: Mapping[sympy.Symbol, str] = field(default_factory=dict)  # LaTeX of solver symbols
    decimal_data: bool = False  # print terminating fractions as decimals (data given as 0.1)
    defs: Mapping[str, sympy.Basic] = field(default_factory=dict)  # what answer symbols mean

    def with_blocks(self, checked: list[list[Block]]) -> Solution:
        sections = tuple(replace(s, blocks=tuple(b)) for s, b in zip(self.sections, checked,
                                                                      strict=True))
        return replace(self, sections=sections)

    def steps(self) -> list[Step]:
        return [st for sec in self.sections for blk in sec.blocks for st in blk.steps]

    def to_text(self, evidence: bool = False) -> str:
        """A language-free listing for golden files: rule, lhs, relation, rhs, check (and
        with `evidence`, what showed it: `show --format trace`)."""
        lines = [f"solution {self.problem_id} ({self.kind})"]
        for sec in self.sections:
            lines.append(f"section {sec.key}")
            for blk in sec.blocks:
                if blk.key:
                    lines.append(f"  say {blk.key}")
                for item, _ in blk.items:
                    lines.append(f"  item {item}")
                for st in blk.steps:
                    status: str = st.check.status if st.check else "unchecked"
                    if evidence and st.check is not None:
                        status += f": {st.check.evidence()}"
                    lhs = "" if st.lhs is None else f"{st.lhs} "
                    mark = ">>  " if status.startswith("failed") else "    "  # the step to fix
                    lines.append(f"{mark}[{st.rule}] {lhs}{st.relation} {st.rhs}  <{status}>")
        for lhs, rhs in self.answers.items():
            lines.append(f"answer {lhs} = {rhs}")
        return "\n".join(lines) + "\n"
