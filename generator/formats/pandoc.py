"""Markdown → HTML, DOCX and typst through pandoc (the binary shipped by pypandoc-binary).

Markdown → typst, HTML and DOCX of many documents go through pandoc's server API in CGI
mode: one pandoc process reads a whole batch (a class's sheets), another writes it, ~15 ms
a document instead of ~70 ms for a process each; its output is the command line's, byte
for byte (tests/test_typst_source.py, tests/test_html.py).

solgen's Markdown starts with `# title`; `--shift-heading-level-by=-1` makes that heading
the document title (pandoc's rule for a leading level-1 heading), so the title appears
once, and `## section` becomes a first-level heading. SOURCE_DATE_EPOCH fixes the dates
pandoc writes into DOCX files, so the same Markdown gives the same bytes.
"""

from __future__ import annotations

import atexit
import base64
import json
import os
import re
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from generator.errors import SolgenError, TemplateError, ToolMissing
from generator.formats import child, katex, skeleton, typst_skeleton
from generator.formats.pandoc_ast import READER, clean_json
from generator.formats.picture_blocks import with_block
from generator.formats.typst_blocks import keep_together
from generator.formats.typst_formulas import with_formulas
from generator.limits import DEFAULT_SECONDS
from generator.theme.theme import Theme

# Reading: the raw and attribute extensions off (generator/pandoc_ast.py); a backslash
# word in a title ("\ok") is text, not a TeX command to drop. --sandbox: pandoc reads no
# file and fetches no URL but those named on its command line (issue 20).
READ = [f"--from={READER}", "--shift-heading-level-by=-1", "--sandbox", "--quiet"]
# Writing from the cleaned tree. --wrap=none: a line break pandoc adds is a space in HTML
# and typst; keep the text as is.
COMMON = ["--from=json", "--wrap=none", "--sandbox", "--quiet"]
# MathML: rendered by every current browser, offline, no script; pandoc keeps the TeX
# source as an annotation, which the KaTeX test reads back.
# Both files resolve through the run's theme, so a course can restyle them.
HTML_ARGS = ["--to=html5", "--standalone"]
KATEX_ARGS = ["--katex=", "--variable=math="]  # the TeX of each formula, no script
HTML_HEADER = "html/math-style.html"
TYPST_ARGS = ["--to=typst", "--standalone"]
TYPST_TEMPLATE = "typst/document.typ"
EPOCH = "0"
BATCH = 200  # documents per pandoc run: a class's sheets, with memory bounded for 10 000
# pandoc-server.cgi answers "503 Service Unavailable", with an empty body, to a request that
# runs longer than PANDOC_SERVER_TIMEOUT seconds, 2 by default: a batch of sheets on a busy
# machine takes longer (seen on 2 shared cores), so the limit is raised far past any batch.
SERVER_SECONDS = "600"
Block = dict[str, Any]  # one block of pandoc's JSON tree
# A pandoc run longer than the run's budget (--time-limit, Theme.seconds) is killed: a
# deeply nested block quote of 20 KB keeps pandoc busy for minutes (issue 22).
SLOW_HINT = ("pandoc needs that long for deeply nested blocks (block quotes, lists): "
             "flatten them, or raise the budget with --time-limit SECONDS")


@cache
def executable() -> str:
    try:
        import pypandoc
    except ImportError:
        raise ToolMissing("pandoc is not installed",
                          hint="pip install -e . (installs pypandoc-binary)") from None
    return str(pypandoc.get_pandoc_path())


def run(markdown: str, args: list[str], seconds: float = DEFAULT_SECONDS) -> bytes:
    """Markdown → pandoc's tree (read) → the tree with text only (clean) → `args`' format,
    each pandoc run killed after `seconds` (0: no limit)."""
    where = title(markdown)
    tree = clean_json(_pandoc([*READ, "--to=json"], markdown.encode("utf-8"), seconds,
                              where).decode("utf-8"))
    return _pandoc([*COMMON, *args], tree.encode("utf-8"), seconds, where)


def _pandoc(args: list[str], data: bytes, seconds: float = DEFAULT_SECONDS,
            where: str | None = None) -> bytes:
    env = {**os.environ, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", EPOCH)}
    to = " ".join(a for a in args if a.startswith("--to"))
    try:
        done = child.run([executable(), *args], data, seconds=seconds, env=env)
    except child.Overtime as late:
        raise SolgenError(f"pandoc ({to}) {late}", where=where,
                          hint=SLOW_HINT) from None
    stderr = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0 and ("out of memory" in stderr or "Heap exhausted" in stderr):
        raise SolgenError(f"pandoc ({to}) ran out of memory", where=where,
                          hint="raise the budget with --memory-limit MB")
    if done.returncode != 0:
        raise SolgenError(f"pandoc failed ({to}): "
                          f"{done.stderr.decode('utf-8', 'replace').strip()}")
    return done.stdout


def title(markdown: str) -> str:
    """The document's name for an error: its first `# title` line (solgen's Markdown has
    one, after any metadata block)."""
    first = next((line for line in markdown.splitlines() if line.startswith("# ")), "")
    name = first[2:].strip() or "(untitled)"
    return f"document {name[:80]!r}"


# issue 20: published HTML runs nothing and loads nothing from elsewhere: no script at all,
# styles only inline (pandoc's own and the header's), images only embedded.
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
       "base-uri 'none'; form-action 'none'")
CSP_META = f'  <meta http-equiv="Content-Security-Policy" content="{CSP}" />\n'
# What a course's HTML header may not hold: it is pasted into <head> as it is.
_ACTIVE_HTML = re.compile(r"<\s*/?\s*(script|iframe|object|embed|base|meta|link|form)\b"
                          r"|javascript:|\son[a-z]+\s*=|@import", re.I)


def html(markdown: str, theme: Theme) -> str:
    header = html_header(theme)
    args = [*HTML_ARGS, *KATEX_ARGS] if katex.available() else [*HTML_ARGS, "--mathml"]
    page = run(markdown, [*args, f"--include-in-header={header}"],
               theme.seconds).decode("utf-8")
    if katex.available():  # formulas typeset on the server, formats/katex.py
        page = katex.typeset([page], theme.seconds)[0]
    # First thing in <head>, so the policy covers everything after it.
    return page.replace("<head>\n", "<head>\n" + CSP_META, 1)


def html_header(theme: Theme) -> Path:
    """The header file of the theme's template set, refused when it holds active content."""
    header = theme.resolve(HTML_HEADER)
    found = _ACTIVE_HTML.search(header.read_text(encoding="utf-8"))
    if found:
        line = header.read_text(encoding="utf-8")[:found.start()].count("\n") + 1
        raise TemplateError(f"{found.group()!r} is not allowed in the HTML header",
                            where=f"{header}:{line}", hint="the header holds <style> only; "
                            "published pages run no script and load nothing from elsewhere")
    return header


def typst(markdown: str, fonts: list[str], heading_fonts: list[str], theme: Theme) -> str:
    return typst_many([(markdown, fonts, heading_fonts)], theme)[0]


def typst_many(docs: list[tuple[str, list[str], list[str]]], theme: Theme,
               class_files: list[bool] | None = None,
               pictures: list[Block | None] | None = None) -> list[str]:
    """Each (markdown, main fonts, heading fonts) as a standalone typst document; a class
    file (`class_files`) starts each student's sheet on a new page; `pictures` (raw typst
    blocks, formats/picture_blocks.py) go first in the body."""
    template = typst_template(theme)
    breaks = class_files or [False] * len(docs)
    blocks = pictures or [None] * len(docs)

    def continued(lang: str) -> str:  # only asked for when a display is split over pages
        return theme.voice(lang).say("", "continued")

    markdowns = [m for m, _, _ in docs]
    # typst_blocks marks where a page may not break, over the cleaned tree; then each
    # distinct formula of the batch is converted once (formats/typst_formulas.py), and
    # sheets alike but for their numbers and formulas are written once (typst_skeleton.py).
    trees = with_formulas([keep_together(with_block(clean_json(tree), block), paged, continued)
                           for tree, paged, block
                           in zip(_trees(markdowns, "typst", theme.seconds), breaks, blocks,
                                  strict=True)],
                          lambda lone, names: _formulas_typst(lone, names, theme.seconds))

    def write(texts: list[str], faces: list[tuple[list[str], list[str]]]) -> list[str]:
        return _batches([{"text": text, "from": "json", "to": "typst", "wrap": "none",
                          "standalone": True, "template": template,
                          "variables": {"mainfont": fonts, "headingfont": heads}}
                         for text, (fonts, heads) in zip(texts, faces, strict=True)],
                        "typst", theme.seconds, markdowns)

    faces = [(fonts, heads) for _, fonts, heads in docs]
    if all(f == faces[0] for f in faces):  # one language: one set of fonts
        return typst_skeleton.written(trees, template + json.dumps(faces[0]),
                                      lambda texts: write(texts, faces[:1] * len(texts)))
    return write([json.dumps(tree, ensure_ascii=False) for tree in trees], faces)


def _formulas_typst(lone: list[str], names: list[str], seconds: float) -> list[str]:
    """Documents of one formula each (pandoc JSON) as typst, not standalone."""
    return _batches([{"text": doc, "from": "json", "to": "typst", "wrap": "none"}
                     for doc in lone], "typst", seconds, names)


def html_many(markdowns: list[str], theme: Theme,
              pictures: list[Block | None] | None = None) -> list[str]:
    """`html` of each document, two pandoc runs per BATCH (the same bytes, tests/test_html.py);
    `pictures` (raw HTML blocks, formats/picture_blocks.py) go first in the body.

    The server reads no files: the header that `--include-in-header` reads is passed as
    the template variable that option sets (`header-includes`). Sheets that differ only
    in their digits (a class's variants) share one conversion (formats/skeleton.py)."""
    header = html_header(theme).read_text(encoding="utf-8")
    blocks = pictures or [None] * len(markdowns)
    served = katex.available()
    if served and not any(blocks) and skeleton.clean_of_sentinels(header):
        pages = _shared_pages(markdowns, header, theme.seconds)
    else:
        pages = _html_pages(markdowns, header, blocks, served, theme.seconds)
    if served:
        pages = katex.typeset(pages, theme.seconds)
    return [page.replace("<head>\n", "<head>\n" + CSP_META, 1) for page in pages]


def _html_pages(markdowns: list[str], header: str, blocks: list[Block | None], served: bool,
                seconds: float) -> list[str]:
    """pandoc's page of each document, before KaTeX and the policy."""
    # With KaTeX: each formula as its TeX and no script (`math` emptied), typeset later.
    method = {"method": "katex", "url": ""} if served else {"method": "mathml"}
    extra = {"math": ""} if served else {}
    return _batches([{**_write(tree, "html5", block), "html-math-method": method,
                      "variables": {"header-includes": [header], **extra}}
                     for tree, block in zip(_trees(markdowns, "html5", seconds), blocks,
                                            strict=True)],
                    "html5", seconds, markdowns)


def _shared_pages(markdowns: list[str], header: str, seconds: float) -> list[str]:
    """`_html_pages` with KaTeX, each distinct skeleton converted once a build and filled in
    with each document's numbers; a document whose numbers could matter is converted alone."""
    shapes = [skeleton.of(m) for m in markdowns]
    if len(_skeleton_pages) > KEPT_PAGES:  # memory stays flat however big the class
        _skeleton_pages.clear()
    source = {s.text: m for s, m in zip(shapes, markdowns, strict=True)
              if s is not None and (header, s.text) not in _skeleton_pages}
    texts = list(source)
    trees = dict(zip(texts, _trees(texts, "html5", seconds, list(source.values())),
                     strict=True))
    shared = [t for t in texts if skeleton.shareable(trees[t])]
    method = {"method": "katex", "url": ""}
    _skeleton_pages.update(zip([(header, t) for t in shared], _batches(
        [{**_write(trees[t], "html5"), "html-math-method": method,
          "variables": {"header-includes": [header], "math": ""}} for t in shared],
        "html5", seconds, [source[t] for t in shared]), strict=True))
    made = {s.text: _skeleton_pages.get((header, s.text)) for s in shapes if s is not None}
    alone = [i for i, s in enumerate(shapes) if s is None or made[s.text] is None]
    own = dict(zip(alone, _html_pages([markdowns[i] for i in alone], header,
                                      [None] * len(alone), True, seconds), strict=True))
    return [own[i] if shape is None or i in own else
            skeleton.fill(str(made[shape.text]), shape.values)
            for i, shape in enumerate(shapes)]


# pandoc's page of each skeleton converted so far (by header and skeleton): the question
# sheets of a class have one skeleton, its answer sheets a few dozen.
_skeleton_pages: dict[tuple[str, str], str] = {}
KEPT_PAGES = 2000


def docx_many(markdowns: list[str], seconds: float = DEFAULT_SECONDS) -> list[bytes]:
    """`docx` of each document, two pandoc runs per BATCH (the server answers in base64)."""
    return [base64.b64decode(page) for page in _batches(
        [_write(tree, "docx") for tree in _trees(markdowns, "docx", seconds)], "docx",
        seconds, markdowns)]


def _trees(markdowns: list[str], to: str, seconds: float,
           names: list[str] | None = None) -> list[str]:
    """READ's pandoc trees of the documents on their way to `to` (which errors name; the
    documents' `names`, their own Markdown, when `markdowns` are skeletons). The
    server runs pandoc without any file or network access (its "pure" mode), so no
    --sandbox here."""
    return _batches([{"text": markdown, "from": READER, "to": "json",
                      "shift-heading-level-by": -1} for markdown in markdowns], to, seconds,
                    markdowns if names is None else names)


def _write(tree: str, to: str, block: Block | None = None) -> dict[str, object]:
    """The server's names for the options of COMMON and `--to`/`--standalone`, over the
    tree with text only (clean_json) and solgen's own `block` first."""
    return {"text": with_block(clean_json(tree), block), "from": "json", "to": to,
            "wrap": "none", "standalone": True}


# What a typst page template may not do (issue 20): read files, load packages or plugins,
# or loop (a loop in the compiler cannot be stopped by solgen's time limit). Pandoc's own
# `$for(…)$` directives and `//` comments are set aside before looking.
_TYPST_REFUSED = re.compile(r"\b(import|include|read|plugin|image|json|yaml|toml|csv|xml|"
                            r"cbor|for|while|sys)\b")
_PANDOC_DIRECTIVE = re.compile(r"\$[^$\n]*\$|//[^\n]*")


def typst_template(theme: Theme) -> str:
    """The typst page template of the theme, refused when it holds code that could
    read, fetch or run on."""
    path = theme.resolve(TYPST_TEMPLATE)
    text = path.read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        found = _TYPST_REFUSED.search(_PANDOC_DIRECTIVE.sub("", line))
        if found:
            raise TemplateError(f"{found.group()!r} is not allowed in the typst template",
                                where=f"{path}:{number}", hint="the page template sets "
                                "styles; it may not read files, import packages or loop")
    return text


def _batches(requests: list[dict[str, object]], to: str, seconds: float,
             markdowns: list[str]) -> list[str]:
    answers = [a for i in range(0, len(requests), BATCH)
               for a in batch(requests[i:i + BATCH], to, seconds, markdowns[i:i + BATCH])]
    errors = [a["error"] for a in answers if "error" in a]
    if errors:
        raise SolgenError(f"pandoc failed (--to={to}): {errors[0]}")
    return [str(a["output"]) for a in answers]


def batch(requests: list[dict[str, object]], to: str = "typst",
          seconds: float = DEFAULT_SECONDS, markdowns: list[str] | None = None
          ) -> list[dict[str, object]]:
    """Run pandoc's /batch endpoint once, as a CGI program (pandoc acts as its own server
    when started under the name pandoc-server.cgi): no port, no daemon, no file access.
    Killed after `seconds` (0: no limit); the error names the batch's documents
    (`markdowns`, the sources of `requests`)."""
    body = json.dumps(requests, ensure_ascii=False).encode("utf-8")
    env = {**os.environ, "REQUEST_METHOD": "POST", "PATH_INFO": "/batch", "SCRIPT_NAME": "",
           "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
           "HTTP_ACCEPT": "application/json", "SERVER_NAME": "localhost",
           "SERVER_PORT": "80", "REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1",
           "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", EPOCH),
           "PANDOC_SERVER_TIMEOUT": SERVER_SECONDS}
    try:
        done = child.run([server_program()], body, seconds=seconds, env=env)
    except child.Overtime as late:
        names = [title(m) for m in markdowns or []]
        where = (names[0] if len(names) == 1 else f"one of {len(names)} documents "
                 f"({', '.join(names[:3])}{', …' if len(names) > 3 else ''})" if names
                 else None)
        raise SolgenError(f"pandoc (--to={to}) {late}", where=where,
                          hint=SLOW_HINT) from None
    head, _, payload = done.stdout.partition(b"\n\n")
    if done.returncode != 0 or not head.startswith(b"Status: 200"):
        detail = (done.stderr or payload or head.split(b"\n")[0]).decode("utf-8", "replace"
                                                                          ).strip()
        raise SolgenError(f"pandoc failed (--to={to}): {detail[:500]}")
    try:
        answers: list[dict[str, object]] = json.loads(payload)
    except json.JSONDecodeError as exc:  # cut short: say so rather than write a part
        raise SolgenError(f"pandoc's answer (--to={to}) is not whole: {exc}") from None
    return answers


@cache
def server_program() -> str:
    """pandoc under the name pandoc-server.cgi (a link in a private folder), so it can be
    started through `setpriv` (generator/formats/child.py), which cannot set argv[0]."""
    folder = tempfile.mkdtemp(prefix="solgen-pandoc-")
    atexit.register(shutil.rmtree, folder, True)
    link = Path(folder) / "pandoc-server.cgi"
    link.symlink_to(executable())
    return str(link)


def docx(markdown: str, seconds: float = DEFAULT_SECONDS) -> bytes:
    """Word document with native (OMML) equations; pandoc writes it to a file."""
    with tempfile.TemporaryDirectory(prefix="solgen-docx-") as tmp:
        target = Path(tmp) / "document.docx"
        run(markdown, ["--to=docx", f"--output={target}"], seconds)
        return target.read_bytes()
