"""A piece of math → rows → statements → the parts a chain of relations links.

`a = b = c` is one statement with three parts; a row that starts with `&=` or `=` (or a
display that does) continues the statement before it; `\\Rightarrow`, `\\quad`, a comma or a
full stop at the top level end a statement; `\\boxed{…}` is unwrapped; a row that starts
with `+` or leaves a bracket open is joined to the one before it (a sum over several lines).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from generator.algebra.latex_tokens import Token, TokenError, tokenize
from generator.review.document import Math

RELATIONS = {"=": "=", r"\approx": r"\approx", r"\coloneqq": "=", r"\equiv": "="}
OTHER_RELATIONS = frozenset({"<", ">", r"\le", r"\ge", r"\leq", r"\geq", r"\neq", r"\to",
                             r"\in", r"\sim", r"\propto", r"\mapsto", r"\gets",
                             r"\leftarrow", r"\rightarrow", r"\ne", r"\iff"})
SEPARATORS = frozenset({r"\Rightarrow", r"\Longrightarrow", r"\implies", r"\quad",
                        r"\qquad", ",", ";", ".", r"\therefore", r"\hspace", r"\Leftrightarrow"})
PROSE = frozenset({r"\text", r"\textrm", r"\mbox", r"\mathrm"})
WRAPPERS = frozenset({"aligned", "align", "align*", "gathered", "split", "equation",
                      "equation*", "gather", "gather*", "multline", "multline*", "eqnarray",
                      "alignat", "alignat*"})
OPEN = {"(": 1, "[": 1, r"\{": 1, "{": 1, ")": -1, "]": -1, r"\}": -1, "}": -1}
CONTINUE_OPS = frozenset({"+", "-", r"\times", r"\cdot"})


@dataclass(frozen=True, eq=False)
class Part:
    tokens: tuple[Token, ...]
    text: str  # as written (without alignment marks), for the report

    @property
    def line(self) -> int:
        return self.tokens[0].line


def _part(math: Math, tokens: list[Token]) -> Part:
    text = math.text[tokens[0].start:tokens[-1].end].replace("&", "")
    return Part(tuple(tokens), " ".join(text.split()))


@dataclass(frozen=True)
class Statement:
    math: Math
    parts: tuple[Part | None, ...]  # parts[0] is None: continues the statement before
    relations: tuple[str, ...]  # between parts: "=" or "\\approx"
    lines: tuple[int, ...]  # source line of each relation


def statements(math: Math) -> Iterator[Statement]:
    try:
        tokens = tokenize(math.text, math.line)
    except TokenError:
        return
    for row in _rows(_unwrap(tokens)):
        for piece in _split(row, _is_separator):
            statement = _statement(math, piece)
            if statement is not None:
                yield statement


def _unwrap(tokens: list[Token]) -> list[Token]:
    """Drop `\\begin{aligned}`/`\\end{aligned}` (and friends), `\\boxed{`…`}` and `&`."""
    out: list[Token] = []
    boxed_closers: list[int] = []  # brace depths at which a \boxed{ group closes
    depth = envs = 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.text in (r"\begin", r"\end") and i + 2 < len(tokens) and tokens[i + 1].text == "{":
            close = next((j for j in range(i + 2, len(tokens)) if tokens[j].text == "}"), i + 1)
            if "".join(t.text for t in tokens[i + 2:close]) in WRAPPERS:
                i = close + 1
                continue
        if tok.text == r"\boxed" and i + 1 < len(tokens) and tokens[i + 1].text == "{":
            boxed_closers.append(depth)
            depth += 1
            i += 2
            continue
        if tok.text == "{":
            depth += 1
        elif tok.text == "}":
            depth -= 1
            if boxed_closers and boxed_closers[-1] == depth:
                boxed_closers.pop()
                i += 1
                continue
        if tok.text == r"\begin":
            envs += 1
        elif tok.text == r"\end":
            envs -= 1
        if tok.text != "&" or envs > 0:
            out.append(tok)  # & separates a matrix's columns; elsewhere it only aligns
        i += 1
    return out


def _rows(tokens: list[Token]) -> list[list[Token]]:
    rows: list[list[Token]] = [[]]
    depth = envs = 0
    for tok in tokens:
        if tok.text == r"\\" and envs == 0:
            if depth == 0:
                rows.append([])
            continue  # inside an open bracket: a line break within one expression
        depth += OPEN.get(tok.text, 0)
        envs += (1 if tok.text == r"\begin" else 0) - (1 if tok.text == r"\end" else 0)
        rows[-1].append(tok)
    joined: list[list[Token]] = []
    for row in rows:
        if not row:
            continue
        if joined and (row[0].text in CONTINUE_OPS or _open(joined[-1]) > 0):
            joined[-1] = joined[-1] + row
        else:
            joined.append(row)
    return joined


def _open(tokens: list[Token]) -> int:
    return sum(OPEN.get(t.text, 0) for t in tokens)


def _is_separator(tokens: list[Token], i: int) -> bool:
    tok = tokens[i]
    if tok.text in PROSE:
        # `\text{ for all }` is prose between statements; `\mathrm{MSE}`, θ^{\text{1}} are names.
        inner = tokens[i + 2:i + 4] if i + 3 < len(tokens) and tokens[i + 1].text == "{" else []
        name = (len(inner) == 2 and inner[0].kind in ("word", "num")
                and not inner[0].space_before and inner[1].text == "}")
        return not name and not (i > 0 and tokens[i - 1].text in ("^", "_"))
    return tok.text in SEPARATORS and not (tok.text == "." and i + 1 < len(tokens)
                                           and tokens[i + 1].kind == "num")


def _split(tokens: list[Token], at: object) -> list[list[Token]]:
    """Split at depth-0 tokens for which `at(tokens, i)` holds; a `\\text{…}` is dropped."""
    pieces: list[list[Token]] = [[]]
    depth = 0
    skip_group = False
    for i, tok in enumerate(tokens):
        if skip_group:
            depth += OPEN.get(tok.text, 0)
            skip_group = depth > 0
            continue
        if depth == 0 and at(tokens, i):  # type: ignore[operator]
            pieces.append([])
            skip_group = tok.text in PROSE or tok.text == r"\hspace"
            continue
        depth += OPEN.get(tok.text, 0) + (1 if tok.text == r"\begin" else 0) - (
            1 if tok.text == r"\end" else 0)
        pieces[-1].append(tok)
    return [p for p in pieces if p]


def _statement(math: Math, tokens: list[Token]) -> Statement | None:
    if any(t.text in OTHER_RELATIONS for t in tokens):
        return None  # an inequality or a limit: not a chain of equalities
    parts: list[Part | None] = []
    relations: list[str] = []
    lines: list[int] = []
    current: list[Token] = []
    depth = 0
    for tok in tokens:
        if depth == 0 and tok.text in RELATIONS:
            parts.append(_part(math, current) if current else None)
            relations.append(RELATIONS[tok.text])
            lines.append(tok.line)
            current = []
            continue
        depth += OPEN.get(tok.text, 0) + (1 if tok.text == r"\begin" else 0) - (
            1 if tok.text == r"\end" else 0)
        current.append(tok)
    if not relations or not current or any(p is None for p in parts[1:]):
        return None
    parts.append(_part(math, current))
    return Statement(math, tuple(parts), tuple(relations), tuple(lines))
