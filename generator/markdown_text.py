"""Plain text from YAML (titles) made safe for solgen's Markdown: body and front matter.

Sentences are already Markdown (`latex_text.Text`); a title is not: `#`, `$`, `*`, `_` or a
backslash in it must print as themselves, in the heading and in pandoc's HTML, DOCX and
typst made from the Markdown. Ordinary titles ("HW 1-3", Chinese) come out unchanged.
"""

from __future__ import annotations

import re

# Characters pandoc's Markdown may read as markup; a backslash makes each literal.
_MARKUP = re.compile(r"([\\`*_{}\[\]<>#+!|$~^@&])")
# A YAML plain scalar cannot hold these; such a title is written double-quoted.
_YAML_NEEDS_QUOTES = re.compile(r"""^[\s\-?:,\[\]{}#&*!|>'"%@`]|: |\s#|[\\"]|\s$""")


def escape(text: str) -> str:
    """Plain text → Markdown that prints exactly that text."""
    return _MARKUP.sub(r"\\\1", text)


def yaml_string(text: str) -> str:
    """Plain text → a YAML scalar for the front matter (quoted only when it must be)."""
    if text and not _YAML_NEEDS_QUOTES.search(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
