"""One pandoc conversion for the sheets of a class that differ only in their numbers (issue 16).

The variant sheets of a class are the same Markdown but for their numbers (the values
drawn, the variant's label, its seed). Pandoc's Markdown reader and HTML writer treat a
number (digits, a decimal point, a minus sign after a space or an opening bracket) as
text whatever its value, in the places solgen's sheets use one: a sentence, a title, a
formula's TeX. So each number is replaced by a *sentinel*, a fixed-width run of digits
that names its place (the 1st number, the 2nd, …); the sheets of a class then fall into
a few skeletons (a negative number is printed in brackets, so the signs still tell them
apart), pandoc converts each distinct skeleton once, and each sheet's page is its
skeleton's page with its own numbers put back. Pages are byte for byte those of a
conversion of each sheet (tests/test_html_skeleton.py).

Where a number's value, or two numbers being equal, does matter to pandoc, a sheet keeps
its own conversion:
- the skeleton's tree is looked at (`shareable`): an ordered list (`3.` starts at 3), a
  table (column widths follow line lengths), a heading whose identifier holds a number
  (identifiers that come out alike get `-1`);
- the Markdown is looked at (`of`): a character reference (`&#36;`, `&frac12;`), a TeX
  macro definition (`#1`, `[2]`), a reference or footnote label with a digit (`[1]:`,
  `[^1]`), a YAML value with a digit that does not start with a letter (`title: 007`,
  `|2`), and any text that already looks like a sentinel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# 14 digits no sheet, template or stylesheet writes by chance; place 0 … 999 999.
_SENTINEL = re.compile(r"5317([0-9]{6})8642")
# A number: ASCII digits only (pandoc's isDigit; other digits stay text), with its decimal
# part, and its minus sign where a `-` before a digit means nothing else to pandoc (not
# after `-`, `--` being a dash; not after `\\`, `$`, a quote: an escape, a closing `$`).
# Digits after `%` stay (`%20` in an address).
_NUMBER = re.compile(r"(?:(?<=[\s(\[{,=&])-)?(?<![%0-9])[0-9]+(?:\.[0-9]+)?")
_ENTITY = re.compile(r"&#?[A-Za-z0-9]*[0-9][A-Za-z0-9]*;")
_MACRO = re.compile(r"#[0-9]|\\(?:(?:re|provide)?newcommand|(?:re)?newenvironment|"
                    r"[gex]?def|let|DeclareMathOperator|newif)(?![A-Za-z])")
_LABEL = re.compile(r"\[\^[^\]]*[0-9]|^ {0,3}\[[^\]]*[0-9][^\]]*\]:", re.M)
# A line that may open a YAML block: `---` with text right after it.
_YAML_START = re.compile(r"^---[ \t]*\n(?=[^\s])", re.M)
_YAML_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)
_KEY_VALUE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*:[ \t]+(\S.*)")
# Nodes whose output follows a number's value, a line's length or numbers being equal.
_VALUED = re.compile(r'"t":\s*"(?:OrderedList|Table)"|"t":\s*"Header",\s*"c":\s*\[\s*'
                     r'[0-9]+,\s*\["[^"]*5317[0-9]{6}8642')


@dataclass(frozen=True)
class Skeleton:
    """A Markdown text with each number replaced by the sentinel of its place."""

    text: str
    values: tuple[str, ...]  # the numbers, place by place


def of(markdown: str) -> Skeleton | None:
    """The skeleton of `markdown`, or None when a number's value could change its page."""
    if (_SENTINEL.search(markdown) or _ENTITY.search(markdown) or _MACRO.search(markdown)
            or _LABEL.search(markdown) or not _plain_yaml(markdown)):
        return None
    values: list[str] = []

    def place(m: re.Match[str]) -> str:
        values.append(m.group())
        return f"5317{len(values) - 1:06d}8642"

    text = _NUMBER.sub(place, markdown)
    if len(values) > 1_000_000:
        return None
    return Skeleton(text, tuple(values))


def _plain_yaml(markdown: str) -> bool:
    """Whether every line with a digit in a (possible) YAML block is `key: value` with a value that
    starts with a letter (YAML reads such a value as text, never as a number)."""
    for start in _YAML_START.finditer(markdown):
        end = _YAML_END.search(markdown, start.end())
        block = markdown[start.end():end.start() if end else len(markdown)]
        for line in block.splitlines():
            if not re.search("[0-9]", line):
                continue
            m = _KEY_VALUE.fullmatch(line.rstrip())
            if m is None or not m.group(1)[0].isalpha():
                return False
    return True


def shareable(tree: str) -> bool:
    """Whether a skeleton's pandoc tree (JSON) holds nothing whose output follows a
    number's value (an ordered list's start), a line's length (a table's widths) or
    numbers being equal (a heading's identifier)."""
    return _VALUED.search(tree) is None


def clean_of_sentinels(text: str) -> bool:
    """Whether `text` (a template, a header) writes nothing a sentinel could be taken for."""
    return _SENTINEL.search(text) is None


def fill(page: str, values: tuple[str, ...]) -> str:
    """The skeleton's `page` with each sentinel replaced by its number."""
    return _SENTINEL.sub(lambda m: values[int(m.group(1))], page)
