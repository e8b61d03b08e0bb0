"""`solgen build`, `check` and `stress`: problems to files, to a verdict, to a report."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from generator.commands.options import (
    JOBS,
    LANG_CHOICES,
    MEMORY_LIMIT,
    TEMPLATE_FOLDERS,
    TIME_LIMIT,
    chosen_langs,
    guarded,
    note,
    variants_request,
)
from generator.formats.produce import FORMATS


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", default=Path("output"), show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option("--lang", "langs", multiple=True, type=click.Choice(LANG_CHOICES),
              help="Language (repeatable). Default: all.")
@click.option("--format", "formats", multiple=True,
              type=click.Choice([*FORMATS, "json", "moodle", "cloze", "qti"]),
              help="Output format (repeatable). Default: md, tex, pdf and json. With "
              "--variants or --roster: moodle (Moodle XML, a numerical question per answer), "
              "cloze (Moodle, one multi-part question per variant), qti (Canvas bank zip).")
@click.option("--pdf-engine", default="auto", show_default=True,
              type=click.Choice(["auto", "typst", "xelatex"]),
              help="PDF engine: typst (built in, auto) or xelatex (needs TeX Live).")
@click.option("--keep-going", is_flag=True,
              help="Write the problems that verify even when others fail (still exit 1).")
@click.option("--force", is_flag=True,
              help="Rebuild even when nothing changed since the last build.")
@click.option("--variants", "count_", type=click.IntRange(1, 100_000),
              help="Variants per problem with vary: (question and answer sheets, answer key).")
@click.option("--seed", default=0, show_default=True, type=int,
              help="Base seed: the same seed gives the same variants.")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV with an id column (and name): one variant per student.")
@click.option("--combined", is_flag=True, help="Also one file per class with every sheet.")
@click.option("--bom", is_flag=True,
              help="Start answers.csv with a UTF-8 byte order mark, so Excel reads names.")
@click.option("--audit", is_flag=True,
              help="Append to each solution how its steps were checked (counts, engines).")
@click.option("--no-pictures", "pictures", is_flag=True, flag_value=False, default=True,
              help="Leave out the pictures (computation graph, function plot) of the sheets.")
@click.option("--wait", default=0.0, show_default=True, type=click.FloatRange(min=0),
              help="Seconds to wait for another build of the same --out to finish.")
@JOBS
@TEMPLATE_FOLDERS
@TIME_LIMIT
@MEMORY_LIMIT
def build(paths: tuple[Path, ...], out: Path, langs: tuple[str, ...],
          formats: tuple[str, ...], pdf_engine: str, keep_going: bool, count_: int | None,
          seed: int, roster: Path | None, combined: bool, bom: bool, audit: bool,
          pictures: bool, seconds: float, force: bool, jobs: int, templates: tuple[Path, ...],
          wait: float, megabytes: int) -> None:
    """Solve, verify and write every problem to OUT/<lang>/<id>.<ext>.

    PATHS are YAML files or folders (default: problems/). Nothing is written
    unless every problem solves and verifies (see --keep-going). The new build
    is assembled in a folder beside OUT and swapped in at once, so OUT always
    holds one whole build, even if this one is stopped or fails. One build at
    a time writes OUT (see --wait).

    With --variants N (or --roster FILE), every problem that has vary: also gets
    N variants under OUT/<lang>/<id>/ (question and answer sheets) and the
    class answer key OUT/<id>/answers.json and answers.csv.

    \b
    Examples:
      solgen build problems/ --out output --lang zh-TW --format md
      solgen build problems/hw1-3-conv-w11-variants.yaml --variants 30 --seed 2024
      solgen build problems/ --roster class.csv --seed 2024 --combined --format moodle
      solgen build --format pdf --pdf-engine xelatex
    """
    from generator.build.outputs import DEFAULT_FORMATS

    chosen = list(formats or DEFAULT_FORMATS)
    if count_ is not None and roster is not None:
        raise click.UsageError("give --variants N or --roster FILE, not both")
    lms = [f for f in chosen if f in ("moodle", "cloze", "qti")]
    if lms and count_ is None and roster is None:
        raise click.UsageError(f"--format {lms[0]} needs --variants N or --roster FILE")
    options: dict[str, object] = {
        "langs": chosen_langs(langs), "formats": chosen, "engine": pdf_engine,
        "variants": count_,
        "seed": seed, "combined": combined, "bom": bom, "audit": audit,
        "pictures": pictures}
    if "html" in chosen:
        from generator.formats import katex

        # In the fingerprint: after `npm ci` the MathML pages of an earlier build are stale.
        options["html_math"] = "katex" if katex.available() else "mathml"
    guarded(lambda: _build(list(paths), out, options, roster, keep_going, force, seconds,
                            jobs, templates, wait), out, megabytes)


def _say_math_engine() -> None:
    """One notice per build (not per page) when HTML formulas fall back to MathML."""
    from generator.formats import katex

    if not katex.available():
        note(katex.missing_note())


def _build(paths: list[Path], out: Path, options: dict[str, Any], roster: Path | None,
           keep_going: bool, force: bool, seconds: float, jobs: int,
           templates: tuple[Path, ...], wait: float) -> None:
    from generator.build import cache, lock, staging
    from generator.build import outputs as b
    from generator.build.progress import Progress, count
    from generator.theme.selection import choose

    start = time.perf_counter()
    theme = choose(templates, seconds)
    files = b.problem_files(paths or [Path("problems")])
    unsafe = staging.unsafe_out(out, [*files, *([roster] if roster else []), *templates])
    if unsafe:
        raise click.BadParameter(f"{out} cannot be the output folder: {unsafe}. solgen "
                                 "replaces the output folder as a whole; give it a folder of "
                                 "its own, such as output/", param_hint="--out")
    key = cache.fingerprint([*files, *([roster] if roster else [])], options, templates)
    with lock.hold(out, wait):
        staging.clean_leftovers(staging.Places.of(out))  # of a build stopped earlier
        known = None if force or keep_going else cache.up_to_date(out, key, note)
        if known is not None:
            click.echo(f"nothing changed: {count(known, 'file')} in {out}/ up to date "
                       f"({time.perf_counter() - start:.2f} s)", err=True)
            return
        if "html" in options["formats"]:
            _say_math_engine()
        progress = Progress(sys.stderr, sys.stderr.isatty())
        try:
            result, written = _produce(files, out, options, roster, keep_going, seconds, jobs,
                                       theme, key, progress)
        finally:
            progress.close()
    if result.failures:
        click.echo("\n".join(result.failures), err=True)
    click.echo(f"{count(result.problems, 'problem')}, {count(result.variants, 'variant')}, "
               f"{count(len(result.outputs), 'file')} in {out}/ ({written} written), "
               f"{count(len(result.failures), 'failure')}, "
               f"{time.perf_counter() - start:.2f} s", err=True)
    if result.failures:
        click.echo(f"{len(result.failures)} of {len(files)} problem files failed; the others "
                   "were written.", err=True)
        sys.exit(1)


def _produce(files: list[Path], out: Path, options: dict[str, Any], roster: Path | None,
             keep_going: bool, seconds: float, jobs: int, theme: Any,
             key: str, progress: Any) -> tuple[Any, int]:
    """Solve, verify and render every file, then publish OUT all at once (under its lock)."""
    from generator.build import cache, staging
    from generator.build import jobs as j

    request = variants_request(options["variants"], options["seed"], roster,
                               options["combined"], options["engine"], options["bom"], seconds)
    plan = j.Plan(out, tuple(options["langs"]), tuple(options["formats"]), options["engine"],
                  seconds, request, theme, audit=options["audit"],
                  pictures=options["pictures"])
    # Opened first: a class's sheets are written into it as they are made (issue 16).
    # Not with --keep-going: a problem that fails after some of its sheets were written
    # must leave none behind, so its sheets wait until it has passed.
    stage = staging.Stage(out)
    try:
        stage.open()
        result = j.run(files, plan, jobs, keep_going, progress,
                       None if keep_going else stage.add)
    except BaseException:
        stage.abandon()
        raise
    # A folder of one problem's variants is this build's alone (stale sheets are dropped).
    shared = {out, *(out / lang for lang in options["langs"])}
    owned = {o.path.parent for o in result.outputs} - shared
    record = None if result.failures else (
        lambda entries: cache.record_text(key, options, entries))
    done = staging.publish(out, result.outputs, owned, record, stage)
    cache.save_times(out, done.entries)
    return result, len(done.written)


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-n", "count", default=1000, show_default=True, type=click.IntRange(1, 1_000_000),
              help="How many variants to draw.")
@click.option("--seed", default=0, show_default=True, type=int, help="Base seed.")
def stress(file: Path, count: int, seed: int) -> None:
    """Draw N variants, solve and verify each, and report how they went.

    Prints the acceptance rate of where:, the time per variant, the range of
    every answer, duplicates skipped and any failed check (exit 1 if one fails).

    \b
    Example:
      solgen stress problems/hw1-3-conv-w11-variants.yaml -n 1000
    """
    from generator.build.outputs import prepare_all
    from generator.build.variants import varied_or_fail
    from generator.variants.stress import run

    report = run(varied_or_fail(prepare_all([file]))[0], count, seed)
    click.echo(report.text())
    if report.failures:
        sys.exit(1)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path),
              help="Also check this class list, as build --roster reads it.")
@click.option("--strict", is_flag=True,
              help="Fail any step or expect: that is only checked numerically (agrees at "
              "sample points to 50 digits) instead of proved.")
@JOBS
@TEMPLATE_FOLDERS
@TIME_LIMIT
@MEMORY_LIMIT
def check(paths: tuple[Path, ...], seconds: float, jobs: int, roster: Path | None,
          templates: tuple[Path, ...], strict: bool, megabytes: int) -> None:
    """Parse, solve and verify problems; write nothing.

    Checks what a build checks: every step, and for a problem with vary: one
    drawn variant (vary: names, where:, numbers for every leaf); with --roster
    the class list and with --templates your templates.

    \b
    Examples:
      solgen check problems/hw1-3-conv-w11.yaml
      solgen check problems --roster class.csv --templates course-templates
      solgen check --strict problems/    # every step proved, not only sampled
    """
    from generator.build import jobs as j
    from generator.build import outputs as b
    from generator.build.progress import Progress, count
    from generator.theme import selection

    def work() -> None:
        progress = Progress(sys.stderr, sys.stderr.isatty())
        try:
            theme = selection.choose(templates, seconds)
            request = variants_request(None, 0, roster, False, "auto")
            files = b.problem_files(paths or (Path("problems"),))
            plan = j.Plan(Path(), seconds=seconds, request=request, theme=theme,
                          strict=strict)
            result = j.run(files, plan, jobs, progress=progress)
        finally:
            progress.close()
        click.echo(f"ok: {count(result.problems, 'problem')}, "
                   f"{count(result.steps, 'step')} verified")

    guarded(work, megabytes=megabytes)
