"""Math spellings pandoc's typst writer gets wrong, rewritten in the typst source (issue 15).

Pandoc writes TeX's `|x|` as two escaped bars (`\\| x \\|`), which typst sets as
separate symbols with space around them ("| x |"); `\\operatorname{Var}(w)` as a text
string, which typst spaces like a word ("Var (w)"); and `\\Big[` as a glyph scaled with
`#scale`, which keeps the glyph's width and leaves gaps. Here they become typst's own
`lr(| … |)`, `op("Var")` and `stretch(…)`, which space as amsmath does.
A matrix of numbers is right-aligned, so that its columns line up. A `\\big|` (the
bar of "∇f|_P") is an ordinary symbol, as in TeX, not an opening fence with space before it.

A note in a display, `\\text{($\\sigma(x)$ 的定義)}`, comes out as text strings with math
between them; typst puts operator space around each string ("( σ(x)  的定義)"). Such a
run becomes one piece of text with inline math in it, spaced as the sentence it is.
"""

from __future__ import annotations

import re

# `\| … \|` on one line, innermost first (no bar inside): |x|, |z_1 - z_2|.
_ABS = re.compile(r"\\\| ([^|\n]+?) \\\|")
# A word of letters set as text and used as an operator: "Var" (w), "prox"_(alpha h).
_OPERATOR = re.compile(r'(?<![\w"])"([A-Za-z]{2,})"(?= ?(?:\\\(|_|\^))')
# `#scale(x: 180%, y: 180%)[\[]`: pandoc's \big/\Big/\bigg delimiters.
_SCALED = re.compile(r"#scale\(x: (\d+)%, y: \1%\)\[(\\\]|\\?[^\]\s])\]")
# A text string in math that starts with a space before Han: the space doubles the gap.
_HAN_AFTER_SPACE = re.compile(r'upright\(" (?=[\u3400-\u9fff\uff08])')
# A typst string (escapes kept) set upright, and math between two of them on one line.
_TEXT = r'upright\("((?:[^"\\\n]|\\.)*)"\)'
_BETWEEN = r'((?:(?!upright\()[^"&#$\n])+?)'
# A parenthesised note: text, then (math, text) pairs, the last text closing the bracket.
_NOTE = re.compile(rf'upright\("([(（](?:[^"\\\n]|\\.)*)"\)((?: {_BETWEEN} {_TEXT})+)')
_PAIR = re.compile(rf" {_BETWEEN} {_TEXT}")
# A matrix of plain numbers (decimals, integers): right-aligned, so signs and decimal
# points line up down a column; a matrix with fractions or symbols stays centred.
_NUMBER = r"(?:- )?\d+(?:\.\d+)?"
_NUMBERS = re.compile(rf'mat\(delim: "\[", ({_NUMBER}(?:[,;] {_NUMBER})*)\)')


def polish(source: str) -> str:
    """The typst source with bars, operator names, big delimiters and notes spelled for
    typst."""
    source = _ABS.sub(r"lr(| \1 |)", source)
    source = _OPERATOR.sub(r'op("\1")', source)
    source = _SCALED.sub(_stretched, source)
    source = _NOTE.sub(_note, source)
    source = _NUMBERS.sub(r'mat(delim: "[", align: #right, \1)', source)
    return _HAN_AFTER_SPACE.sub('upright("', source)


def _stretched(match: re.Match[str]) -> str:
    glyph, size = match.group(2), match.group(1)
    stretched = f"stretch({glyph}, size: #{size}%)"
    return f'class("normal", {stretched})' if glyph == "\\|" else stretched


def _note(match: re.Match[str]) -> str:
    """`upright("(a ") x upright(" b)")` as `#["(a "#$x$#" b)"]`: one run of text."""
    pairs = _PAIR.findall(match.group(2))
    if not pairs[-1][1].endswith((")", "）")):
        return match.group(0)
    inner = "".join(f'#${math.strip()}$#"{text}"' for math, text in pairs)
    return f'#[#"{match.group(1)}"{inner}]'
