"""A problem's picture as a block of pandoc's tree: inline SVG in HTML, an image in typst.

The block is solgen's own raw output, put first in the body (right under the title) after
`pandoc_ast.clean` removed every raw node of the document's text. No text of the problem
file is in it: the SVG holds labels only as glyph outlines (view/pictures.py), and the
caption (a sentence of the messages) is escaped for each format.
"""

from __future__ import annotations

import html
import json
from typing import Any

from generator.view.pictures import Drawing


def _raw(fmt: str, text: str) -> dict[str, Any]:
    return {"t": "RawBlock", "c": [fmt, text]}


def _svg_element(svg: str) -> str:
    """The <svg> element alone (no XML declaration or doctype inside an HTML page)."""
    return svg[svg.index("<svg"):].rstrip("\n")


def html_block(drawing: Drawing, caption: str) -> dict[str, Any]:
    """A <figure> holding the SVG itself (the page loads nothing: issue 20's CSP)."""
    return _raw("html", f'<figure class="solgen-picture">{_svg_element(drawing.svg)}\n'
                        f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def typst_string(text: str) -> str:
    """`text` as a typst string literal: backslash, quote and control characters escaped."""
    out = []
    for char in text:
        if char in '\\"':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{{{ord(char):x}}}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def typst_block(drawing: Drawing, caption: str) -> dict[str, Any]:
    """A figure whose image is the SVG's bytes: typst reads no file (its root is empty)."""
    return _raw("typst", f"#figure(image(bytes({typst_string(drawing.svg)}), format: "
                         f'"svg", width: {drawing.width()}%), '
                         f"caption: [#{typst_string(caption)}])")


def with_block(tree_json: str, block: dict[str, Any] | None) -> str:
    """Pandoc's JSON document with `block` first in its body (unchanged for None)."""
    if block is None:
        return tree_json
    tree = json.loads(tree_json)
    tree["blocks"] = [block, *tree["blocks"]]
    return json.dumps(tree, ensure_ascii=False)
