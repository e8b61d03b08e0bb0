"""Where the verifier evaluates a line: points an author cannot choose to miss.

Three sets:
- `screen`: five points from a seed fixed by the number of symbols, as always. They stop a
  wrong step cheaply, and their counterexamples are the ones the docs show; an author can
  predict them, so they never make a line pass.
- `drawn(symbols, fresh=False)`: points from a hash of the whole problem file's text. They
  are the same in every build, so the worst difference printed as a step's evidence is
  the same bytes every time, but changing one character of the file moves all of them.
- `drawn(symbols, fresh=True)`: points from the same hash and a salt taken from os.urandom
  once per process. Nothing printed depends on them unless a line fails there, so a line
  crafted against the file's own points still meets points nobody could know.

Values spread over signs and magnitudes (10⁻⁶ … 10⁶), plus small fractions, so a wrong
term that is tiny or huge next to the rest is still compared at a scale that shows it.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import Iterator
from contextlib import contextmanager

import sympy
from sympy import Symbol

SCREEN = 5
DRAWN = 12
_SALT = os.urandom(16)
_file = hashlib.sha256(b"").digest()

Point = dict[Symbol, sympy.Rational]


@contextmanager
def problem_text(raw: bytes) -> Iterator[None]:
    """Draw this problem's points from its file's bytes while the block runs."""
    global _file
    before, _file = _file, hashlib.sha256(raw).digest()
    try:
        yield
    finally:
        _file = before


def screen(symbols: list[Symbol], count: int = SCREEN * 3) -> list[Point]:
    rng = random.Random(len(symbols))
    return [{s: sympy.Rational(rng.randint(-1900, 1900), 1000) for s in symbols}
            for _ in range(count)]


def _value(rng: random.Random) -> sympy.Rational:
    kind = rng.random()
    if kind < 0.35:
        return sympy.Rational(rng.randint(-2000, 2000), 1000)
    if kind < 0.55:
        return sympy.Rational(rng.randint(-12, 12), rng.randint(1, 7))
    mantissa = sympy.Rational(rng.randint(1000, 9999), 1000)
    sign = 1 if rng.random() < 0.5 else -1
    return sign * mantissa * sympy.Rational(10) ** rng.randint(-6, 6)


def drawn(symbols: list[Symbol], fresh: bool, count: int = DRAWN) -> list[Point]:
    names = ",".join(s.name for s in symbols).encode()
    seed = hashlib.sha256((_SALT if fresh else b"") + _file + names).digest()
    rng = random.Random(seed)
    return [{s: _value(rng) for s in symbols} for _ in range(count)]


def nearby(point: Point, rng: random.Random, count: int) -> list[Point]:
    """Small moves of a point (1 ‰ of each value): more points in the same region."""
    out = []
    for _ in range(count):
        out.append({s: v + (abs(v) + sympy.Rational(1, 100)) * sympy.Rational(
            rng.randint(-1000, 1000), 10**6) for s, v in point.items()})
    return out


def jitter_rng() -> random.Random:
    return random.Random(hashlib.sha256(_SALT + _file + b"nearby").digest())
