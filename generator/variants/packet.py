"""Per-student packets of a sheet: one consistent draw across every part with `vary:`.

A sheet's homework is one data set per student, not one per part: a name that several
parts vary (x1 in a gradient part and in an SGD-step part) is drawn once and every part
gets that value. So the draw is joint: one `random.Random` per student, seeded like a
single problem's variant (sha256 of the base seed, the *sheet's* id and `student:ID` or
the variant number), draws each distinct varied name once, in the order the parts first
name it, and keeps the draw only when every part's `where:` holds (rejection sampling,
at most MAX_TRIES draws). A name must be drawn the same way (same values, same shape) in
every part that varies it, else the later part's `vary:` entry is refused. A name that
only one part varies is that part's own; a part without `vary:` keeps its fixed values.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from dataclasses import dataclass

import sympy

from generator.errors import SpecError, SpecErrors
from generator.solvers import registry
from generator.solvers.sheet import Sheet
from generator.variants.sampler import (
    MAX_TRIES,
    Drawn,
    Sampler,
    SpaceTooSmall,
    Variant,
    per_student,
    variant_seed,
)


@dataclass(frozen=True)
class Part:
    """One part of the sheet with `vary:`: its number ("1", "2b") and its sampler."""

    number: str
    sampler: Sampler


@dataclass(frozen=True)
class Packet:
    """One student's (or one numbered variant's) draw: a `Variant` per varied part."""

    label: str  # "v003" or the student id: names the files
    key: str  # what the seed was made from: "3" or "student:B0123"
    seed: int
    parts: dict[str, Variant]  # part number → that part's variant (same label, key, seed)
    student: str | None = None
    name: str | None = None

    @property
    def code(self) -> str:
        """A short name of this draw for the sheet's header (the seed's first hex digits)."""
        return f"{self.seed:016x}"[:6]


class PacketSampler:
    """The varied parts of one sheet, drawn together (compiled once per sheet)."""

    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet
        self.parts = [Part(e.number, Sampler(e.problem)) for e in sheet.entries
                      if e.problem is not None and registry.vary(e.problem.spec)]
        self.names = _shared_names(self.parts)  # name → candidate values, in draw order

    def space(self) -> int:
        """How many different joint draws there are before `where:`."""
        return math.prod(len(values) ** size for values, size in self.names.values())

    def sample(self, seed: int) -> dict[str, Drawn]:
        """Draw every name once; keep the draw when every part's `where:` holds."""
        rng = random.Random(seed)
        for tries in range(1, MAX_TRIES + 1):
            drawn = {name: [rng.choice(values) for _ in range(size)]
                     for name, (values, size) in self.names.items()}
            out = {p.number: _part_draw(p.sampler, drawn, tries) for p in self.parts}
            if all(p.sampler.accepts(out[p.number].point) for p in self.parts):
                return out
        # The part whose conditions fail most often is named, as for a single problem.
        worst = max(self.parts, key=lambda p: sum(p.sampler.tally.rejected.values()))
        raise worst.sampler.impossible(seed)


def _shared_names(parts: list[Part]) -> dict[str, tuple[tuple[sympy.Rational, ...], int]]:
    """Each varied name once: its values and how many symbols it fills (an array: many)."""
    names: dict[str, tuple[tuple[sympy.Rational, ...], int]] = {}
    first: dict[str, Part] = {}
    errors: list[SpecError] = []
    for part in parts:
        for slot in part.sampler.slots:
            drawn = (slot.values, len(slot.symbols))
            if slot.name not in names:
                names[slot.name], first[slot.name] = drawn, part
            elif names[slot.name] != drawn:
                other = first[slot.name].sampler.problem.path
                errors.append(SpecError(
                    part.sampler.problem.source.at(("vary", slot.name)),
                    f"{slot.name!r} is drawn differently in {other}, another part of the "
                    "same sheet", "a name several parts vary is drawn once per student: "
                    "give it the same draw (and shape) in every part"))
    if errors:
        raise SpecErrors(errors)
    return names


def _part_draw(sampler: Sampler, drawn: dict[str, list[sympy.Rational]], tries: int) -> Drawn:
    pairs = tuple((sym, drawn[slot.name][i]) for slot in sampler.slots
                  for i, sym in enumerate(slot.symbols))
    return Drawn({**sampler.base, **dict(pairs)}, pairs, tries)


def _identity(draws: dict[str, Drawn]) -> tuple[tuple[str, sympy.Rational], ...]:
    return tuple((s.name, v) for d in draws.values() for s, v in d.drawn)


def _packet(label: str, key: str, seed: int, draws: dict[str, Drawn],
            student: str | None = None, name: str | None = None) -> Packet:
    parts = {n: Variant(label, key, seed, d, student, name) for n, d in draws.items()}
    return Packet(label, key, seed, parts, student, name)


def numbered_packets(sampler: PacketSampler, base_seed: int, count: int) -> list[Packet]:
    """Packets 1…count, skipping a k whose draw repeats an earlier one."""
    sid = sampler.sheet.spec.id
    _room(sampler, count)
    out: list[Packet] = []
    seen: set[tuple[tuple[str, sympy.Rational], ...]] = set()
    k = 0
    while len(out) < count:
        k += 1
        if k > 20 * count + 100:
            raise _too_small(sampler, f"found only {len(out)} different packets in {k - 1} "
                             f"draws, fewer than the {count} asked for")
        seed = variant_seed(base_seed, sid, str(k))
        draws = sampler.sample(seed)
        if _identity(draws) in seen:
            continue
        seen.add(_identity(draws))
        out.append(_packet(f"v{k:03d}", str(k), seed, draws))
    return out


def student_packets(sampler: PacketSampler, base_seed: int,
                    students: Iterable[tuple[str, str]]) -> list[Packet]:
    """One packet per student, seeded by the id as a single problem's variant is: adding
    students never changes others; a repeated draw is drawn again (`student:id:2`, …)."""
    sid = sampler.sheet.spec.id
    roster = list(students)
    _room(sampler, len(roster))
    return [_packet(student, key, seed, draws, student, name)
            for student, name, key, seed, draws in per_student(
                roster, lambda key: variant_seed(base_seed, sid, key), sampler.sample,
                _identity,
                lambda student: _too_small(sampler, f"no new packet left for student {student}"))]


def _room(sampler: PacketSampler, count: int) -> None:
    space = sampler.space()
    if count > space:
        raise _too_small(sampler, f"the parts' vary: allow only {space} different draws, "
                         f"fewer than the {count} packets asked for")


def _too_small(sampler: PacketSampler, message: str) -> SpaceTooSmall:
    first = sampler.parts[0].sampler.problem
    return SpaceTooSmall([SpecError(first.source.at(("vary",)), message,
                                    "widen the ranges under vary: or ask for fewer packets")])
