"""Choosing the template folders of a run: checked once, then in force for the process."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from generator.theme.jinja import check_templates
from generator.theme.messages import check_messages
from generator.theme.templates import TemplateSet, use


def activate(folders: Iterable[Path]) -> TemplateSet:
    """Make `folders` (then the built-in templates) the set every render uses from now on.

    User templates are checked at once (Jinja syntax, message keys), so a typo is reported
    before minutes of solving rather than after.
    """
    chosen = TemplateSet(tuple(folders))
    if chosen.folders:
        check_templates(chosen)
        check_messages(chosen)
    return use(chosen)
