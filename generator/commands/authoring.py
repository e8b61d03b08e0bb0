"""The author's commands: `show`, `new`, `schema`, `templates`, `help` and `serve`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from generator.commands.options import LANG_CHOICES, TEMPLATE_FOLDERS, TIME_LIMIT


@click.command()
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

    theme = choose(templates, seconds)
    if fmt == "trace":
        click.echo(_trace(file, seconds), nl=False)
        return
    problem: Any = prepare_all([file], seconds)[0]
    if fmt == "json":
        from generator.formats.answer_key import to_json

        text = to_json(problem, theme)
    else:
        from generator.formats.text import render
        from generator.view.model import document_view

        text = render(document_view(problem, theme.voice(lang)), fmt, theme)
    click.echo(text, nl=False)


def _trace(file: Path, seconds: float) -> str:
    """The step trace. A trace is wanted most when a step fails: the one file is solved
    without the collecting wrapper, so the StepCheckError keeps the checked solution, which
    is printed (failing steps marked >>) before the error."""
    from generator.build.outputs import prepare_one
    from generator.errors import StepCheckError

    try:
        problem: Any = prepare_one(file, seconds, {})
    except StepCheckError as exc:
        click.echo(exc.trace, nl=False)
        raise
    return str(problem.solution.to_text(evidence=True))


@click.command()
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


def _builtin_examples() -> dict[str, list[str]]:
    """The built-in worked examples by kind, from the folders under templates/scaffold/
    (read without sympy, so `--help` stays fast)."""
    from generator import TEMPLATES

    folders = sorted(p for p in (TEMPLATES / "scaffold").iterdir() if p.is_dir())
    return {f.name: sorted(e.stem for e in f.glob("*.yaml")) for f in folders}


def _starters_in_help(command: Any) -> Any:
    # The built-in starters name the kinds, so a new kind appears here by its starter alone,
    # and a new example by its file under scaffold/KIND/.
    from generator import TEMPLATES

    starters = sorted(p.stem for p in (TEMPLATES / "scaffold").glob("*.yaml"))
    shown = "; ".join(f"{kind}: {', '.join(names)}"
                      for kind, names in _builtin_examples().items())
    command.__doc__ = command.__doc__.replace("{starters}", ", ".join(starters)).replace(
        "{examples}", shown)
    return command


@click.command()
@click.argument("kind")
@click.argument("name")
@click.option("--example", metavar="EXAMPLE",
              help="A worked example of KIND to start from instead of its plain starter.")
@click.option("--dir", "folder", default=Path("problems"), show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Where to write it.")
@TEMPLATE_FOLDERS
@_starters_in_help
def new(kind: str, name: str, example: str | None, folder: Path,
        templates: tuple[Path, ...]) -> None:
    """Write a commented starting problem of KIND named NAME (it verifies as it is).

    KIND is one of: {starters}.

    --example EXAMPLE starts from a worked example of KIND instead ({examples}).

    With --templates DIR, a starter DIR/scaffold/KIND.yaml replaces the
    built-in one or adds a KIND of your own; DIR/scaffold/KIND/EXAMPLE.yaml
    adds an example.

    \b
    Examples:
      solgen new gradient week2-neuron && solgen check problems/week2-neuron.yaml
      solgen new gradient week9-rnn --example rnn
    """
    from generator.build.scaffold import new_problem
    from generator.theme.selection import choose

    path = new_problem(kind, name, folder, choose(templates), example)
    click.echo(f"wrote {path}")


@click.group()
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

    path = copy_out(name, folder, force)
    click.echo(f"wrote {path}")


@click.command("help")
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
    click.echo(text + _starters_of(topic.lower()), nl=False)


def _starters_of(kind: str) -> str:
    """How to start a problem of `kind`, after its keys: the plain starter and any worked
    examples, so the topic a starter names leads back to the others."""
    from generator import TEMPLATES

    if not (TEMPLATES / "scaffold" / f"{kind}.yaml").is_file():
        return ""
    line = f"\nStart one: `solgen new {kind} NAME`"
    found = _builtin_examples().get(kind)
    if found:
        line += f", or from a worked example: `solgen new {kind} NAME --example " + "|".join(
            found) + "`"
    return line + ".\n"


@click.command()
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
