"""Where a typst page may not break (issue 15), marked in pandoc's tree before writing.

typst breaks a page wherever a block ends, and a paragraph that leads into a display
("因此 $$…$$") is, to it, a line of text and a formula it may part. Solgen's Markdown
says which belong together, so this pass wraps, at the top level of the tree:
- a paragraph holding a display formula in the template's `solgen-display`: an
  unbreakable block, so the sentence leading into it and the whole derivation move to the
  next page together, unless that would leave much of the page empty (a tall display, or
  a third of the page): then typst breaks it between `=` rows, each piece kept whole and
  each after the first led by "(cont.)" / "（續）" and the left side it goes on from
  (templates/typst/document.typ says where, measured by typst itself);
- a lead-in paragraph (all bold or italic, such as "**Step 1：…**" or "*參考答案：*", or
  ending in a colon or question mark) in a sticky block: it stays with what follows;
  so does a plain paragraph right after a heading (「已知：a = …」 under "Step 5"): the
  heading, its first paragraph and what that leads to never end a page apart;
- a table in an unbreakable block, and the paragraph before it (what the table holds)
  sticky, so a table never starts a page apart from its heading and lead-in;
- the closing note after the last rule (「本解答每一步皆經電腦驗算。」) with its rule in
  one unbreakable block, and the block before them sticky: it never starts a page alone.
The wrappers are solgen's own raw typst, added after `pandoc_ast.clean` removed every raw
node of the document's text, so the text still cannot write typst.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from generator.formats.typst_display import SOURCE

UNBREAKABLE = "#block(width: 100%, breakable: false)["
STICKY = "#block(width: 100%, sticky: true)["
STICKY_UNBREAKABLE = "#block(width: 100%, breakable: false, sticky: true)["
PAGE_BREAK = "#pagebreak(weak: true)"
DISPLAY = "#solgen-display("
_LEAD_ENDS = ("：", ":", "？", "?")
TABLE_ROWS = 40  # a table up to this long fits on a page with its lead-in; longer ones break
_MARKUP = ("Strong", "Emph", "Space", "SoftBreak")


def _raw(text: str) -> dict[str, Any]:
    return {"t": "RawBlock", "c": ["typst", text]}


def _has_display(inlines: list[Any]) -> bool:
    return any(i.get("t") == "Math" and i["c"][0].get("t") == "DisplayMath" for i in inlines)


def _text_end(inlines: list[Any]) -> str:
    """The last characters of the paragraph's text, looking inside bold and italic."""
    for item in reversed(inlines):
        if item.get("t") == "Str":
            return str(item["c"])
        if item.get("t") in ("Strong", "Emph"):
            return _text_end(item["c"])
        if item.get("t") not in ("Space", "SoftBreak"):
            return ""
    return ""


def _is_lead_in(inlines: list[Any]) -> bool:
    if not inlines:
        return False
    if all(i.get("t") in _MARKUP for i in inlines):
        return True
    return _text_end(inlines).endswith(_LEAD_ENDS)


def display(continued: str, sticky: bool = False) -> str:
    """The line that opens a display's paragraph: the template's `solgen-display`, given the
    word before the rest of a display broken over pages as a typst string."""
    word = "".join(c for c in continued if c.isprintable())
    word = word.replace("\\", "\\\\").replace('"', '\\"')
    held = ", sticky: true" if sticky else ""
    return f'{DISPLAY}cont: "{word}"{held})['


def _wrapped(block: dict[str, Any], continued: str) -> list[dict[str, Any]]:
    if block.get("t") != "Para":
        return [block]
    inlines: list[Any] = block["c"]
    if _has_display(inlines):
        return [_raw(display(continued)), block, _raw("]")]
    if _is_lead_in(inlines):
        return [_raw(STICKY), block, _raw("]")]
    return [block]


def keep_together(tree_json: str, class_file: bool = False,
                  continued: Callable[[str], str] | None = None) -> str:
    """Pandoc's JSON document with its displays and lead-ins wrapped for typst; in a class
    file, a page break before each student's sheet (a top-level heading) but the first.
    `continued(lang)` is the word before the rest of a display split over pages."""
    tree = json.loads(tree_json)
    lang = "".join(x.get("c", "") for x in tree.get("meta", {}).get("lang", {}).get("c", [])
                   if isinstance(x, dict) and x.get("t") == "Str") or "en"
    word = continued(lang) if continued is not None else "(cont.)"
    blocks = [out for group in _groups(tree["blocks"], word) for out in group]
    if any(b.get("t") == "RawBlock" and b["c"][1].startswith(DISPLAY) for b in blocks):
        blocks.insert(0, _raw(SOURCE))  # solgen-display, for the template of any theme
    if class_file:
        blocks = _paged(blocks)
    tree["blocks"] = blocks
    return json.dumps(tree, ensure_ascii=False)


def _groups(source: list[dict[str, Any]], word: str) -> list[list[dict[str, Any]]]:
    """Each top-level block wrapped; a closing note set off by a rule (「本解答每一步皆經
    電腦驗算。」 at the end of a sheet) is kept with the block before it, so it never
    starts a page alone."""
    groups = [_wrapped(block, word) for block in source]
    for i, block in enumerate(source):
        if block.get("t") == "Table" and _rows(block) <= TABLE_ROWS:
            # A table is read whole, and the sentence above it says what it holds.
            groups[i] = [_raw(UNBREAKABLE), block, _raw("]")]
            if i > 0 and source[i - 1].get("t") == "Para" and groups[i - 1][0] != _raw(STICKY):
                groups[i - 1] = _sticky(groups[i - 1], word)
    for i in range(1, len(source) - 1):
        if _after_heading(source, i) and groups[i] == [source[i]]:
            # The heading is held to this paragraph; the paragraph ("Given: a = …") to
            # what it introduces, so the three never end a page apart.
            groups[i] = _sticky(groups[i], word)
    for i in range(1, len(source) - 1):
        if _closing_note(source, i):
            groups[i - 1] = _sticky(groups[i - 1], word)
            groups[i] = [_raw(UNBREAKABLE), source[i], source[i + 1], _raw("]")]
            groups[i + 1] = []
    return groups


def _after_heading(source: list[dict[str, Any]], i: int) -> bool:
    """A plain paragraph between a heading and more of its section."""
    return (source[i - 1].get("t") == "Header" and source[i].get("t") == "Para"
            and source[i + 1].get("t") not in ("Header", "HorizontalRule"))


def _rows(table: dict[str, Any]) -> int:
    """The body rows of a pandoc Table (its bodies are [attr, head columns, head, rows])."""
    return sum(len(body[3]) for body in table["c"][4])


def _closing_note(source: list[dict[str, Any]], i: int) -> bool:
    """A rule, then one paragraph that ends the sheet (the document, or a student's sheet
    before the next rule or heading)."""
    after = source[i + 2] if i + 2 < len(source) else None
    return (source[i].get("t") == "HorizontalRule" and source[i + 1].get("t") == "Para"
            and not _has_display(source[i + 1]["c"])
            and (after is None or after.get("t") in ("HorizontalRule", "Header")))


def _sticky(group: list[dict[str, Any]], word: str) -> list[dict[str, Any]]:
    """`group` held to what follows: its unbreakable block or display made sticky (a
    display broken over pages: its last piece), or else the whole of it in a sticky block."""
    if len(group) == 3 and group[0] == _raw(UNBREAKABLE):
        return [_raw(STICKY_UNBREAKABLE), *group[1:]]
    if len(group) == 3 and group[0] == _raw(display(word)):
        return [_raw(display(word, sticky=True)), *group[1:]]
    return [_raw(STICKY), *group, _raw("]")]


def _paged(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen = False
    for block in blocks:
        if block.get("t") == "Header" and block["c"][0] == 1:
            if seen:
                if out and out[-1].get("t") == "HorizontalRule":
                    out.pop()  # the Markdown's rule between students: a new page instead
                out.append(_raw(PAGE_BREAK))
            seen = True
        out.append(block)
    return out
