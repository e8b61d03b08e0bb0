"""One problem's variants over several processes (`--jobs N` with fewer files than N).

The class is drawn once, here (a draw that repeats an earlier one is skipped, so the draws
depend on each other), and cut into consecutive shares. This process solves and renders
the first share while spawned workers do the others; each worker solves the problem
itself (the solved problem on disk makes that a load). Workers send back bytes and
strings only: each sheet's file, the sheets' view models when a file of the whole class
needs them, and each variant's answers without their sympy form (the answer key uses
their strings). The shares are joined in order by the same `assemble` a serial build
uses, so the files are the serial build's, byte for byte.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from generator.build.lifeline import guard_worker, quiet_children, supervised
from generator.build.outputs import Output, prepare_one
from generator.build.progress import Tick
from generator.build.variants import (
    Rendered,
    Request,
    Sink,
    assemble,
    draw,
    refuse_failures,
    render,
    solve_some,
)
from generator.solvers.problem import Problem
from generator.theme.theme import Theme
from generator.variants.sampler import Sampler, Variant
from generator.variants.solution import Solved, Template

MIN_SHARE = 20  # fewer variants a process than this: spawning costs more than it saves


@dataclass(frozen=True)
class Job:
    """What every worker builds: one problem file's sheets in these languages and formats."""

    file: Path
    out: Path
    langs: tuple[str, ...]
    formats: tuple[str, ...]
    request: Request
    theme: Theme
    seconds: float


@dataclass(frozen=True)
class Share:
    """One worker's part: its solved variants (answers without sympy) and their sheets."""

    solved: list[Solved]
    rendered: Rendered


def shares(count: int, jobs: int) -> int:
    """How many processes a class of `count` variants is worth (1: do it here, serially)."""
    return max(1, min(jobs or os.cpu_count() or 1, count // MIN_SHARE))


def split_variant_outputs(problem: Problem, job: Job, processes: int,
                          progress: Tick | None = None, sink: Sink | None = None
                          ) -> list[Output]:
    """The files `variants.problem_variant_outputs` writes, made by `processes` processes."""
    sampler = Sampler(problem)
    template = Template(problem, sampler)
    variants = draw(sampler, job.request)
    size = -(-len(variants) // processes)
    parts = [variants[i:i + size] for i in range(0, len(variants), size)]
    context = multiprocessing.get_context("spawn")  # see jobs.py: no fork with threads
    lifeline, alive = context.Pipe(duplex=False)
    pool = ProcessPoolExecutor(len(parts) - 1, mp_context=context, initializer=guard_worker,
                               initargs=(os.getpid(), lifeline))
    with supervised(pool, alive, lifeline):
        with quiet_children():
            futures: list[Future[Share]] = [pool.submit(_work, job, p) for p in parts[1:]]
        done = [_sunk(_share(template, parts[0], job), sink)]
        if progress is not None:
            progress(1, len(parts), f"solved and wrote {len(parts[0])} variants")
        for number, future in enumerate(futures, 2):
            done.append(_sunk(future.result(), sink))
            if progress is not None:
                progress(number, len(parts), f"solved and wrote {len(parts[number - 1])} "
                         "variants in a worker")
    solved = [replace(s, solution=template.symbolic) for share in done for s in share.solved]
    refuse_failures(problem, solved)
    return assemble(template, solved, [share.rendered for share in done], job.out,
                    list(job.langs), list(job.formats), job.request, job.theme)


def _sunk(share: Share, sink: Sink | None) -> Share:
    """The share with its files written into the staging folder (paths kept only)."""
    if sink is not None:
        share.rendered.files = {k: sink(v) for k, v in share.rendered.files.items()}
    return share


def _share(template: Template, variants: list[Variant], job: Job) -> Share:
    solved = solve_some(template, variants, job.request)
    if any(s.failures for s in solved):  # nothing is written: the parent reports them
        return Share([_light(s) for s in solved], Rendered({}, {}))
    rendered = render(template, solved, job.out, list(job.langs), list(job.formats),
                      job.request, job.theme)
    return Share([_light(s) for s in solved], rendered)


def _light(solved: Solved) -> Solved:
    """What the answer key and the class files read: no solution, no sympy answers (an
    unpickled unevaluated sympy expression would be evaluated; see jobs.py)."""
    answers = tuple(replace(a, exact=None) for a in solved.answers)
    return replace(solved, solution=None, answers=answers)  # type: ignore[arg-type]


def _work(job: Job, variants: list[Variant]) -> Share:
    """One share in a worker: the problem solved (or loaded from disk) once per worker."""
    problem = prepare_one(job.file, job.seconds, _SOLVED, True)
    assert isinstance(problem, Problem)
    key = job.file.resolve()
    if key not in _TEMPLATES:
        _TEMPLATES[key] = Template(problem, Sampler(problem))
    return _share(_TEMPLATES[key], variants, job)


_SOLVED: dict[Path, Problem] = {}
_TEMPLATES: dict[Path, Template] = {}

