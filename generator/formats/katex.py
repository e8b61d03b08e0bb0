"""HTML math typeset on the server by KaTeX, its stylesheet and fonts inside the page.

Why KaTeX and not pandoc's MathML (issue 15): in Chromium, MathML Core drops `\\boxed`
frames, raises primes twice, spaces stretchy fences ("σ ( z )") and sets an aligned
environment's left column flush left. KaTeX is the engine the Markdown targets (HackMD),
so HTML and Markdown now look alike, and solgen's tests already check every formula with
it. MathJax's SVG output would also be offline but draws glyphs as paths (no text to copy
or search) and is several times larger.

Pandoc writes each formula as its TeX (`--katex` with an empty URL and no script: the
`math` template variable is emptied); one long-lived `node` per build (katex_child.py)
renders each distinct formula once with `katex.renderToString` (HTML for the eye plus
MathML for screen readers, `trust: false`, errors are errors); the page gets KaTeX's stylesheet in a
`<style>` with the fonts it uses as `data:` URIs (woff2), so it works offline, as a single
file, under the page's Content-Security-Policy (`font-src data:`). Without `node` or the
`katex` package (`npm ci` in solgen's folder, or SOLGEN_KATEX naming its folder) pages keep
pandoc's MathML.
"""

from __future__ import annotations

import base64
import html
import os
import re
import shutil
from collections.abc import Set
from functools import cache, lru_cache
from pathlib import Path

from generator.errors import SolgenError
from generator.formats import katex_child, katex_inline
from generator.limits import DEFAULT_SECONDS

ROOT = Path(__file__).resolve().parents[2]
# A formula of pandoc's page, with the punctuation right beside it (katex_inline.joined).
_MATH = re.compile(f"([{re.escape(katex_inline.OPENING)}]*)"
                   r'<span\s+class="math (inline|display)">(.*?)</span>'
                   f"([{re.escape(katex_inline.CLOSING)}]*)", re.S)
@cache
def folder() -> Path | None:
    """The `katex` package: $SOLGEN_KATEX, or node_modules/katex beside solgen; None when
    it or `node` is missing."""
    named = os.environ.get("SOLGEN_KATEX")
    place = Path(named) if named else ROOT / "node_modules" / "katex"
    if shutil.which("node") is None or not (place / "dist" / "katex.min.css").is_file():
        return None
    return place


def available() -> bool:
    return folder() is not None


def missing_note() -> str:
    """What a build with HTML says, once, when the pages fall back to pandoc's MathML."""
    why = "node is not installed" if shutil.which("node") is None else (
        f"no katex package in {os.environ.get('SOLGEN_KATEX') or ROOT / 'node_modules'}")
    return (f"note: HTML math is MathML, not KaTeX ({why}); for KaTeX run `npm ci` in "
            f"{ROOT} or set SOLGEN_KATEX to the folder of the katex npm package")


def typeset(pages: list[str], seconds: float = DEFAULT_SECONDS) -> list[str]:
    """Each pandoc page (`--katex`, no script) with its formulas rendered and KaTeX's
    stylesheet in its head."""
    place = folder()
    assert place is not None, "call available() first"
    wanted = sorted({k for page in pages for m in _MATH.finditer(page)
                     for k in _pieces(_key(m))})
    rendered = dict(zip(wanted, _render(place, wanted, seconds), strict=True))
    # The classes of the typeset page (which fonts it needs) are those of its own markup
    # and of its formulas: each formula's are read once, not once per page (issue 16).
    classes = {key: frozenset(_classes(text)) for key, text in rendered.items()}

    def formula(m: re.Match[str]) -> str:
        key, before, after = _key(m), m.group(1), m.group(4)
        if key[1]:
            return before + rendered[key] + after
        return katex_inline.joined([(p[0], rendered[p]) for p in _pieces(key)], before, after)

    def one(page: str) -> str:
        keys = [k for m in _MATH.finditer(page) for k in _pieces(_key(m))]
        body = _MATH.sub(formula, page)
        if not keys:  # (not "katex" in body: math-style.html's rules name .katex-display)
            return body
        used = frozenset(_classes(_MATH.sub("", page)).union(*(classes[k] for k in keys)))
        sheet = _stylesheet(used)
        return body.replace("</head>", f"<style>\n{sheet}\n</style>\n</head>", 1)

    return [one(page) for page in pages]


def _key(m: re.Match[str]) -> tuple[str, bool]:
    """A formula of pandoc's page as (TeX, display)."""
    return html.unescape(m.group(3)).strip(), m.group(2) == "display"


def _pieces(formula: tuple[str, bool]) -> list[tuple[str, bool]]:
    """What KaTeX typesets for a formula: a display whole, inline math in the pieces it
    may break between (formats/katex_inline.py)."""
    tex, display = formula
    return [formula] if display else [(p, False) for p in katex_inline.pieces(tex)]


def _render(place: Path, formulas: list[tuple[str, bool]], seconds: float) -> list[str]:
    """Each formula's KaTeX HTML: from the build's earlier batches when it was typeset
    there (a class's question and answer sheets share most formulas), else from the
    build's one `node` (formats/katex_child.py)."""
    if len(_typeset) + len(formulas) > KEPT:  # memory stays flat however big the class
        _typeset.clear()
    # Read once: another thread (`solgen serve`) may clear the store meanwhile.
    known = {f: page for f in formulas if (page := _typeset.get(f)) is not None}
    fresh = [f for f in formulas if f not in known]
    answers = katex_child.render(place / "dist" / "katex.js", fresh, seconds) if fresh else []
    bad = [(tex, a["error"]) for (tex, _), a in zip(fresh, answers, strict=True)
           if "error" in a]
    if bad:
        raise SolgenError(f"KaTeX cannot typeset {bad[0][0]!r}: {bad[0][1]}",
                          hint="the Markdown of this document has math KaTeX rejects")
    made = {f: str(a["html"]) for f, a in zip(fresh, answers, strict=True)}
    _typeset.update(made)
    return [made[f] if f in made else known[f] for f in formulas]


# Formulas typeset so far in this process, and how many to keep (a few KB each).
_typeset: dict[tuple[str, bool], str] = {}
KEPT = 5_000  # ≈ 35 MB: a chunk of 250 SGD variants has ≈ 1200 distinct formulas


_FACE = re.compile(r'@font-face\{([^}]*?font-family:"?(KaTeX_[A-Za-z0-9]+)"?;[^}]*)\}')
_SRC = re.compile(r"src:url\(fonts/([^)]+\.woff2)\)[^;}]*")
_RULE = re.compile(r'([^{}]+)\{[^{}]*font-family:"?(KaTeX_[A-Za-z0-9]+)')
_CLASS = re.compile(r'class="([^"]*)"')


def stylesheet(page: str) -> str:
    """KaTeX's CSS with the font faces `page` uses inlined as woff2 `data:` URIs and the
    other @font-face rules left out (a page embeds only what it can show)."""
    return _stylesheet(frozenset(_classes(page)))


@lru_cache(maxsize=64)  # a stylesheet is ~100 KB; a class's pages use a few sets
def _stylesheet(classes: frozenset[str]) -> str:
    """`stylesheet` of a page with these classes: the pages of a class use a few sets of
    classes, and choosing the faces costs ~15 ms a page (issue 16)."""
    place = folder()
    assert place is not None
    css = (place / "dist" / "katex.min.css").read_text(encoding="utf-8")
    families = _families(css, classes)

    def face(m: re.Match[str]) -> str:
        family, body = m.group(2), m.group(1)
        bold, italic = "font-weight:700" in body, "font-style:italic" in body
        if family not in families or (family in _STYLED and not _STYLED[family](
                classes, bold, italic)):
            return ""
        return "@font-face{" + _SRC.sub(_data, body) + "}"

    return _FACE.sub(face, css)


def _classes(page: str) -> set[str]:
    return {c for m in _CLASS.finditer(page) for c in m.group(1).split()}


def _main(classes: Set[str], bold: bool, italic: bool) -> bool:
    """Which faces of KaTeX_Main a page needs: regular always; bold, italic and bold italic
    only for \\mathbf/\\textbf, \\mathit/\\textit (the bold faces are 40 % of the fonts)."""
    return ((not bold or bool(classes & {"mathbf", "textbf"}))
            and (not italic or bool(classes & {"mathit", "textit"})))


def _math(classes: Set[str], bold: bool, italic: bool) -> bool:
    return not bold or "boldsymbol" in classes


_STYLED = {"KaTeX_Main": _main, "KaTeX_Math": _math}


def used_families(css: str, page: str) -> set[str]:
    """The KaTeX font families a rule of `css` gives to classes that occur in `page`."""
    return _families(css, _classes(page))


def _families(css: str, classes: Set[str]) -> set[str]:
    used = {"KaTeX_Main"}  # `.katex` itself
    for m in _RULE.finditer(css):
        for selector in m.group(1).split(","):
            names = re.findall(r"\.([A-Za-z0-9_-]+)", selector)
            if names and set(names) - {"katex"} <= classes:
                used.add(m.group(2))
    return used


@cache
def _font(name: str) -> str:
    place = folder()
    assert place is not None
    return base64.b64encode((place / "dist" / "fonts" / name).read_bytes()).decode("ascii")


def _data(m: re.Match[str]) -> str:
    return f'src:url(data:font/woff2;base64,{_font(m.group(1))}) format("woff2")'
