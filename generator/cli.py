"""The `solgen` command. The one place where errors become exit codes.

Exit codes: 0 ok, 1 error in the input (or a step that does not follow), 2 usage.
Heavy modules (sympy) are imported inside commands so `solgen --help` stays fast.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from generator.formats.produce import FORMATS

LANG_CHOICES = ("zh-TW", "en")

# Budget of symbolic work per problem file; generator.limits.DEFAULT_SECONDS, repeated here
# so that `--help` does not import the build machinery.
TIME_LIMIT = click.option("--time-limit", "seconds", default=60.0, show_default=True,
                          type=click.FloatRange(min=0),
                          help="Seconds of symbolic work allowed per problem (0: no limit).")

JOBS = click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(min=0),
                    help="Problem files built at once, each in its own process (0: one per "
                    "CPU). The files are the same as with 1.")

# The user's template folders; a missing folder is a usage error (exit 2).
TEMPLATE_FOLDERS = click.option(
    "--templates", "templates", multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of your own templates, used before the built-in ones (repeatable: the "
    "first wins). See docs/templates.md.")


def _fail(exc: Exception) -> None:
    from generator.errors import SolgenError

    if isinstance(exc, SolgenError):
        click.echo(exc.render(), err=True)
        sys.exit(1)
    raise exc


def _langs(values: tuple[str, ...]) -> list[str]:
    return list(values) if values else list(LANG_CHOICES)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="solgen")
def main() -> None:
    """solgen: YAML problems to verified, step-by-step solutions.

    Every step is checked by sympy before it is printed; a step that does not
    follow stops the build and names the file and line.

    \b
    Examples:
      solgen build                       # every problem in problems/ → output/
      solgen check problems/hw1-3-conv-w11.yaml
      solgen show problems/week1-sgd-step.yaml --lang en
    """


@main.command()
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
@JOBS
@TEMPLATE_FOLDERS
@TIME_LIMIT
def build(paths: tuple[Path, ...], out: Path, langs: tuple[str, ...],
          formats: tuple[str, ...], pdf_engine: str, keep_going: bool, count_: int | None,
          seed: int, roster: Path | None, combined: bool, bom: bool, seconds: float,
          force: bool, jobs: int, templates: tuple[Path, ...]) -> None:
    """Solve, verify and write every problem to OUT/<lang>/<id>.<ext>.

    PATHS are YAML files or folders (default: problems/). Nothing is written
    unless every problem solves and verifies (see --keep-going). Each file is
    written to a temporary name and renamed, so output is never half-written.

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
    from generator.build import cache
    from generator.build import outputs as b
    from generator.build.progress import Progress, count
    from generator.theme.selection import choose

    start = time.perf_counter()
    chosen = list(formats or b.DEFAULT_FORMATS)
    if count_ is not None and roster is not None:
        raise click.UsageError("give --variants N or --roster FILE, not both")
    lms = [f for f in chosen if f in ("moodle", "cloze", "qti")]
    if lms and count_ is None and roster is None:
        raise click.UsageError(f"--format {lms[0]} needs --variants N or --roster FILE")
    progress = Progress(sys.stderr, sys.stderr.isatty())
    try:
        theme = choose(templates)
        files = b.problem_files(paths or (Path("problems"),))
        key = cache.fingerprint([*files, *([roster] if roster else [])], {
            "langs": _langs(langs), "formats": chosen,
            "engine": pdf_engine, "variants": count_, "seed": seed, "combined": combined,
            "bom": bom},
            templates)
        known = None if force or keep_going else cache.up_to_date(out, key)
        if known is not None:
            click.echo(f"nothing changed: {count(known, 'file')} in {out}/ up to date "
                       f"({time.perf_counter() - start:.2f} s)", err=True)
            return
        from generator.build import jobs as j

        plan = j.Plan(out, tuple(_langs(langs)), tuple(chosen), pdf_engine, seconds,
                      _request(count_, seed, roster, combined, pdf_engine, bom), theme)
        result = j.run(files, plan, jobs, keep_going, progress)
        written = b.write(result.outputs)
        if not result.failures:
            cache.remember(out, key, [o.path for o in result.outputs])
    except Exception as exc:
        progress.close()
        _fail(exc)
        return
    progress.close()
    if result.failures:
        click.echo("\n".join(result.failures), err=True)
    click.echo(f"{count(result.problems, 'problem')}, {count(result.variants, 'variant')}, "
               f"{count(len(result.outputs), 'file')} in {out}/ ({len(written)} written), "
               f"{count(len(result.failures), 'failure')}, "
               f"{time.perf_counter() - start:.2f} s", err=True)
    if result.failures:
        click.echo(f"{len(result.failures)} of {len(files)} problem files failed; the others "
                   "were written.", err=True)
        sys.exit(1)


def _request(count: int | None, seed: int, roster: Path | None, combined: bool,
             pdf_engine: str, bom: bool = False) -> Any:
    """The variants asked for (--variants N or --roster FILE), or None."""
    if count is None and roster is None:
        return None
    from generator.build.variants import Request, read_roster

    students = read_roster(roster) if roster is not None else None
    return Request(count, seed, students, combined, pdf_engine, bom)


@main.command()
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
    from generator.variants.stress import run

    try:
        from generator.build.variants import varied_or_fail

        report = run(varied_or_fail(prepare_all([file]))[0], count, seed)
    except Exception as exc:
        _fail(exc)
        return
    click.echo(report.text())
    if report.failures:
        sys.exit(1)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path),
              help="Also check this class list, as build --roster reads it.")
@click.option("--strict", is_flag=True,
              help="Fail any step or expect: that is only checked numerically (agrees at "
              "sample points to 50 digits) instead of proved.")
@JOBS
@TEMPLATE_FOLDERS
@TIME_LIMIT
def check(paths: tuple[Path, ...], seconds: float, jobs: int, roster: Path | None,
          templates: tuple[Path, ...], strict: bool) -> None:
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

    progress = Progress(sys.stderr, sys.stderr.isatty())
    try:
        theme = selection.choose(templates)
        request = _request(None, 0, roster, False, "auto")
        files = b.problem_files(paths or (Path("problems"),))
        plan = j.Plan(Path(), seconds=seconds, request=request, theme=theme, strict=strict)
        result = j.run(files, plan, jobs, progress=progress)
    except Exception as exc:
        progress.close()
        _fail(exc)
        return
    progress.close()
    click.echo(f"ok: {count(result.problems, 'problem')}, "
               f"{count(result.steps, 'step')} verified")


@main.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--lang", default="zh-TW", show_default=True, type=click.Choice(LANG_CHOICES))
@click.option("--format", "fmt", default="md", show_default=True,
              type=click.Choice(["md", "tex", "json", "trace"]), help="What to print.")
@TEMPLATE_FOLDERS
@TIME_LIMIT
def show(file: Path, lang: str, fmt: str, seconds: float, templates: tuple[Path, ...]) -> None:
    """Print one problem's solution (Markdown or LaTeX), answer key (json) or step trace.

    \b
    Examples:
      solgen show problems/hw1-3-conv-w11.yaml --format json
      solgen show problems/week1-sgd-step.yaml --lang en
    """
    from generator.build.outputs import prepare_all
    from generator.theme.selection import choose

    try:
        theme = choose(templates)
        problem: Any = prepare_all([file], seconds)[0]
        if fmt == "json":
            from generator.formats.answer_key import to_json

            text = to_json(problem, theme)
        elif fmt == "trace":
            text = problem.solution.to_text(evidence=True)
        else:
            from generator.formats.text import render
            from generator.view.model import document_view

            text = render(document_view(problem, theme.voice(lang)), fmt, theme)
    except Exception as exc:
        _fail(exc)
        return
    click.echo(text, nl=False)


@main.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
def schema(out: Path | None) -> None:
    """Print the JSON Schema of problem files (every key, type and default).

    \b
    Example (YAML language server in your editor):
      solgen schema --out solgen.schema.json
      # then start a problem with: # yaml-language-server: $schema=solgen.schema.json
    """
    import json

    from generator.spec.models import json_schema

    text = json.dumps(json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")


def _starters_in_help(command: Any) -> Any:
    # The built-in starters name the kinds, so a new kind appears here by its starter alone.
    from generator import TEMPLATES

    starters = sorted(p.stem for p in (TEMPLATES / "scaffold").glob("*.yaml"))
    command.__doc__ = command.__doc__.replace("{starters}", ", ".join(starters))
    return command


@main.command()
@click.argument("kind")
@click.argument("name")
@click.option("--dir", "folder", default=Path("problems"), show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Where to write it.")
@TEMPLATE_FOLDERS
@_starters_in_help
def new(kind: str, name: str, folder: Path, templates: tuple[Path, ...]) -> None:
    """Write a commented starting problem of KIND named NAME (it verifies as it is).

    KIND is one of: {starters}.

    With --templates DIR, a starter DIR/scaffold/KIND.yaml replaces the
    built-in one or adds a KIND of your own.

    \b
    Example:
      solgen new gradient week2-neuron && solgen check problems/week2-neuron.yaml
    """
    from generator.build.scaffold import new_problem
    from generator.theme.selection import choose

    try:
        path = new_problem(kind, name, folder, choose(templates))
    except Exception as exc:
        _fail(exc)
        return
    click.echo(f"wrote {path}")


@main.group()
def templates() -> None:
    """List the templates and where each resolves from; copy one out to change it.

    \b
    Examples:
      solgen templates list --templates course-templates
      solgen templates copy markdown/document.md.j2 course-templates
      solgen build --templates course-templates
    """


@templates.command("list")
@TEMPLATE_FOLDERS
def list_templates(templates: tuple[Path, ...]) -> None:
    """Show every template name and the file it resolves to with these --templates folders.

    \b
    Example:
      solgen templates list --templates course-templates
    """
    from generator.theme.templates import ORIGIN_BUILTIN, TemplateSet

    rows = TemplateSet(templates).entries()
    width = max(len(row.name) for row in rows)
    for row in rows:
        where = ORIGIN_BUILTIN if row.origin == ORIGIN_BUILTIN else str(row.path)
        note = f" ({row.note})" if row.note else ""
        click.echo(f"{row.name:<{width}}  {where}{note}")


@templates.command("copy")
@click.argument("name")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
def copy_template(name: str, folder: Path, force: bool) -> None:
    """Copy the built-in template NAME to FOLDER/NAME, to edit it there.

    \b
    Example:
      solgen templates copy markdown/document.md.j2 course-templates
      # edit it, then: solgen build --templates course-templates
    """
    from generator.build.scaffold import copy_out

    try:
        path = copy_out(name, folder, force)
    except Exception as exc:
        _fail(exc)
        return
    click.echo(f"wrote {path}")


@main.command("help")
@click.argument("topic", required=False)
def help_(topic: str | None) -> None:
    """Show the keys of a problem kind or nested object (TOPIC), from the schema.

    Without TOPIC, list the topics. The text is the matching section of the
    problem file reference, so it needs no docs folder.

    \b
    Examples:
      solgen help gradient
      solgen help draw
    """
    from generator.spec.topics import topic as section
    from generator.spec.topics import topics

    if topic is None:
        click.echo("Topics (solgen help TOPIC):\n  " + "\n  ".join(topics()))
        return
    text = section(topic)
    if text is None:
        raise click.UsageError(f"no help topic {topic!r}; topics are: " + ", ".join(topics()))
    click.echo(text, nl=False)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port on 127.0.0.1 (0: any free port).")
@TEMPLATE_FOLDERS
@TIME_LIMIT
def serve(paths: tuple[Path, ...], port: int, seconds: float,
          templates: tuple[Path, ...]) -> None:
    """Preview every sheet in the browser; a saved file shows within a second or two.

    Serves the answer sheets (and a question sheet of each problem with vary:)
    in both languages on http://127.0.0.1:PORT/ only, re-solves just the files
    that change, and reloads the page; an error shows in the page with its
    file:line and hint. Ctrl-C stops.

    \b
    Example:
      solgen serve problems --port 8000
    """
    from generator.preview import Preview
    from generator.server import serve as run

    try:
        run(Preview(paths or (Path("problems"),), templates, seconds), port,
            lambda text: click.echo(text))
    except OSError as exc:
        raise click.UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
