"""Choosing the template folders of a run: checked once, before any solving."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from generator.errors import TemplateError
from generator.limits import DEFAULT_SECONDS
from generator.spec.file_safety import escaping_links
from generator.theme.jinja import check_templates
from generator.theme.messages import check_messages
from generator.theme.templates import TemplateSet
from generator.theme.theme import Theme


def choose(folders: Iterable[Path], seconds: float = DEFAULT_SECONDS) -> Theme:
    """The theme of `folders` (then the built-in templates), for the CLI to pass down;
    `seconds` is the run's --time-limit, which bounds rendering, pandoc and typst too.

    User templates are checked at once (Jinja syntax, message keys), so a typo is reported
    before minutes of solving rather than after.
    """
    chosen = TemplateSet(tuple(folders))
    for folder in chosen.folders:  # issue 20: a template folder holds its own files only
        links = escaping_links(folder)
        if links:
            raise TemplateError("a symbolic link that leaves the template folder "
                                f"{folder}", where=str(links[0]),
                                hint="copy the file into the folder instead")
    if chosen.folders:
        check_templates(chosen)
        check_messages(chosen)
    return Theme(chosen, seconds)
