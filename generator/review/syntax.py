"""Syntax that breaks KaTeX or LaTeX, found by line before any reading.

A `&` or `\\\\` outside an environment stops LaTeX ("Misplaced alignment tab character") and
KaTeX; an unbalanced brace or `\\left`/`\\right` stops both. Such a line is reported with
its line number even when the reader can still make sense of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.algebra.latex_tokens import TokenError, tokenize
from generator.review.document import Math

# Environments in which & and \\ are allowed (a top-level align* is one too).
ALIGNED = frozenset({"aligned", "align", "align*", "alignat", "alignat*", "gathered",
                     "split", "array", "bmatrix", "pmatrix", "matrix", "vmatrix", "Bmatrix",
                     "smallmatrix", "cases", "eqnarray", "gather", "gather*", "multline",
                     "multline*", "dcases", "rcases", "subarray"})


@dataclass(frozen=True)
class Problem:
    line: int
    key: str  # message key: syntax_amp, syntax_newline, syntax_brace, syntax_left, syntax_env
    detail: str = ""


def problems(math: Math) -> list[Problem]:
    try:
        tokens = tokenize(math.text, math.line)
    except TokenError:
        return []
    found: list[Problem] = []
    stack: list[tuple[str, int]] = [(math.environment, math.line)] if math.environment else []
    braces: list[int] = []
    lefts: list[int] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.text in (r"\begin", r"\end") and i + 3 < len(tokens) and tokens[i + 1].text == "{":
            close = next((j for j in range(i + 2, len(tokens)) if tokens[j].text == "}"), i + 2)
            name = "".join(t.text for t in tokens[i + 2:close])
            if tok.text == r"\begin":
                stack.append((name, tok.line))
            elif not stack or stack[-1][0] != name:
                found.append(Problem(tok.line, "syntax_env", name))
            else:
                stack.pop()
            i = close + 1
            continue
        inside = any(name in ALIGNED for name, _ in stack)
        if tok.text == "&" and not inside:
            found.append(Problem(tok.line, "syntax_amp"))
        elif tok.text == "\\\\" and not inside and math.display:
            found.append(Problem(tok.line, "syntax_newline"))
        elif tok.text == "{":
            braces.append(tok.line)
        elif tok.text == "}":
            if braces:
                braces.pop()
            else:
                found.append(Problem(tok.line, "syntax_brace", "}"))
        elif tok.text == r"\left":
            lefts.append(tok.line)
        elif tok.text == r"\right":
            if lefts:
                lefts.pop()
            else:
                found.append(Problem(tok.line, "syntax_left", r"\right"))
        i += 1
    found += [Problem(line, "syntax_brace", "{") for line in braces]
    found += [Problem(line, "syntax_left", r"\left") for line in lefts]
    found += [Problem(line, "syntax_env", name) for name, line in stack
              if name != math.environment]
    return _once_per_line(found)


def _once_per_line(found: list[Problem]) -> list[Problem]:
    seen: set[tuple[int, str]] = set()
    out = []
    for p in sorted(found, key=lambda p: (p.line, p.key)):
        if (p.line, p.key) not in seen:
            seen.add((p.line, p.key))
            out.append(p)
    return out
