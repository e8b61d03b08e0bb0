"""`solgen help TOPIC`: the problem file reference, one section at a time, offline.

The sections are those of docs/reference.md, generated from the schema, so an installed
solgen (which has no docs/ folder) can still answer "which keys does a gradient problem
take?". Topics are the kinds (`gradient`, `sgd_step`, …) and the nested objects in lower
case (`draw`, `layer`, …); links between sections become the command that shows them.
"""

from __future__ import annotations

import re

from generator.spec.reference import reference_markdown

_HEADING = re.compile(r"^#{2,3} (?:kind: )?(\w+)$", re.MULTILINE)
_LINK = re.compile(r"\[(\w+)\]\(#[\w-]+\)")


def _sections() -> dict[str, str]:
    text = reference_markdown()
    marks = list(_HEADING.finditer(text))
    found: dict[str, str] = {}
    for mark, after in zip(marks, [*marks[1:], None], strict=True):
        name = mark.group(1)
        if name == "Nested":  # "## Nested objects" only introduces the sections below it
            continue
        body = text[mark.start():after.start() if after else len(text)].rstrip() + "\n"
        found[name.lower()] = _LINK.sub(lambda m: f"{m.group(1)} (`solgen help "
                                        f"{m.group(1).lower()}`)", body)
    return found


def topics() -> list[str]:
    """Every topic `solgen help` knows, kinds first then nested objects, as in the reference."""
    return list(_sections())


def topic(name: str) -> str | None:
    """The Markdown section of topic `name` (case-insensitive), or None if there is none."""
    return _sections().get(name.lower())
