"""Fuzz: random text full of format metacharacters in every text field (issue 20).

A discussion problem's title, question and answer get random strings built from the
characters and fragments each format gives a meaning to (HTML tags and handlers, raw
blocks of pandoc, typst's `#`, TeX's specials, YAML metadata fences, XML's forbidden
characters). Either the file is refused with its `file:line`, or every format's output
parses and holds no live construct: HTML without script, handler or javascript: address;
typst source whose every `#` from the text is escaped, and which compiles; TeX without a
file, shell or catcode command; DOCX and Moodle XML that parse.

A few examples run in `make test`; `SOLGEN_FUZZ_EXAMPLES=2000` (or more) runs a big
batch — run that file alone, never the whole suite with it.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_hostile_formats import active_html

from generator.errors import SolgenError
from generator.formats import moodle, pandoc
from generator.formats.pdf import binary_continuations, typst_compile
from generator.formats.text import render
from generator.solvers.problem import prepare
from generator.theme.theme import Theme
from generator.variants.solution import Answer
from generator.view.document import Block, Document, Section
from generator.view.model import problem_view

EXAMPLES = int(os.environ.get("SOLGEN_FUZZ_EXAMPLES", "12"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
FRAGMENTS = st.sampled_from([
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</p>", "<", ">", "&",
    "&#106;", "javascript:alert(1)", "[a](javascript:x)", "![i](/etc/passwd)",
    "<http://127.0.0.1:9/x>", "{onclick=x}", "`", "```", "{=typst}", "{=html}",
    "{=openxml}", "{=latex}", "#read(\"/etc/passwd\")", "#import \"@preview/x:0.1.0\"",
    "#{", "#let x = 1", "@ref", "<label>", "$", "$$", "$x$", "\\", "\\input{/etc/passwd}",
    "\\write18{ls}", "{", "}", "%", "#", "_", "^", "^^5c", "~", "*", "**", "[", "]", "(",
    ")", "!", "|", "\n", "\n\n", "---", "\n---\nauthor: x\n---\n", ":::", "\"", "'",
    "\x0b", "\x00", "\ufffe", "]]>", "<![CDATA[", "word", "中文", " ", "- ", "1. ", "# ",
])
TEXT = st.lists(FRAGMENTS, min_size=1, max_size=12).map("".join)
TEX_COMMANDS = re.compile(r"\\(input|include|write|read|openin|openout|catcode|def|"
                          r"immediate|csname|special|url|href)(?![A-Za-z])")
# A `#` that is not escaped starts typst code; pandoc's writer itself emits these calls.
TYPST_CODE = re.compile(r"(?<!\\)#(\w+)")
PANDOC_TYPST = {"strong", "emph", "super", "sub", "strike", "smallcaps", "underline",
                "horizontalrule", "h", "v", "box", "block", "quote", "list", "enum", "terms",
                "table", "align", "figure", "link", "footnote", "linebreak"}
ANSWER = Answer("x", None, 1, 0, "x", "1", "1")


def outputs_of(path: Path) -> dict[str, str | bytes]:
    problem = prepare(path)
    theme = Theme()
    model = problem_view(problem, theme.voice("en"))
    markdown = render(model, "md", theme)
    html = moodle.to_html(model)
    xml = moodle.quiz("fuzz", [moodle.question("q", html, html, ANSWER)])
    return {"md": markdown, "tex": render(model, "tex", theme),
            "html": pandoc.html(markdown, theme),
            "typst": pandoc.typst(markdown, ["Libertinus Serif"], ["Libertinus Serif"], theme),
            "docx": pandoc.docx(markdown), "moodle": xml}


@FUZZ
@given(title=TEXT, ask=TEXT, answer=TEXT)
def test_metacharacters_in_text_fields(tmp_path: Path, title: str, ask: str,
                                       answer: str) -> None:
    path = tmp_path / "fuzz.yaml"
    data = {"id": "fuzz", "title": title, "kind": "discussion",
            "questions": [{"ask": ask, "answer": answer}]}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        out = outputs_of(path)
    except SolgenError as exc:
        assert exc.render().startswith(f"{path}:"), exc.render()
        event("refused with file:line")
        return
    event("built in every format")
    found, csp_first = active_html(str(out["html"]))
    assert found == [] and csp_first, found
    body = str(out["typst"]).split("#v(0.6em)", 1)[1]
    assert set(TYPST_CODE.findall(re.sub(r"`[^`]*`", "", body))) <= PANDOC_TYPST
    typst_compile(binary_continuations(str(out["typst"])), (), 60.0)
    assert TEX_COMMANDS.findall(str(out["tex"]).split("\\begin{document}", 1)[1]) == []
    with zipfile.ZipFile(BytesIO(bytes(out["docx"]))) as archive:
        ET.fromstring(archive.read("word/document.xml"))
        assert not [n for n in archive.namelist() if n.startswith("word/media/")]
    ET.fromstring(str(out["moodle"]).encode("utf-8"))


@pytest.mark.parametrize("text", ["a\x0bb", "]]><x/>", "\x00\ufffe\U0001F600"])
def test_moodle_xml_drops_what_xml_forbids(text: str) -> None:
    html = moodle.to_html(Document(text, "en", (Section(text, 3, (
        Block(text, (text,), (), text),)),), ""))
    xml = moodle.quiz(text, [moodle.question(text, html, html, ANSWER)])
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.find("question/name/text") is not None
