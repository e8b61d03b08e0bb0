"""`solgen review`: a person's written derivation, checked line by line."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generator.commands.options import LANG_CHOICES


@click.command()
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--problem", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The problem file: its names, definitions and verified answer.")
@click.option("--define", "defines", multiple=True, metavar="NAME=EXPR",
              help="A definition in LaTeX, e.g. 's=\\sigma(x)' (repeatable).")
@click.option("--lang", default="zh-TW", show_default=True, type=click.Choice(LANG_CHOICES))
@click.option("--format", "fmt", default="md", show_default=True,
              type=click.Choice(["md", "html", "json"]), help="Report format.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for one report per submission and summary.csv (default with "
              "several files: reviews).")
@click.option("--line-time", "line_time", default=3.0, show_default=True,
              type=click.FloatRange(min=0.1, max=600),
              help="Seconds of symbolic work allowed per relation.")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(min=0),
              help="Submissions reviewed at once, each in its own process (0: one per CPU).")
def review(paths: tuple[Path, ...], problem: Path | None, defines: tuple[str, ...], lang: str,
           fmt: str, out: Path | None, line_time: float, jobs: int) -> None:
    """Check a written derivation line by line (Markdown or LaTeX).

    Every chain of relations (=, &=, \\approx, ⇒) is read and each link marked
    ✓ proved, ≈ numeric, ✗ wrong (with a counterexample) or ? unread. One file
    prints an annotated copy; a folder writes OUT/<name>.review.<ext> and
    OUT/summary.csv.

    \b
    Examples:
      solgen review hw.md --define 's=\\sigma(x)' --lang en
      solgen review submissions/ --problem problems/hw1-3-conv-w11.yaml --out reviews -j 0
    """
    from generator.build.progress import Progress, count
    from generator.review import batch
    from generator.review.setup import Setup, from_problem, parse_defines, with_definitions

    progress = Progress(sys.stderr, sys.stderr.isatty())
    try:
        setup = from_problem(problem) if problem else Setup()
        setup.seconds = line_time
        setup = with_definitions(setup, parse_defines(defines), "--define")
        files = batch.submissions(paths)
        if out is None and (len(files) != 1 or any(p.is_dir() for p in paths)):
            out = Path("reviews")
        reviews = batch.review_all(files, setup, jobs, progress)
    finally:
        progress.close()
    failed = [r for r in reviews if r.error]
    for r in failed:
        click.echo(r.error, err=True)
    if out is None:
        from generator.review.report import render

        if not failed:
            click.echo(render(reviews[0], lang, fmt), nl=False)
    else:
        from generator.build.outputs import Output, write

        roots = [p for p in paths if p.is_dir()]
        write([Output(path, text) for path, text in
               batch.outputs(reviews, files, roots, out, lang, fmt)])
    wrong = sum(r.count("wrong") for r in reviews)
    click.echo(f"{count(len(reviews) - len(failed), 'submission')} reviewed, "
               f"{count(wrong, 'wrong line')}, {count(len(failed), 'failure')}"
               + (f"; reports in {out}/" if out else ""), err=True)
    if failed:
        sys.exit(1)
