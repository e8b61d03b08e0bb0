"""Each distinct formula of a class's typst documents converted once (issue 16, fifth pass).

Pandoc's typst writer spends most of a sheet's time converting formulas (TeX → typst by
texmath), and the sheets of a class repeat most of theirs: the derivation is the same
for every student, only the lines with the student's numbers differ. The writer turns a
formula into `$` + texmath's typst + `$` (display: `$ ` … ` $`) whatever surrounds it, and
writes a raw typst inline as its text; both are one inline in the same place of the
tree, so pandoc's other decisions (escaping a `(` after an inline, line starts) do not
change. So each formula is converted once, alone, and the documents reach the writer
with their formulas as raw typst inlines holding that conversion: the same bytes as
converting each document whole (tests/test_typst_formulas.py).

A formula whose lone conversion is not a plain `$…$` (texmath could not read it, so
pandoc writes its TeX as text, escaped by where it stands; or it holds a `\\label`, which
pandoc writes after it) is left to pandoc in place. Formulas in the metadata (a title)
are left too. Raw typst inlines in the tree are solgen's own: pandoc_ast.clean has
turned every raw node of the document's text into text before this pass.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

Key = tuple[str, str]  # ("InlineMath" or "DisplayMath", the formula's TeX)
# Writes pandoc JSON documents (one Para each) as typst, one output per document; the
# second list names them for an error.
Writer = Callable[[list[str], list[str]], list[str]]

KEPT = 20_000  # formulas kept between batches of a build: memory stays flat for big classes
_kept: dict[Key, str | None] = {}


def with_formulas(texts: list[str], write: Writer) -> list[dict[str, Any]]:
    """Pandoc JSON documents, parsed, with each formula of their body replaced by its typst
    as pandoc's writer would put it there; formulas not seen before are written in one call."""
    trees = [json.loads(text) for text in texts]
    wanted = list(dict.fromkeys(key for tree in trees for key, _ in _formulas(tree["blocks"])
                                if key not in _kept))
    if len(_kept) + len(wanted) > KEPT:
        _kept.clear()
    if wanted:
        version = trees[0].get("pandoc-api-version")
        outputs = write([_lone(key, version) for key in wanted],
                        [f"# the formula {key[1][:60]!r}" for key in wanted])
        _kept.update(zip(wanted, map(_plain, wanted, outputs), strict=True))
    for tree in trees:
        for key, place in _formulas(tree["blocks"]):
            typst = _kept.get(key)
            if typst is not None:
                place[0][place[1]] = {"t": "RawInline", "c": ["typst", typst]}
    return trees


def _formulas(node: Any) -> Iterator[tuple[Key, tuple[list[Any], int]]]:
    """Every Math inline under `node`, with the list and index where it stands."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            if isinstance(item, dict) and item.get("t") == "Math":
                kind, tex = item["c"]
                yield (str(kind["t"]), str(tex)), (node, i)
            else:
                yield from _formulas(item)
    elif isinstance(node, dict):
        yield from _formulas(node.get("c"))


def _lone(key: Key, version: Any) -> str:
    """A document holding the formula alone, in a paragraph."""
    math = {"t": "Math", "c": [{"t": key[0]}, key[1]]}
    return json.dumps({"pandoc-api-version": version, "meta": {},
                       "blocks": [{"t": "Para", "c": [math]}]}, ensure_ascii=False)


def _plain(key: Key, output: str) -> str | None:
    """The formula's typst as the writer puts it inline, or None when the lone conversion
    is not just the formula between dollars (then pandoc converts it in place)."""
    text = output.removesuffix("\n")
    opened, closed = ("$ ", " $") if key[0] == "DisplayMath" else ("$", "$")
    if (len(text) >= len(opened) + len(closed) and text.startswith(opened)
            and text.endswith(closed) and "\\label" not in key[1]):
        return text
    return None
