"""Sentence markup, split into runs: the one reading of `$…$`, `**…**` and `*…*`.

Every text field is written in this small markup (generator/algebra/latex_text.py turns it
into LaTeX). It lives in spec/ because the loader must read math spans the same way the
LaTeX writer does, to check them against the whitelist of spec/latex_field.py (issue 20).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "math", "display", "bold", "em"]


@dataclass(frozen=True)
class Run:
    kind: Kind
    body: str  # plain text for text/bold/em (bold and em are parsed again), LaTeX for math


# Math first (its body may contain `*`), then bold, then italic; bold/italic may hold math.
# `$` opens math before a non-space and closes after one, not before a digit (pandoc's rule),
# so "costs $5 and $6" is text.
_TOKEN = re.compile(r"\$\$(?P<display>.+?)\$\$"
                    r"|\$(?P<math>[^\s$](?:[^$\\]|\\.)*?)(?<!\s)\$(?!\d)"
                    r"|\*\*(?P<bold>(?:[^*$]|\$[^$]*\$)+?)\*\*"
                    r"|(?<![*\w])\*(?P<em>[^*\s$](?:[^*$]|\$[^$]*\$)*?)\*(?![*\w])", re.S)


def parse(markup: str) -> tuple[Run, ...]:
    """Split one paragraph into runs."""
    runs: list[Run] = []
    at = 0
    for m in _TOKEN.finditer(markup):
        if m.start() > at:
            runs.append(Run("text", markup[at:m.start()]))
        kind: Kind = ("display" if m.group("display") is not None else
                      "math" if m.group("math") is not None else
                      "bold" if m.group("bold") is not None else "em")
        runs.append(Run(kind, m.group(kind)))
        at = m.end()
    if at < len(markup):
        runs.append(Run("text", markup[at:]))
    return tuple(runs)
