"""`solgen stress FILE -n N`: draw, solve and verify N variants and report on them.

Like R/exams' `stresstest_exercise`, and it verifies the mathematics too: each variant's
numeric lines are checked with mpmath (gradient) or the whole solution by the verifier
(SGD). Duplicates are counted, not skipped, so the report shows how crowded the space is.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import mpmath

from generator.solvers.problem import Problem
from generator.variants.sampler import Sampler, Variant, variant_seed
from generator.variants.solution import Template


@dataclass
class Report:
    problem: str
    count: int
    seconds: float
    tries: int
    rejected: dict[str, int]
    duplicates: int
    space: int
    ranges: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def text(self) -> str:
        rate = 100 * self.count / self.tries if self.tries else 100.0
        lines = [f"{self.problem}: {self.count} variants drawn, solved and verified",
                 f"  acceptance rate of where: {rate:.1f}% ({self.count} of {self.tries} draws)"]
        lines += [f"    rejected first by `{text}`: {n}" for text, n in self.rejected.items()]
        lines += [f"  time per variant: {1000 * self.seconds / self.count:.2f} ms "
                  f"({self.seconds:.2f} s in all)",
                  f"  duplicates: {self.duplicates} (space before where: {self.space} draws)"]
        for key, (lo, hi) in self.ranges.items():
            lines.append(f"  {key}: from {mpmath.nstr(lo, 6)} to {mpmath.nstr(hi, 6)}")
        if self.failures:
            lines.append(f"  FAILED checks: {len(self.failures)}")
            lines += [f"    {f}" for f in self.failures[:20]]
        else:
            lines.append("  failed checks: none")
        return "\n".join(lines)


def run(problem: Problem, count: int, seed: int) -> Report:
    sampler = Sampler(problem)
    template = Template(problem, sampler)
    start = time.perf_counter()
    seen: set[Any] = set()
    duplicates = 0
    ranges: dict[str, tuple[Any, Any]] = {}
    failures: list[str] = []
    for k in range(1, count + 1):
        vseed = variant_seed(seed, problem.spec.id, str(k))
        drawn = sampler.sample(vseed)
        duplicates += drawn.identity in seen
        seen.add(drawn.identity)
        solved = template.solve(Variant(f"v{k:03d}", str(k), vseed, drawn))
        failures += [f"variant {k} (seed {vseed}): {f}" for f in solved.failures]
        for a in solved.answers:
            lo, hi = ranges.get(a.key, (a.value, a.value))
            ranges[a.key] = (min(lo, a.value), max(hi, a.value))
    seconds = time.perf_counter() - start
    tally = sampler.tally
    rejected = {c.text: tally.rejected.get(c.index, 0) for c in sampler.conditions}
    return Report(problem.spec.id, count, seconds, tally.tries, rejected, duplicates,
                  sampler.space(), ranges, failures)
