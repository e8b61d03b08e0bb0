"""What every `solgen` command shares: its options, the language list, stop signals.

Heavy modules (sympy) are imported inside functions so `solgen --help` stays fast.
"""

from __future__ import annotations

import errno
import sys
from pathlib import Path
from typing import Any

import click

LANG_CHOICES = ("zh-TW", "en")

# Budget of symbolic work per problem file; generator.limits.DEFAULT_SECONDS, repeated here
# so that `--help` does not import the build machinery.
TIME_LIMIT = click.option("--time-limit", "seconds", default=60.0, show_default=True,
                          type=click.FloatRange(min=0),
                          help="Seconds allowed per problem for symbolic work, and for each "
                          "template rendering, pandoc, typst and xelatex run (0: no limit).")

# generator.limits.DEFAULT_MEGABYTES, repeated for the same reason.
MEMORY_LIMIT = click.option("--memory-limit", "megabytes", default=4096, show_default=True,
                            type=click.IntRange(min=0),
                            help="Megabytes solgen may grow by while it works, and each "
                            "process it starts (pandoc, typst, xelatex, --jobs workers) may "
                            "use (0: no limit).")

JOBS = click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(min=0),
                    help="Problem files built at once, each in its own process (0: one per "
                    "CPU). The files are the same as with 1.")

# The user's template folders; a missing folder is a usage error (exit 2).
TEMPLATE_FOLDERS = click.option(
    "--templates", "templates", multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of your own templates, used before the built-in ones (repeatable: the "
    "first wins). See docs/templates.md.")


def chosen_langs(values: tuple[str, ...]) -> list[str]:
    return list(values) if values else list(LANG_CHOICES)


def guarded(work: Any, out: Path | None = None, megabytes: int = 0) -> None:
    """Run a command's work within `megabytes` more memory (--memory-limit): a stop signal
    becomes a message and exit 1 (errors go on to the one handler in `generator/cli.py`)."""
    from generator.build.lifeline import Interrupted, interruptible
    from generator.limits import memory_limit, out_of_memory

    try:
        with interruptible(), memory_limit(megabytes):
            try:
                work()
            except MemoryError:  # outside any one problem (those name their file)
                raise out_of_memory("solgen", megabytes) from None
            except ImportError as exc:
                # A module imported late (solgen imports heavy ones when needed) whose
                # shared library no longer fits: the loader's words for ENOMEM.
                if "failed to map segment" not in str(exc):
                    raise
                raise out_of_memory("solgen", megabytes) from None
            except OSError as exc:
                # The system's word for the same (ENOMEM), e.g. listing a folder past the
                # budget: where the budget runs out moves with the code run before it.
                if exc.errno != errno.ENOMEM:
                    raise
                raise out_of_memory("solgen", megabytes) from None
    except Interrupted as stop:
        where = f"; {out}/ is left whole (the previous build, or this one if it had " \
                "finished)" if out is not None else ""
        click.echo(f"\nsolgen: stopped by {stop}{where}", err=True)
        sys.exit(1)


def note(text: str) -> None:
    click.echo(text, err=True)


def variants_request(count: int | None, seed: int, roster: Path | None, combined: bool,
             pdf_engine: str, bom: bool = False, seconds: float = 0.0) -> Any:
    """The variants asked for (--variants N or --roster FILE), or None."""
    if count is None and roster is None:
        return None
    from generator.build.variants import Request, read_roster

    students = read_roster(roster) if roster is not None else None
    return Request(count, seed, students, combined, pdf_engine, bom, seconds)
