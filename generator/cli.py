"""The `solgen` command. The one place where errors become exit codes.

Exit codes: 0 ok, 1 error in the input (or a step that does not follow), 2 usage.
Every error a command raises reaches `Solgen.invoke`, which prints it (`file:line: message`
and a hint) and exits 1; usage errors are click's own (exit 2). The commands live in
`generator/commands/`; heavy modules (sympy) are imported inside them so `solgen --help`
stays fast.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from generator.commands.authoring import help_, new, schema, serve, show, templates
from generator.commands.production import build, check, stress
from generator.commands.reviewing import review


class Solgen(click.Group):
    """The command group whose `invoke` is the one error handler of every command."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            fail(exc)


def fail(exc: Exception) -> None:
    """A user's error (or an OSError the code did not expect) as its message, exit 1."""
    from generator.errors import SolgenError

    if isinstance(exc, OSError):  # one the code did not expect: still no traceback
        from generator.build.filesystem import explain

        exc = explain(exc, "cannot go on")
    if isinstance(exc, SolgenError):
        click.echo(exc.render(), err=True)
        sys.exit(1)
    raise exc


@click.group(cls=Solgen, context_settings={"help_option_names": ["-h", "--help"]})
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


for _command in (build, check, show, review, stress, schema, new, templates, help_, serve):
    main.add_command(_command)
