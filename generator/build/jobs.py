"""A build of many problem files, one after another or over worker processes (--jobs).

The unit of work is one problem file: solve and verify it, then produce its documents and
its variants' files. Workers send back the bytes of each file, never sympy objects:
unpickling an unevaluated sympy expression evaluates it, which would change a
substitute-only line. Both ways call the same functions per file and the parent joins the
results in file order, so a parallel build writes exactly the files of a serial one.

A serial build solves every file before it produces any document, so a broken file fails
fast. A parallel build cannot share solved problems between processes; once one file
fails (without --keep-going) the workers only solve the rest, to report their errors too.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from generator.build.filesystem import DiskError
from generator.build.lifeline import guard_worker, quiet_children, supervised
from generator.build.outputs import Output, display, no_clashes, outputs, prepare_all, prepare_one
from generator.build.progress import Tick
from generator.check.verify import refuse_numeric, refusing_numeric
from generator.errors import Location, SolgenError, SpecError, SpecErrors
from generator.theme.theme import Theme

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.synchronize import Event

    from generator.build.variants import Request
    from generator.solvers.problem import Problem
    from generator.solvers.sheet import Sheet


Sink = Callable[[list[Output]], list[Output]]


@dataclass(frozen=True)
class Plan:
    """Everything a build does with a solved problem; formats empty: only check."""

    out: Path
    langs: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()  # may include moodle, which only variants write
    pdf_engine: str = "auto"
    seconds: float = 60.0
    request: Request | None = None  # --variants N or --roster
    # --templates: only folders, so a spawned worker gets them and reads them itself.
    theme: Theme = field(default_factory=Theme)
    strict: bool = False  # check --strict: a step only checked numerically fails
    audit: bool = False  # build --audit: each solution ends with how its steps were checked
    pictures: bool = True  # build --no-pictures: documents without their drawing
    # Processes for one problem's variants (build/split.py): set when there are fewer
    # files than --jobs, so the cores left over share a class instead of idling.
    variant_jobs: int = 1


@dataclass
class Result:
    outputs: list[Output] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    problems: int = 0
    variants: int = 0
    steps: int = 0


@dataclass(frozen=True)
class _Unit:
    """What one file gave: its files, or the error that stopped it."""

    outputs: list[Output]
    error: str | None
    varied: bool = False
    variants: int = 0
    steps: int = 0
    path: str = ""


def run(files: list[Path], plan: Plan, jobs: int = 1, keep_going: bool = False,
        progress: Tick | None = None, sink: Sink | None = None) -> Result:
    """Build every file; raise (nothing to write) on a failure unless `keep_going`.

    `sink` takes a class's sheets as they are made (the staging folder) and gives back
    what stands for them in the result (their paths)."""
    before = refusing_numeric()
    refuse_numeric(plan.strict)
    try:
        return _run(files, plan, jobs, keep_going, progress, sink)
    finally:
        refuse_numeric(before)  # a later build in the same process is not strict


def _run(files: list[Path], plan: Plan, jobs: int, keep_going: bool,
         progress: Tick | None, sink: Sink | None) -> Result:
    wanted = jobs or os.cpu_count() or 1
    jobs = min(wanted, len(files))
    if plan.request is not None and wanted > len(files) and _writes(plan):
        plan = replace(plan, variant_jobs=wanted)
        jobs = 1  # files one after another, each class over every process
    if jobs <= 1:
        units = _serial(files, plan, keep_going, progress, sink)
    else:
        units = _parallel(files, plan, jobs, keep_going, progress)
    result = Result(problems=sum(1 for u in units if u.error is None))
    for unit in units:
        result.outputs += unit.outputs
        result.variants += unit.variants
        result.steps += unit.steps
        if unit.error is not None:
            result.failures.append(unit.error)
    if result.failures and not keep_going:
        raise SolgenError("\n".join(result.failures) + f"\n{len(result.failures)} of "
                          f"{len(files)} problem files failed; nothing was written.")
    if plan.request is not None and not any(u.varied for u in units):
        raise SpecErrors([SpecError(Location(u.path), "has no vary: (nothing to draw variants "
                                    "from)", "add vary: to the problem, or leave out "
                                    "--variants/--roster") for u in units if u.error is None])
    no_clashes(result.outputs)  # files of different problems with the same id
    return result


def _serial(files: list[Path], plan: Plan, keep_going: bool,
            progress: Tick | None, sink: Sink | None = None) -> list[_Unit]:
    # Files are counted when there are several; a single file's variants are counted.
    outer, inner = (None, progress) if len(files) == 1 else (progress, None)
    total = len(files) * (2 if _writes(plan) else 1)
    solving = None if outer is None else (lambda done, _, what: outer(done, total, what))
    failures: list[str] = []
    if "pdf" in plan.formats:  # typst's start-up and fonts load while the problems solve
        from generator.formats.pdf import compilers, warm

        compilers(plan.variant_jobs)  # --jobs: a class's PDFs over that many compilers
        warm(list(plan.langs), plan.pdf_engine)
    problems = prepare_all(files, plan.seconds, failures if keep_going else None, solving,
                           _writes(plan))
    units = [_Unit([], error) for error in failures]
    for number, problem in enumerate(problems, len(files) + 1):
        units.append(_produce(problem, plan, inner, sink))
        if outer is not None and _writes(plan):
            outer(number, total, f"wrote {problem.path}")
    return units


def _writes(plan: Plan) -> bool:
    return bool(plan.formats)


def _produce(problem: Problem | Sheet, plan: Plan, progress: Tick | None = None,
             sink: Sink | None = None) -> _Unit:
    """The documents (and variant files) of one solved problem."""
    steps = len(problem.solution.steps())
    try:
        if not _writes(plan):  # solgen check: what a build would refuse, without writing
            from generator.build.preflight import preflight

            return _Unit([], None, preflight(problem, plan.theme, plan.request), steps=steps,
                         path=problem.path)
        docs = [f for f in plan.formats if f not in ("moodle", "cloze", "qti")]  # variants only
        files = outputs([problem], plan.out, list(plan.langs), docs, plan.theme,
                        plan.pdf_engine, plan.audit, plan.pictures)
        if plan.request is None:
            return _Unit(files, None, steps=steps, path=problem.path)
        from generator.build.packets import packet_outputs, varies
        from generator.build.variants import varied
        from generator.solvers.sheet import Sheet

        count = plan.request.count if plan.request.roster is None else len(plan.request.roster)
        if isinstance(problem, Sheet) and varies(problem):  # one packet per student
            files += packet_outputs(problem, plan.out, list(plan.langs), list(plan.formats),
                                    plan.request, plan.theme, progress)
            return _Unit(files, None, True, count or 0, steps, problem.path)
        drawn = varied([problem])
        if not drawn:
            return _Unit(files, None, steps=steps, path=problem.path)
        files += _variant_outputs(drawn[0], plan, count or 0, progress, sink)
        return _Unit(files, None, True, count or 0, steps, problem.path)
    except SolgenError as exc:
        if sink is not None and isinstance(exc, DiskError):
            raise  # the staging folder cannot be written: the build stops, not the problem
        return _Unit([], exc.render().removesuffix("\n"), path=problem.path)


def _variant_outputs(problem: Problem, plan: Plan, count: int, progress: Tick | None,
                     sink: Sink | None) -> list[Output]:
    from generator.build.split import Job, shares, split_variant_outputs
    from generator.build.variants import problem_variant_outputs

    assert plan.request is not None
    processes = shares(count, plan.variant_jobs)
    if processes <= 1:
        return problem_variant_outputs(problem, plan.out, list(plan.langs),
                                       list(plan.formats), plan.request, plan.theme, progress,
                                       sink)
    job = Job(Path(problem.path), plan.out, plan.langs, plan.formats, plan.request,
              plan.theme, plan.seconds)
    return split_variant_outputs(problem, job, processes, progress, sink)


# Set in each worker by _start: what to build, and whether the build already failed.
_PLAN: Plan | None = None
_FAILED: Event | None = None
_SOLVED: dict[Path, Problem] = {}  # per worker: a problem in a sheet and alone is solved once


def _parallel(files: list[Path], plan: Plan, jobs: int, keep_going: bool,
              progress: Tick | None) -> list[_Unit]:
    # Spawned, not forked: a fork copies locks held by other threads (typst's, pytest's)
    # and the child can hang on them forever. Each worker imports solgen once (~1 s).
    context = multiprocessing.get_context("spawn")
    failed = None if keep_going else context.Event()
    units: list[_Unit | None] = [None] * len(files)
    # Only this process holds the writing end: the workers see the pipe close when it ends.
    lifeline, alive = context.Pipe(duplex=False)
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_start,
                               initargs=(plan, failed, os.getpid(), lifeline))
    with supervised(pool, alive, lifeline):
        with quiet_children():  # workers are spawned by the first submits
            futures = {pool.submit(_work, file): i for i, file in enumerate(files)}
        for done, future in enumerate(as_completed(futures), 1):
            unit = units[futures[future]] = future.result()
            if progress is not None:
                outcome = "failed" if unit.error else "built" if _writes(plan) else "verified"
                progress(done, len(files), f"{outcome} {display(files[futures[future]])}")
    return [u for u in units if u is not None]



def _start(plan: Plan, failed: Event | None, parent: int, lifeline: Connection) -> None:
    global _PLAN, _FAILED
    guard_worker(parent, lifeline)
    _PLAN, _FAILED = plan, failed
    refuse_numeric(plan.strict)


def _work(file: Path) -> _Unit:
    """One file in a worker: solve it; produce its files unless the build already failed."""
    assert _PLAN is not None
    try:
        problem = prepare_one(file, _PLAN.seconds, _SOLVED, _writes(_PLAN))
    except SolgenError as exc:
        if _FAILED is not None:
            _FAILED.set()
        return _Unit([], exc.render().removesuffix("\n"))
    if _FAILED is not None and _FAILED.is_set():
        return _Unit([], None, path=problem.path)  # nothing will be written anyway
    unit = _produce(problem, _PLAN)
    if unit.error is not None and _FAILED is not None:
        _FAILED.set()
    return unit
