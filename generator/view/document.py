"""The view model: what a document template receives, as frozen dataclasses.

A solved problem, a sheet and a variant's question or answer sheet all become one
`Document` (built in `view/` only); every output format is made from it. Templates read
the same names as attributes (`section.heading`, `block.math`), which Jinja's sandbox
allows on dataclasses. Every field is always there (an empty string or tuple when a
document has nothing to show), so a template tests `block.table`, not whether it exists.

Each field's description lives beside it (`doc=`); docs/templates.md's table and
docs/formats.md's summary are generated from them (`make reference`),
and tests/test_view_document.py fails when either file falls behind the types.
"""

from __future__ import annotations

import re
import sys
from dataclasses import Field, dataclass, field, fields
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _doc(text: str, default: Any = None) -> Any:
    """A field described for the template guide; immutable defaults only (str, tuple)."""
    if default is None:
        return field(metadata={"doc": text})
    return field(default=default, metadata={"doc": text})


@dataclass(frozen=True)
class Block:
    """One block of a section: a sentence, bullets, a table and display math, in that order."""

    text: str = _doc("a paragraph before the block's mathematics (sentence markup), may be "
                     "empty", "")
    bullets: tuple[str, ...] = _doc("a list of bullet items (sentence markup), may be empty", ())
    table: tuple[tuple[str, ...], ...] = _doc(
        "a table, as a list of rows of cell strings (sentence markup), the first row the "
        "header; may be empty (variant sheets have none)", ())
    math: str = _doc("display mathematics as LaTeX (an `aligned` environment, or one line), "
                     "without `$$`; may be empty", "")


@dataclass(frozen=True)
class Section:
    """A heading and the blocks under it."""

    heading: str = _doc("its heading (sentence markup); empty for a section that continues "
                        "the one before")
    level: int = _doc("heading level: 2 for `##`, 3 for `###`, … (0: no heading of its own)")
    blocks: tuple[Block, ...] = _doc("the list of blocks of the section, in order", ())


@dataclass(frozen=True)
class Document:
    """One document: a solution, a sheet, or a variant's question or answer sheet."""

    title: str = _doc("the document title (sentence markup, see below)")
    lang: str = _doc("`zh-TW` or `en`")
    sections: tuple[Section, ...] = _doc("the list of sections, in order")
    verified: str = _doc("the footer: a short mark (\"Every step of this solution was "
                         "checked by computer.\"); empty when the document has no mathematics "
                         "to check")
    class_file: bool = _doc("true for a class file (`--combined`): each level-2 section is one "
                            "student's sheet, and a PDF starts each on a new page", False)

    def names(self) -> dict[str, Any]:
        """The top-level names a template sees: one per field (`title`, `sections`, …)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


_PARTS: tuple[tuple[str, type], ...] = (("", Document), ("section.", Section),
                                        ("block.", Block))


def template_table() -> str:
    """docs/templates.md's table of every name a document template receives."""
    rows = ["| name | what it is |", "|---|---|"]
    for prefix, cls in _PARTS:
        rows += [f"| `{prefix}{f.name}` | {f.metadata['doc']} |" for f in fields(cls)]
    return "\n".join(rows)


def contract() -> str:
    """docs/formats.md's summary: every name, `[]` marking a list (a tuple in Python)."""
    def shape(cls: type) -> str:
        def name(f: Field[Any]) -> str:
            depth = str(f.type).count("tuple[")  # annotations are strings (PEP 563)
            return f.name + "[]" * depth

        return ", ".join(name(f) for f in fields(cls))

    return (f"- A document: `{{{shape(Document)}}}`; a section: `{{{shape(Section)}}}`; "
            f"a block: `{{{shape(Block)}}}` (`generator/view/document.py`).")


# The generated text sits between these two comments in each file.
BEGIN = "<!-- view model: generated from generator/view/document.py -->"
END = "<!-- end of the generated view model -->"
GENERATED = {"templates.md": template_table, "formats.md": contract}


def with_generated(text: str, body: str) -> str:
    """`text` with what stands between BEGIN and END replaced by `body`."""
    pattern = re.compile(re.escape(BEGIN) + r"\n.*?\n" + re.escape(END), re.S)
    if not pattern.search(text):
        raise ValueError(f"no {BEGIN} … {END} section")
    return pattern.sub(lambda _: f"{BEGIN}\n{body}\n{END}", text, count=1)


def main() -> None:
    """Rewrite the generated parts of docs/templates.md and docs/formats.md."""
    for name, make in GENERATED.items():
        path = DOCS / name
        path.write_text(with_generated(path.read_text(encoding="utf-8"), make()),
                        encoding="utf-8")
        sys.stdout.write(f"wrote {path}\n")


if __name__ == "__main__":
    main()
