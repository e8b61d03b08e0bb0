"""What pandoc may turn into HTML, DOCX and typst: a whitelist over its document tree (issue 20).

Text from a problem file is Markdown, and pandoc's Markdown can do more than a sentence
should: raw HTML/TeX/typst/OpenXML blocks, images (which DOCX embeds and the typst
compiler reads from disk), links to `javascript:`, attributes such as `onclick=`.
The reader already has the raw and attribute extensions off (`READER`); this pass walks
the parsed tree (pandoc's JSON) between reading and writing and keeps only text:
- a raw block or inline becomes its text, printed literally;
- an image becomes its description (nothing is fetched, read or embedded);
- a link whose address has a scheme other than http, https or mailto becomes its text;
- every key=value attribute is dropped (identifiers and classes stay: they carry no code);
- metadata other than the title and language is dropped.
Solgen's own Markdown holds none of these, so its documents come out byte for byte as before.
"""

from __future__ import annotations

import json
import re
from typing import Any

from generator.errors import SolgenError

# Markdown as solgen writes it, minus every extension that lets text become raw output or
# carry attributes. `raw_tex` was already off: a backslash word in a title is text.
READER = ("markdown-raw_tex-raw_html-raw_attribute-native_divs-native_spans-fenced_divs"
          "-bracketed_spans-link_attributes-header_attributes-inline_code_attributes"
          "-fenced_code_attributes-citations")

SAFE_SCHEMES = ("http", "https", "mailto")
META = ("title", "lang")
# Where each kind of node keeps its Attr ([id, classes, [[key, value], …]]).
_ATTR_AT = {"Code": 0, "Link": 0, "Image": 0, "Span": 0, "CodeBlock": 0, "Div": 0,
            "Table": 0, "Figure": 0, "Header": 1}
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_IGNORED = re.compile(r"[\x00-\x20\x7f]")  # browsers skip these inside a scheme


def safe_url(url: str) -> bool:
    """A relative address, or one whose scheme is http, https or mailto."""
    m = _SCHEME.match(_IGNORED.sub("", url))
    return m is None or m.group(1).lower() in SAFE_SCHEMES


def _span(inlines: Any) -> dict[str, Any]:
    return {"t": "Span", "c": [["", [], []], inlines]}


def _node(node: dict[str, Any]) -> Any:
    kind = node.get("t")
    content: Any = node.get("c")
    if kind == "RawInline":
        return {"t": "Str", "c": content[1]}
    if kind == "RawBlock":
        return {"t": "Para", "c": [{"t": "Str", "c": content[1]}]}
    if kind == "Image":
        return _span(clean(content[1]))
    if kind == "Link" and not safe_url(content[2][0]):
        return _span(clean(content[1]))
    if isinstance(kind, str) and kind in _ATTR_AT and isinstance(content, list):
        content = list(content)
        at = _ATTR_AT[kind]
        attr = content[at]
        content[at] = [attr[0], attr[1], []]
        return {"t": kind, "c": clean(content)}
    return {key: clean(value) for key, value in node.items()}


def clean(tree: Any) -> Any:
    """The tree with every raw output, image, unsafe link and attribute made harmless."""
    if isinstance(tree, list):
        return [clean(item) for item in tree]
    if isinstance(tree, dict):
        return _node(tree)
    return tree


def clean_json(text: str) -> str:
    """`clean` over pandoc's JSON text, back to JSON text for the writer.

    Of the metadata only `title` and `lang` stay, the keys solgen's front matter sets: a
    second YAML block in a model answer could otherwise set `author` or `header-includes`,
    which a template pastes where no escaping applies.
    """
    try:
        return _cleaned(text)
    except RecursionError:
        # The problem files are checked for deep nesting (spec/latex_field.py); this is for
        # whatever else builds a tree this deep (a template, a custom theme).
        raise SolgenError("a document nests block quotes, lists or emphasis too deeply "
                          "for solgen to read back",
                          hint="keep block quotes and lists a few levels deep") from None


def _cleaned(text: str) -> str:
    tree = json.loads(text)
    tree["meta"] = {k: v for k, v in tree.get("meta", {}).items() if k in META}
    if "title" in tree["meta"]:
        # A hard break (a trailing `\`) at the end of the title is typst's `\`, which then
        # escapes the `]` the page template closes the title with: a space instead.
        tree["meta"]["title"] = _unbroken(tree["meta"]["title"])
    return json.dumps(clean(tree), ensure_ascii=False)


def _unbroken(tree: Any) -> Any:
    if isinstance(tree, list):
        return [_unbroken(item) for item in tree]
    if isinstance(tree, dict):
        if tree.get("t") == "LineBreak":
            return {"t": "Space"}
        return {key: _unbroken(value) for key, value in tree.items()}
    return tree
