"""One pandoc typst write for the sheets of a class that differ only in numbers and formulas
(issue 16, fifth pass).

After typst_formulas.py, a sheet's formulas are raw typst inlines, which pandoc's typst
writer prints as they are, wherever they stand. The sheets of a class then differ only in
those inlines and in the digits of their text (the variant's label, its seed, a count).
So, in pandoc's tree, each raw typst inline's text and each run of ASCII digits in a text
node (`Str`, in the body and the title) is replaced by a *sentinel*, a fixed-width run of
digits that names its place, as formats/skeleton.py does on Markdown for HTML; the sheets
fall into a few skeleton trees, pandoc writes each distinct one once, and a sheet's typst
is its skeleton's with its own pieces put back.

Why the writer cannot tell a sentinel from what it stands for: a raw inline is printed
literally (pandoc's `RawInline` → `literal`), and with `--wrap=none` nothing measures a
line's length; in a text node the writer looks at characters, not values — it escapes
typst's special characters (no digit is one), a `/ + - =` at a line's start (a digit is
none of them) and a text that is digits then `.` at a line's start (an ordered list's
marker: still digits then `.` with the sentinel). Page breaking was decided before, on the
tree with its own formulas (typst_blocks.py), and nothing else reads a number's value:
ordered lists' starts, tables' widths and headings' identifiers are attributes, not text,
so they stay in the skeleton. Byte identity with each sheet written alone is tested
(tests/test_typst_formulas.py).

A sheet whose tree already holds something that looks like a sentinel is written alone;
so is every sheet when the template or the fonts do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

_SENTINEL = re.compile(r"5317([0-9]{6})8642")
_DIGITS = re.compile(r"[0-9]+")
MAX_PLACES = 1_000_000
# Writes pandoc JSON documents (standalone, with the batch's template) as typst.
Writer = Callable[[list[str]], list[str]]


def written(trees: list[dict[str, Any]], extra: str, write: Writer) -> list[str]:
    """The typst of each tree, each distinct skeleton written once; `extra` is what else
    reaches the output (the template, the fonts), which must write no sentinel."""
    texts = [json.dumps(tree, ensure_ascii=False) for tree in trees]
    if _SENTINEL.search(extra):
        return write(texts)
    shapes: list[tuple[str, list[str]] | None] = [
        None if _SENTINEL.search(text) else _skeleton(tree) for tree, text in zip(
            trees, texts, strict=True)]
    wanted = list(dict.fromkeys(s[0] for s in shapes if s is not None))
    alone = [t for t, s in zip(texts, shapes, strict=True) if s is None]
    outputs = write(wanted + alone)
    pages = dict(zip(wanted, outputs, strict=False))
    own = iter(outputs[len(wanted):])
    return [next(own) if s is None else _fill(pages[s[0]], s[1]) for s in shapes]


def _skeleton(tree: dict[str, Any]) -> tuple[str, list[str]] | None:
    """The tree's skeleton (JSON) and the pieces its sentinels stand for, in order."""
    values: list[str] = []

    def place(value: str) -> str:
        values.append(value)
        return f"5317{len(values) - 1:06d}8642"

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        kind = node.get("t")
        if kind == "Str":
            return {"t": "Str", "c": _DIGITS.sub(lambda m: place(m.group()), node["c"])}
        if kind == "RawInline" and node["c"][0] == "typst":
            return {"t": "RawInline", "c": ["typst", place(node["c"][1])]}
        if kind in ("Code", "CodeBlock", "RawBlock"):
            return node  # written as they are, not as text: kept whole in the skeleton
        return {key: walk(value) for key, value in node.items()}

    shape = {**tree, "meta": walk(tree.get("meta", {})), "blocks": walk(tree["blocks"])}
    if len(values) > MAX_PLACES:
        return None
    return json.dumps(shape, ensure_ascii=False), values


def _fill(page: str, values: list[str]) -> str:
    return _SENTINEL.sub(lambda m: values[int(m.group(1))], page)
