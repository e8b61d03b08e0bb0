"""LaTeX math text → tokens, each with the source line it came from.

The tokenizer knows nothing about meaning: it only groups characters into commands
(`\\frac`, `\\,`), words (`w11`, `yy`: letters then digits, as people type names), numbers
(`0.880797`) and single characters, and drops spacing. Unicode a student may paste (σ, ≈,
⇒, ×, ·, −) becomes the command it stands for, so the reader sees one spelling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_TOKENS = 20_000

# Spacing and sizing commands that never change the value; `\left` and `\right` are kept
# out of here because `\left.` must drop its dot too.
SPACING = frozenset({
    r"\,", r"\;", r"\:", r"\!", r"\ ", r"\displaystyle", r"\textstyle",
    r"\big", r"\Big", r"\bigg", r"\Bigg", r"\bigl", r"\bigr", r"\Bigl", r"\Bigr", r"\biggl",
    r"\biggr", r"\Biggl", r"\Biggr", r"\middle", r"\limits", r"\nolimits", r"\phantom",
    r"\enspace", r"\thinspace", r"\medspace", r"\thickspace", r"\negthinspace", "~",
})

UNICODE = {
    "σ": r"\sigma", "α": r"\alpha", "β": r"\beta", "θ": r"\theta", "η": r"\eta",
    "λ": r"\lambda", "δ": r"\delta", "π": r"\pi", "∂": r"\partial", "∇": r"\nabla",
    "≈": r"\approx", "⇒": r"\Rightarrow", "⟹": r"\Longrightarrow", "×": r"\times",
    "·": r"\cdot", "⋅": r"\cdot", "−": "-", "–": "-", "…": r"\dots", "′": "'", "″": "''",
    "≠": r"\neq", "≤": r"\le", "≥": r"\ge", "→": r"\to", "（": "(", "）": ")", "，": ",",
}

_PATTERN = re.compile(
    r"(?P<cmd>\\[A-Za-z]+\*?|\\.|\.\.\.)"
    r"|(?P<num>\d+(?:\.\d+)?|\.\d+)"
    r"|(?P<word>[A-Za-z]+\d*)"
    r"|(?P<space>\s+)"
    r"|(?P<char>.)",
    re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str  # "cmd", "num", "word", "char"
    text: str
    line: int
    start: int  # offset in the text given to tokenize
    end: int
    space_before: bool = False  # `w a` is two names, `wa` may be one


class TokenError(ValueError):
    """Text that is not LaTeX math at all (too long)."""


class ReadError(ValueError):
    """A piece of math the reader cannot read; `token` is where it stopped."""

    def __init__(self, message: str, token: Token | None = None) -> None:
        self.token = token
        super().__init__(message)


def tokenize(text: str, line: int = 1) -> list[Token]:
    """Tokens of `text`; `line` is the source line of its first character."""
    out: list[Token] = []
    spaced = False
    # A TeX comment runs to the end of its line; blanked, not cut, so offsets stay true.
    text = re.sub(r"(?<!\\)%[^\n]*", lambda m: " " * len(m.group()), text)
    at, counted = line, 0
    for match in _PATTERN.finditer(text):
        kind = match.lastgroup or "char"
        value = match.group()
        at += text.count("\n", counted, match.start())
        counted = match.start()
        if kind == "space":
            spaced = True
            continue
        if value == "...":
            value = r"\dots"
        if kind == "cmd" and value[1:].isspace():
            value = r"\ "  # `\` then a line break is a control space too
        if kind == "char" and value in UNICODE:
            value = UNICODE[value]
            kind = "cmd" if value.startswith("\\") else "char"
        if value == "%" and kind == "char":
            spaced = True  # a TeX comment runs to the end of the line
            continue
        if value in SPACING:
            spaced = True
            continue
        out.append(Token(kind, value, at, match.start(), match.end(), spaced))
        spaced = False
        if len(out) > MAX_TOKENS:
            raise TokenError(f"more than {MAX_TOKENS} tokens in one piece of math")
    return out
