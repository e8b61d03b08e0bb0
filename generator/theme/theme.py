"""The theme of a run: its template set, and the sentences of each language bound to it.

The CLI makes one `Theme` from `--templates` (`selection.choose`) and passes it down:
build → view (a `Voice` per language: the sentences of that language) → formats (the
document templates, pandoc's header and typst template). Nothing is process-wide, so two
themes can render side by side; a worker of a parallel build gets the theme of its job,
which is only the folders, and reads them itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generator.limits import DEFAULT_SECONDS
from generator.theme.templates import TemplateSet

if TYPE_CHECKING:
    from generator.theme.messages import Voice


@dataclass(frozen=True)
class Theme:
    """User template folders (first wins) over the built-in templates. Hashable and
    picklable: Jinja environments and merged messages are cached per theme."""

    templates: TemplateSet = field(default_factory=TemplateSet)
    # The run's budget (--time-limit) for each piece of work outside sympy: one template
    # rendering, one pandoc run, one typst compile (issue 22). 0: no limit.
    seconds: float = DEFAULT_SECONDS

    @property
    def folders(self) -> tuple[Path, ...]:
        return self.templates.folders

    def voice(self, lang: str) -> Voice:
        """The sentences of `lang`, the user's message files merged over the built-in."""
        # Imported here: messages loads Jinja, and `solgen --help` imports no Jinja.
        from generator.theme.messages import Voice

        return Voice(self.templates, lang, self.seconds)

    def resolve(self, name: str) -> Path:
        """The file a build uses for the template `name` (see `TemplateSet.resolve`)."""
        return self.templates.resolve(name)
