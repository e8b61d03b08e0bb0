"""`\\left( … \\right)` only where a delimiter must grow (issue 15).

sympy's printer fences every bracket with `\\left…\\right`. KaTeX (HackMD) and TeX set
such a pair as an inner atom with space around it, so `\\sigma\\left(z\\right)` reads
"σ (z)"; the seeds write σ(z). Here a pair keeps `\\left…\\right` only when what it holds
is taller than a line of text (a fraction, a sum, a matrix, or a pair that itself grows;
`\\sqrt{x}` is not: TeX sets arctan(√x) with plain brackets);
every other pair becomes plain `( … )` or `[ … ]`. sympy's `\\tanh{\\left(z \\right)}`
also loses the braces, which would make the argument an ordinary atom spaced from the
operator name, also when the pair is kept: `\\tanh\\left(\\frac{x}{2}\\right)`.
"""

from __future__ import annotations

import re

# The innermost pair: no other \left or \right between its two ends.
_INNER = re.compile(r"\\left(\\[A-Za-z]+|\\.|.)((?:(?!\\left(?![A-Za-z])|\\right(?![A-Za-z])).)*?)"
                    r"\\right(\\[A-Za-z]+|\\.|.)", re.S)
_TALL = re.compile(r"\\(?:[dt]?frac|binom|sum|prod|int|begin|over|atop|substack)(?![A-Za-z])"
                   r"|\x00")
# An operator name whose argument sympy wraps in braces: \tanh{…}, \log{…}, \tanh^{2}{…}.
_FUNCTION_BRACE = re.compile(r"\\(?:tanh|sinh|cosh|tan|sin|cos|sec|csc|cot|arcsin|arccos|arctan"
                             r"|log|ln|exp)(?:\^\{[^{}]*\})?\{$")
_PLAIN = {"(": ")", "[": "]"}
_KEPT_LEFT, _KEPT_RIGHT = "\x00", "\x01"


def shrink_fences(tex: str) -> str:
    """`tex` with every `\\left( … \\right)` that need not grow written as `( … )`."""
    if r"\left" not in tex:
        return tex
    while (m := _INNER.search(tex)) is not None:
        opening, body, closing = m.groups()
        start, end = m.span()
        if tex[end:end + 1] == "}" and _FUNCTION_BRACE.search(tex[:start]):
            start, end = start - 1, end + 1  # \tanh{(…)} → \tanh(…), as σ(z) prints
            body = body.rstrip()
        if _PLAIN.get(opening) != closing or _TALL.search(body):
            tex = tex[:start] + f"{_KEPT_LEFT}{opening}{body}{_KEPT_RIGHT}{closing}" + tex[end:]
            continue
        tex = tex[:start] + f"{opening}{body.rstrip()}{closing}" + tex[end:]
    return tex.replace(_KEPT_LEFT, r"\left").replace(_KEPT_RIGHT, r"\right")
