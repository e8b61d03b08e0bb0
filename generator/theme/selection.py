"""Choosing the template folders of a run: checked once, before any solving."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from generator.theme.jinja import check_templates
from generator.theme.messages import check_messages
from generator.theme.templates import TemplateSet
from generator.theme.theme import Theme


def choose(folders: Iterable[Path]) -> Theme:
    """The theme of `folders` (then the built-in templates), for the CLI to pass down.

    User templates are checked at once (Jinja syntax, message keys), so a typo is reported
    before minutes of solving rather than after.
    """
    chosen = TemplateSet(tuple(folders))
    if chosen.folders:
        check_templates(chosen)
        check_messages(chosen)
    return Theme(chosen)
