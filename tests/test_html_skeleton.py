"""Issue 16: the HTML sheets of a class share pandoc conversions (formats/skeleton.py) and
one long-lived KaTeX child (formats/katex_child.py); every page is byte for byte the page
of that document converted alone (`pandoc.html`, one pandoc run per document)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from generator.errors import SolgenError
from generator.formats import katex, katex_child, pandoc, skeleton
from generator.theme.theme import Theme

pytestmark = pytest.mark.skipif(not katex.available(),
                                reason="node and node_modules/katex missing: npm ci")


def _doc(title: str, body: str) -> str:
    return f"---\ntitle: {title}\nlang: en\n---\n\n# {title}\n\n{body}\n"


def _pair(body: str, a: tuple[str, ...], b: tuple[str, ...]) -> list[str]:
    return [_doc(f"Sheet {x[0]}", body.format(*x)) for x in (a, b)]


# Each: a body with {} for the numbers, and two sets of numbers.
SHARED = [
    ("Sample $(x,y)=({},{})$, step $a={}$.\n\n$$\nz = {} + 2 \\cdot ({})\n$$",
     ("001", "-1", "0.5", "-3", "-1"), ("002", "2", "-0.25", "4", "-7")),
    ("**Step {}:** the rate is {} and the loss {}.", ("1", "0.1", "12.5"),
     ("2", "0.01", "-3.75")),
    ("A [link](https://example.org/a{}?q={}) and <https://example.org/{}>.",
     ("1", "2", "3"), ("40", "50", "60")),
    ("Text with $x_{{{}}}$ and $y^{{{}}}$, then 5 and 5 again ({}).", ("1", "2", "3"),
     ("7", "7", "7")),
    # A minus that is not the number's: after `$`, in `--`, escaped.
    ("$x$-{} and 5--{} and \\-{}", ("1", "2", "3"), ("4", "5", "6")),
]
# Bodies whose numbers pandoc reads by value, or whose Markdown the skeleton refuses.
ALONE = [
    ("{}. first\n{}. second", ("3", "4"), ("1", "2")),  # ordered list: its start
    ("| a | b |\n|---|---|\n| {} | {} |", ("1", "22"), ("333", "4")),  # table widths
    ("## Part {}\n\nx\n\n## Part {}\n\ny", ("1", "1"), ("1", "2")),  # -1 on equal ids
    ("An entity &#{};", ("65", "66"), ("67", "68")),
    ("A note[^{}].\n\n[^{}]: the note", ("1", "1"), ("2", "2")),
    ("Macro $\\newcommand{{\\sq}}[{}]{{#1^2}}\\sq{{x}}$", ("1",), ("1",)),
]


def _docs(cases: list[tuple[str, tuple[str, ...], tuple[str, ...]]]) -> list[str]:
    return [d for body, a, b in cases for d in _pair(body, a, b)]


def test_sheets_that_differ_in_their_numbers_share_one_skeleton() -> None:
    for body, a, b in SHARED:
        one, two = (skeleton.of(d) for d in _pair(body, a, b))
        assert one is not None and two is not None
        assert one.text == two.text, body
        assert skeleton.shareable(_tree(one.text)), body
        assert skeleton.fill(one.text, one.values) == _pair(body, a, b)[0]


def test_a_shared_page_is_the_page_of_the_document_alone() -> None:
    docs = _docs(SHARED) + _docs(ALONE)
    assert pandoc.html_many(docs, Theme()) == [pandoc.html(d, Theme()) for d in docs]


def test_what_pandoc_reads_by_value_is_not_shared() -> None:
    refused = [skeleton.of(d) for d in _docs(ALONE)]
    assert all(s is None or not skeleton.shareable(_tree(s.text)) for s in refused)
    for title in ("007", "1e3", "|2", '"Sheet 1"'):
        assert skeleton.of(f"---\ntitle: {title}\n---\n\ntext\n") is None
    assert skeleton.of("Text 53170000018642.\n") is None  # looks like a sentinel
    assert skeleton.of(_doc("Sheet 1", "Plain 3 and -4.")) is not None


def _tree(text: str) -> str:
    return pandoc._trees([text], "html5", 60)[0]


def test_real_variant_sheets_are_the_pages_of_each_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "generator", "build",
                    str(ROOT / "problems" / "week1-sgd-step-variants.yaml"), "--variants", "6",
                    "--format", "md", "--out", str(out)], check=True, capture_output=True,
                   timeout=300)
    paths = sorted(out.glob("*/*/v*.md"))
    docs = [p.read_text("utf-8") for p in paths]
    assert len(docs) == 24
    questions = {s.text for p, s in zip(paths, map(skeleton.of, docs), strict=True)
                 if s is not None and ".question." in p.name}
    assert len(questions) == 2  # one per language: the question sheets share
    assert pandoc.html_many(docs, Theme()) == [pandoc.html(d, Theme()) for d in docs]


def test_one_katex_child_serves_the_build_and_a_dead_one_is_replaced() -> None:
    docs = [_doc("K", f"$$\nq_{{{i}}} = {i} + \\sqrt{{{i}}}\n$$") for i in (1, 2)]
    first = pandoc.html_many(docs[:1], Theme())
    pids = {c.proc.pid for c in katex_child._children.values()}
    assert len(pids) == 1
    assert pandoc.html_many(docs[1:], Theme()) == [pandoc.html(docs[1], Theme())]
    assert {c.proc.pid for c in katex_child._children.values()} == pids
    for each in katex_child._children.values():
        each.proc.kill()
        each.proc.wait()
    katex._typeset.clear()
    assert pandoc.html_many(docs[:1], Theme()) == first  # a fresh child
    assert {c.proc.pid for c in katex_child._children.values()}.isdisjoint(pids)


def test_a_child_that_dies_mid_request_is_an_error_naming_katex(tmp_path: Path) -> None:
    script = tmp_path / "katex.js"
    script.write_text("process.exit(3);\n", encoding="utf-8")
    with pytest.raises(SolgenError, match=r"KaTeX \(node\) failed \(exit status 3\)"):
        katex_child.render(script, [("x", False)], 30)


def test_a_child_over_its_time_is_stopped(tmp_path: Path) -> None:
    script = tmp_path / "katex.js"
    script.write_text("exports.renderToString = () => { for (;;) {} };\n", encoding="utf-8")
    with pytest.raises(SolgenError, match="was still running after 1 s and was stopped"):
        katex_child.render(script, [("x", False)], 1)
    assert script not in katex_child._children


def test_the_child_is_reaped_when_the_build_ends() -> None:
    pandoc.html_many([_doc("R", "$r^{2} + 99$")], Theme())
    children = list(katex_child._children.values())
    assert children
    katex_child._close()  # what atexit runs
    assert not katex_child._children
    assert all(c.proc.returncode == 0 for c in children)  # ended by its input, waited for
