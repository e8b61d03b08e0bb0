"""A local sanity check of the math inside author-written Markdown.

Not a KaTeX parser (that engine is built elsewhere): it finds `$…$` and `$$…$$` spans
and reports the mistakes that break KaTeX most often — an odd `$`, unbalanced braces,
`\\left` without `\\right`, `\\begin{x}` without `\\end{x}`, an empty span.
"""

from __future__ import annotations

import re

_SPAN = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.S)
_ENV = re.compile(r"\\(begin|end)\{([A-Za-z*]+)\}")


def _strip_escapes(text: str) -> str:
    """Drop escaped characters (\\$, \\{, \\}, \\\\) so they do not count as delimiters."""
    return re.sub(r"\\[\\${}]", "", text)


def spans(text: str) -> tuple[list[str], str]:
    """The math spans of `text`, and what is left outside them."""
    clean = _strip_escapes(text)
    found = [m.group(1) if m.group(1) is not None else m.group(2) for m in _SPAN.finditer(clean)]
    return found, _SPAN.sub("", clean)


def _braces(math: str) -> str:
    depth = 0
    for ch in math:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return "a '}' closes nothing"
    return "a '{' is never closed" if depth else ""


def _environments(math: str) -> str:
    stack: list[str] = []
    for kind, name in _ENV.findall(math):
        if kind == "begin":
            stack.append(name)
        elif not stack or stack.pop() != name:
            return f"\\end{{{name}}} does not match a \\begin{{{name}}}"
    return f"\\begin{{{stack[-1]}}} is never ended" if stack else ""


def problems(text: str) -> list[str]:
    """Every problem found, as short messages; [] when the math looks well formed."""
    found, outside = spans(text)
    out = []
    if "$" in outside:
        out.append("a '$' opens math that is never closed")
    for math in found:
        shown = math.strip()
        short = shown if len(shown) <= 40 else shown[:37] + "..."
        bare = _strip_escapes(math)
        lefts, rights = len(re.findall(r"\\left\b", bare)), len(re.findall(r"\\right\b", bare))
        for problem in (
            "empty math" if not shown else "",
            _braces(bare),
            f"{lefts} \\left but {rights} \\right" if lefts != rights else "",
            _environments(bare),
        ):
            if problem:
                out.append(f"in ${short}$: {problem}")
    return out
