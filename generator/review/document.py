"""A submission as text: its front matter, its sections and every piece of math in it.

Markdown (HackMD/GitHub: `$…$`, `$$…$$`, `\\[…\\]`, fenced code skipped) and LaTeX
(`\\begin{align*}` and friends at the top level) are read by one scanner. Each piece of
math keeps its offsets and line, so the report can point at the line a person wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from generator.limits import LimitError

MAX_FILE_BYTES = 1_000_000
MAX_MATH_CHARS = 20_000  # one display; a longer one is reported unread, not read

TOP_ENVS = "align|align\\*|equation|equation\\*|gather|gather\\*|multline|multline\\*|eqnarray"
_MATH = re.compile(
    r"(?P<dd>\$\$(?P<dd_body>.*?)\$\$)"
    r"|(?P<br>\\\[(?P<br_body>.*?)\\\])"
    rf"|(?P<env>\\begin\{{(?P<env_name>{TOP_ENVS})\}}(?P<env_body>.*?)\\end\{{(?P=env_name)\}})"
    r"|(?P<d>(?<![\\$])\$(?!\$)(?P<d_body>[^$\n]+?)(?<!\\)\$)",
    re.DOTALL,
)
_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.DOTALL | re.MULTILINE)
_CODE = re.compile(r"`[^`\n]+`")
_HEADING = re.compile(r"^(#{1,2})\s+\S", re.MULTILINE)
# Words that make the inline math after them an assumption, not a claim to check.
_ASSUME = re.compile(r"(?:\b(?:assum\w*|suppos\w*|given that|for (?:a|an|any|every|all)\b[^$]*)"
                     r"|假設|假定|若|對於)[^$]{0,60}$", re.IGNORECASE)


@dataclass(frozen=True)
class Math:
    text: str  # between the delimiters
    line: int  # source line of the first character of `text`
    end_line: int  # source line of the closing delimiter
    display: bool
    start: int  # offset of `text` in the document
    environment: str = ""  # "align*" when the math is a top-level LaTeX environment
    assumed: bool = False  # "for a one-hot target, $y_1 + y_2 + y_3 = 1$": a condition


@dataclass
class Document:
    path: str
    text: str
    front: dict[str, Any] = field(default_factory=dict)
    maths: list[Math] = field(default_factory=list)
    sections: list[int] = field(default_factory=list)  # lines of level-1/2 headings

    def section(self, line: int) -> int:
        """Which section a line is in (0 before the first heading)."""
        return sum(1 for s in self.sections if s <= line)


class DocumentError(LimitError):
    """A submission that cannot be reviewed at all (too large, not text)."""


def parse(text: str, path: str) -> Document:
    if len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
        raise DocumentError(f"{path}: larger than {MAX_FILE_BYTES // 1000} kB; not reviewed\n"
                            "  hint: a submission is a few pages of Markdown or LaTeX")
    if "\x00" in text:
        raise DocumentError(f"{path}: not a text file; not reviewed")
    doc = Document(path, text, front=_front_matter(text, path))
    masked = _mask(text)
    doc.sections = [_line(text, m.start()) for m in _HEADING.finditer(masked)]
    for match in _MATH.finditer(masked):
        name = next(k for k in ("dd", "br", "env", "d") if match.group(k) is not None)
        body_start = match.start(f"{name}_body")
        body = text[body_start:match.end(f"{name}_body")]
        before = masked[masked.rfind("\n", 0, match.start()) + 1:match.start()]
        doc.maths.append(Math(body, _line(text, body_start), _line(text, match.end()),
                              display=name != "d", start=body_start,
                              environment=match.group("env_name") or "",
                              assumed=name == "d" and bool(_ASSUME.search(before))))
    return doc


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _mask(text: str) -> str:
    """Code blocks and inline code blanked out (same length), so `$` in code is not math."""
    def blank(m: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", m.group())

    return _CODE.sub(blank, _FENCE.sub(blank, text))


def _front_matter(text: str, path: str) -> dict[str, Any]:
    if not text.startswith("---\n"):
        return {}
    end = text.find("\n---", 4)
    if end < 0:
        return {}
    try:
        data = yaml.safe_load(text[4:end])
    except yaml.YAMLError as exc:
        raise DocumentError(f"{path}: the front matter is not YAML: {exc}") from None
    return data if isinstance(data, dict) else {}
