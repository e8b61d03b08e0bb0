"""The title in the Markdown front matter, as a YAML scalar that reads back exactly.

Titles are sentence markup (they may hold `$…$` math) and go into the Markdown body as
they are; only the front matter needs care, since `: `, ` #` or a leading `-`, `[`, `*`
would change what YAML reads. Ordinary titles ("HW 1-3", Chinese, math) stay unquoted.
"""

from __future__ import annotations

import re

_YAML_NEEDS_QUOTES = re.compile(r"""^[\s\-?:,\[\]{}#&*!|>'"%@`]|: |\s#|:$|\s$""")


def yaml_string(text: str) -> str:
    """Plain text → a YAML scalar for the front matter (quoted only when it must be)."""
    if text and not _YAML_NEEDS_QUOTES.search(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
