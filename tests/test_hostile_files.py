"""Hostile template folders, planted links and stale builds (issue 20).

Each folder of tests/hostile/templates/ tries one thing a course template must not do:
loop for ever, compute a huge power, fill memory (`*`, a format width, `center`), divide
by zero, make typst read a file, download a package or loop, put a script in the HTML
header, hide TeX in a message. Each
build exits 1 with `file:line` of the template, no traceback, and writes nothing. Then:
links planted in a template folder or an output folder are refused and their targets left
alone, and an edit of any input a sheet or template pulls in rebuilds the output.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from generator.cli import main

TEMPLATES = ROOT / "tests" / "hostile" / "templates"
DISCUSSION = ROOT / "problems" / "week1-discussion.yaml"
STEPS = ROOT / "problems" / "week1-sgd-step.yaml"  # has steps, so `verified` is said
# The folder, the problem to build, and where the refusal must point.
CASES = {
    "zero-division": (DISCUSSION, "markdown/document.md.j2:3: ZeroDivisionError"),
    "loop": (DISCUSSION, "markdown/document.md.j2:2: still running after 2 s"),
    "power": (DISCUSSION, "markdown/document.md.j2:2: exponent 1000000000 is too large"),
    "repeat": (DISCUSSION, "latex/document.tex.j2:2: `*` would make 10000000000 items"),
    "format-width": (DISCUSSION, "markdown/document.md.j2:2: a format with a width"),
    "center": (DISCUSSION, "markdown/document.md.j2:2: argument 1000000000 is too large"),
    "typst-import": (DISCUSSION, "typst/document.typ:2: 'import' is not allowed"),
    "typst-read": (DISCUSSION, "typst/document.typ:2: 'read' is not allowed"),
    "typst-loop": (DISCUSSION, "typst/document.typ:2: 'while' is not allowed"),
    "html-script": (DISCUSSION, "html/math-style.html:2: '<script' is not allowed"),
    "messages-math": (STEPS, "messages/en.yaml:2: verified: in $\\input{/etc/passwd}$"),
    "messages-range": (STEPS, "messages/en.yaml:2: verified: message: still running"),
}
FORMATS = ["--format=md", "--format=tex", "--format=pdf", "--format=html"]


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_template_folder_is_refused_at_its_line(
        tmp_path: Path, case: str) -> None:
    problem, expected = CASES[case]
    folder = TEMPLATES / case
    # The template budget is the run's --time-limit (issue 22); the runaway cases get a short one.
    budget = ["--time-limit", "2"] if case in ("loop", "messages-range") else []
    code, output = build(str(problem), "--out", str(tmp_path), "--lang", "en",
                         "--templates", str(folder), *FORMATS, *budget)
    assert code == 1, output
    assert output.startswith(f"{folder}/{expected}"), output
    assert snapshot(tmp_path) == {}


def test_template_link_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("CANARY-SECRET-include\n", encoding="utf-8")
    folder = tmp_path / "course"
    shutil.copytree(TEMPLATES / "include-escape", folder)
    (folder / "markdown" / "leak.j2").symlink_to(secret)
    out = tmp_path / "out"
    code, output = build(str(DISCUSSION), "--out", str(out), "--templates", str(folder),
                         "--format", "md")
    assert code == 1
    assert output.startswith(f"{folder}/markdown/leak.j2: a symbolic link that leaves the "
                             "template folder"), output
    assert "CANARY-SECRET" not in output and not out.exists()


def test_template_folder_linking_a_whole_folder_out_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "markdown").mkdir(parents=True)
    (outside / "markdown" / "document.md.j2").write_text("{{ title }}\n", encoding="utf-8")
    folder = tmp_path / "course"
    folder.mkdir()
    (folder / "markdown").symlink_to(outside / "markdown")
    code, output = build(str(DISCUSSION), "--out", str(tmp_path / "out"),
                         "--templates", str(folder), "--format", "md")
    assert code == 1 and output.startswith(f"{folder}/markdown: a symbolic link"), output


@pytest.mark.parametrize("planted", ["record", "lang-folder", "output-file"])
def test_a_link_in_the_output_folder_is_never_followed(tmp_path: Path, planted: str) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("do not touch\n", encoding="utf-8")
    out = tmp_path / "out"
    (out / "en").mkdir(parents=True)
    if planted == "record":
        (out / ".solgen-build.json").symlink_to(victim / "keep.txt")
        link = out / ".solgen-build.json"
    elif planted == "lang-folder":
        (out / "en").rmdir()
        (out / "en").symlink_to(victim)
        link = out / "en"
    else:
        (out / "en" / "week1-discussion.md").symlink_to(victim / "keep.txt")
        link = out / "en" / "week1-discussion.md"
    before = snapshot(victim)
    code, output = build(str(DISCUSSION), "--out", str(out), "--format", "md")
    assert code == 1, output
    assert f"{link} is a symbolic link" in output, output
    assert snapshot(victim) == before
    assert link.is_symlink()


def test_the_record_temporary_is_created_exclusively(tmp_path: Path) -> None:
    """The old attack planted `.solgen-build.json.tmp`; today no fixed name is used, and a
    file already at the temporary name is an error, never written through."""
    import os

    from generator.spec.file_safety import UnsafePath, write_atomic

    target = tmp_path / "victim.txt"
    target.write_text("keep\n", encoding="utf-8")
    record = tmp_path / "record.json"
    (tmp_path / f".record.json.{os.getpid()}.tmp").symlink_to(target)
    with pytest.raises(UnsafePath):
        write_atomic(record, b"{}", levels=0)
    assert target.read_text(encoding="utf-8") == "keep\n" and not record.exists()


SHEET = """id: course-sheet
title: Sheet
kind: sheet
parts:
  - problem: parts/q.yaml
"""
PART = """id: part-q
title: Part
kind: discussion
questions:
  - ask: "{ask}"
"""


def test_an_edit_of_any_input_rebuilds(tmp_path: Path) -> None:
    """A sheet part in a sub-folder, a user template and a user message: each edit changes
    the output on the next build, which a stale cache would not."""
    (tmp_path / "parts").mkdir()
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text(SHEET, encoding="utf-8")
    part = tmp_path / "parts" / "q.yaml"
    part.write_text(PART.format(ask="First wording?"), encoding="utf-8")
    course = tmp_path / "course"
    (course / "markdown").mkdir(parents=True)
    template = course / "markdown" / "document.md.j2"
    template.write_text('{% extends "default:markdown/document.md.j2" %}\n', encoding="utf-8")
    (course / "messages").mkdir()
    messages = course / "messages" / "en.yaml"
    messages.write_text('items:\n  discussion_item: "{{ text_en }}"\n', encoding="utf-8")
    out = tmp_path / "out"
    md = out / "en" / "course-sheet.md"
    args = (str(sheet), "--out", str(out), "--templates", str(course), "--format", "md",
            "--lang", "en")

    def solgen() -> str:
        # A process per build, as `make build` runs: nothing cached in memory between them.
        done = subprocess.run([sys.executable, "-m", "generator", "build", *args],
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout + done.stderr

    def rebuilt() -> str:
        output = solgen()
        assert "(0 written)" not in output and "nothing changed" not in output, output
        return md.read_text(encoding="utf-8")

    assert "First wording?" in rebuilt()
    part.write_text(PART.format(ask="Second wording?"), encoding="utf-8")
    assert "Second wording?" in rebuilt()
    template.write_text(template.read_text(encoding="utf-8")
                        + "{% block footer %}\nFOOTER EDITED\n{% endblock %}\n",
                        encoding="utf-8")
    assert "FOOTER EDITED" in rebuilt()
    messages.write_text('items:\n  discussion_item: "Asked: {{ text_en }}"\n',
                        encoding="utf-8")
    assert "+ Asked: Second wording?" in rebuilt()
    assert "nothing changed" in solgen()  # and with nothing edited, nothing is done
