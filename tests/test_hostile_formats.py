"""Hostile text through every output format (issue 20): printed as text, never run.

Each file of tests/hostile/text/ tries one format's way out: raw typst, raw OpenXML and
images, script and javascript: in HTML, raw TeX, pandoc metadata. `@CANARY@` becomes the
path of a file with a secret and `@URL@` the address of a server this test watches. Every
file builds (exit 0: text is text) and then: the secret is in no output (DOCX parts and
PDF text included), nothing connected to the server, the HTML has no script, no event
handler and no javascript: address, and the DOCX holds no image and no raw XML.
"""

from __future__ import annotations

import contextlib
import html.parser
import socket
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from generator.cli import main

TEXT = sorted((ROOT / "tests" / "hostile" / "text").glob("*.yaml"))
SECRET = "CANARY-SECRET-5d41402abc"
FORMATS = ["md", "tex", "html", "docx", "pdf"]


class Listener:
    """A TCP server on localhost that only counts who connects to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.sock.close()


@contextlib.contextmanager
def listening() -> Iterator[Listener]:
    """A watched server, started inside the test's body: the body runs in a forked child
    (tests/isolation.py), which a thread started before the fork would make unsafe."""
    server = Listener()
    try:
        yield server
    finally:
        server.close()


class ActiveHtml(html.parser.HTMLParser):
    """Collects every live construct of a page: script elements, on* attributes and
    addresses with a scheme that runs code."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.csp_first = False
        self.in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "head":
            self.in_head = True
        elif self.in_head and not self.found and tag == "meta" and not self.csp_first:
            self.csp_first = dict(attrs).get("http-equiv") == "Content-Security-Policy"
            self.in_head = False
        if tag in ("script", "iframe", "object", "embed", "base", "form"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            address = "".join((value or "").split()).lower()
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in ("href", "src", "action") and address.startswith(
                    ("javascript:", "vbscript:", "data:", "file:")):
                self.found.append(f"{tag} {name}={value}")


def active_html(page: str) -> tuple[list[str], bool]:
    parser = ActiveHtml()
    parser.feed(page)
    return parser.found, parser.csp_first


def instantiate(corpus: Path, folder: Path, canary: Path, url: str) -> Path:
    text = corpus.read_text(encoding="utf-8")
    target = folder / corpus.name
    target.write_text(text.replace("@CANARY@", str(canary)).replace("@URL@", url),
                      encoding="utf-8")
    return target


def all_text(path: Path) -> str:
    """Everything a reader of the file could get at: its bytes, each part of a DOCX, the
    text of a PDF."""
    data = path.read_bytes()
    parts = [data.decode("utf-8", "replace")]
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as archive:
            parts += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
    if path.suffix == ".pdf":
        import subprocess

        done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=False)
        parts.append(done.stdout.decode("utf-8", "replace"))
    return "\n".join(parts)


@pytest.mark.parametrize("corpus", TEXT, ids=[p.stem for p in TEXT])
def test_text_stays_text_in_every_format(tmp_path: Path, corpus: Path) -> None:
    with listening() as listener:
        check_text_stays_text(tmp_path, corpus, listener)


def check_text_stays_text(tmp_path: Path, corpus: Path, listener: Listener) -> None:
    canary = tmp_path / "canary.txt"
    canary.write_text(SECRET + "\n", encoding="utf-8")
    source = instantiate(corpus, tmp_path, canary, listener.url)
    out = tmp_path / "out"
    args = ["build", str(source), "--out", str(out), "--lang", "en"]
    result = CliRunner().invoke(main, args + [f"--format={f}" for f in FORMATS])
    assert result.exit_code == 0, result.output
    built = sorted(p for p in out.rglob("*") if p.is_file())
    assert {p.suffix for p in built} >= {".md", ".tex", ".html", ".docx", ".pdf"}
    for path in built:
        assert SECRET not in all_text(path), path
    assert listener.connections == 0
    page = (out / "en" / f"{source.stem}.html").read_text(encoding="utf-8")
    found, csp_first = active_html(page)
    assert found == [] and csp_first, found
    with zipfile.ZipFile(out / "en" / f"{source.stem}.docx") as archive:
        assert not [n for n in archive.namelist() if n.startswith("word/media/")]
        document = archive.read("word/document.xml").decode("utf-8")
    assert "<w:t>PWNED-RAW</w:t>" not in document  # raw OpenXML would appear as markup
    assert canary.read_text(encoding="utf-8") == SECRET + "\n"
    # Nothing outside the output folder but solgen's own lock and stat hints beside it
    # (issue 22: they must survive the swap of the folder, so they cannot live inside it).
    beside = [tmp_path / f".{out.name}.solgen-lock", tmp_path / f".{out.name}.solgen-times.json"]
    assert sorted(tmp_path.iterdir()) == sorted([canary, source, out, *beside])


def test_raw_typst_never_reaches_the_compiler(tmp_path: Path) -> None:
    """The typst source made from the hostile prose holds no typst code of its own: every
    `#` from the text is escaped (`\\#`) or inside raw text."""
    import re

    from generator.formats import pandoc
    from generator.theme.theme import Theme

    canary = tmp_path / "canary.txt"
    source = instantiate(ROOT / "tests/hostile/text/typst-raw.yaml", tmp_path, canary,
                         "http://127.0.0.1:9")
    result = CliRunner().invoke(main, ["build", str(source), "--out", str(tmp_path / "o"),
                                       "--lang", "en", "--format", "md"])
    assert result.exit_code == 0, result.output
    markdown = (tmp_path / "o" / "en" / "typst-raw.md").read_text(encoding="utf-8")
    typst = pandoc.typst(markdown, ["Libertinus Serif"], ["Libertinus Serif"], Theme())
    # solgen's own code: its display function (typst_display), defined once before the
    # text, and wrappers (typst_blocks), each a whole line: the only code allowed.
    from generator.formats.typst_blocks import STICKY, UNBREAKABLE, display
    from generator.formats.typst_display import SOURCE

    body = typst[typst.index("#v(0.6em)") + len("#v(0.6em)"):]
    assert body.count(SOURCE) <= 1 and body.count("solgen-display(cont") == body.count(display(
        "(cont.)")) + body.count(display("(cont.)", sticky=True))
    outside_raw = re.sub(r"`[^`]*`", "", body.replace(SOURCE, ""))
    lines = outside_raw.splitlines()
    ours = (STICKY, UNBREAKABLE, display("(cont.)"), display("(cont.)", sticky=True))
    outside_raw = "\n".join(line for line in lines if line not in ours)
    assert any(line in lines for line in ours)
    assert re.findall(r"(?<!\\)#(?!strong\[|emph\[)\w+", outside_raw) == []


@pytest.mark.parametrize("code", [
    b'#read("/etc/hostname")',
    b'#image("/etc/hostname")',
    b'#import "@preview/cetz:0.2.2": *',
])
def test_typst_compiler_reads_and_fetches_nothing(code: bytes) -> None:
    """Even code that did reach the compiler finds an empty root and no network."""
    import typst

    from generator.formats.pdf import compiler, offline

    with offline(), pytest.raises(typst.TypstError) as caught:
        compiler(()).compile(input=code)
    assert "file not found" in str(caught.value) or "Connection" in str(caught.value)


def _discussion(tmp_path: Path, answer: str) -> Path:
    path = tmp_path / "nest.yaml"
    path.write_text("id: nest\ntitle: {en: Nest, zh-TW: 巢}\nkind: discussion\n"
                    "questions:\n  - ask: {en: 'Q?', zh-TW: '問？'}\n"
                    f"    answer: {{en: '{answer}', zh-TW: '{answer}'}}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("answer", ["> " * 300 + "deep", "- " * 40 + "deep"])
def test_deep_nesting_is_refused_at_its_line(tmp_path: Path, answer: str) -> None:
    """A few hundred nested block quotes overflowed the walk over pandoc's tree with a
    traceback; the loader refuses them, naming the file, line and key, and writes nothing."""
    out = tmp_path / "o"
    result = CliRunner().invoke(main, ["build", str(_discussion(tmp_path, answer)),
                                       "--out", str(out), "--format", "html"])
    assert result.exit_code == 1, result.output
    assert "nest.yaml:6: questions[0].answer.en: block quotes or lists are nested more " \
           "than 16 deep" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_nesting_a_sheet_uses_still_builds(tmp_path: Path) -> None:
    out = tmp_path / "o"
    result = CliRunner().invoke(main, ["build", str(_discussion(tmp_path, "> " * 16 + "ok")),
                                       "--out", str(out), "--format", "html", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert (out / "en" / "nest.html").read_text(encoding="utf-8").count("<blockquote>") == 16


def test_a_tree_too_deep_to_walk_is_an_error_not_a_traceback() -> None:
    import json

    from generator.errors import SolgenError
    from generator.formats.pandoc_ast import clean_json

    # Written as text: json.dumps of a tree this deep would overflow first.
    text = json.dumps({"pandoc-api-version": [1, 23], "meta": {}, "blocks": []})
    text = text.replace('"blocks": []', '"blocks": [' + "{\"t\": \"BlockQuote\", \"c\": [" * 5000
                        + '{"t": "Para", "c": []}' + "]}" * 5000 + "]")
    with pytest.raises(SolgenError, match="too deeply"):
        clean_json(text)
