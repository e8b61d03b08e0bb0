"""Math spellings pandoc's typst writer gets wrong, rewritten in the typst source (issue 15).

Pandoc writes TeX's `|x|` as two escaped bars (`\\| x \\|`), which typst sets as
separate symbols with space around them ("| x |"); `\\operatorname{Var}(w)` as a text
string, which typst spaces like a word ("Var (w)"); and `\\Big[` as a glyph scaled with
`#scale`, which keeps the glyph's width and leaves gaps. Here they become typst's own
`lr(| … |)`, `op("Var")` and `stretch(…)`, which space as amsmath does.
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


def polish(source: str) -> str:
    """The typst source with bars, operator names and big delimiters spelled for typst."""
    source = _ABS.sub(r"lr(| \1 |)", source)
    source = _OPERATOR.sub(r'op("\1")', source)
    source = _SCALED.sub(lambda m: f"stretch({m.group(2)}, size: #{m.group(1)}%)", source)
    return _HAN_AFTER_SPACE.sub('upright("', source)
