"""`--jobs N` builds the same files as a serial build; progress is shown only when slow."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

from click.testing import CliRunner
from conftest import ROOT

from generator.build.progress import Progress, count
from generator.cli import main

# A sheet with the problems it includes, two problems with vary: and a layer problem.
FILES = ["week1.yaml", "week1-sgd-step.yaml", "week1-sigmoid-derivatives.yaml",
         "week1-sigmoid-tanh.yaml", "week1-discussion.yaml", "hw1-3-conv-w11-variants.yaml",
         "week1-sgd-step-variants.yaml", "softmax-ce.yaml"]
PROGRESS = re.compile(r"\[\d+/\d+\] (verified|failed|wrote|built) .* \(\d+\.\d s\)\n")


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build(*args: str) -> tuple[int, str]:
    """Exit code and output, without the progress lines of a build slower than a second."""
    result = CliRunner().invoke(main, ["build", *args])
    lines = result.output.splitlines(keepends=True)
    return result.exit_code, "".join(x for x in lines if not PROGRESS.match(x))


def test_parallel_build_writes_the_files_of_a_serial_build(tmp_path: Path) -> None:
    paths = [str(ROOT / "problems" / f) for f in FILES]
    common = ["--format", "md", "--format", "tex", "--format", "json", "--format", "pdf",
              "--format", "moodle", "--variants", "2", "--seed", "7", "--combined"]
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    assert build(*paths, "--out", str(serial), "--jobs", "1", *common)[0] == 0
    code, output = build(*paths, "--out", str(parallel), "--jobs", "2", *common)
    assert code == 0, output
    one, two = tree(serial), tree(parallel)
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []
    # Every kind of file is there: documents, PDFs, variant sheets, class keys, Moodle.
    assert {"zh-TW/week1.pdf", "en/hw1-3-conv-w11-variants/v001.answer.tex",
            "hw1-3-conv-w11-variants/answers.csv", "zh-TW/week1-sgd-step-variants/moodle.xml",
            "en/week1-sgd-step-variants/questions.pdf"} <= set(two)
    assert "8 problems, 4 variants," in output


def broken_and_good(tmp_path: Path) -> list[str]:
    folder = tmp_path / "problems"
    folder.mkdir()
    for name in ("week1-sgd-step.yaml", "week1-sigmoid-tanh.yaml"):
        shutil.copy(ROOT / "problems" / name, folder / name)
    text = (ROOT / "problems" / "week1-sgd-step.yaml").read_text(encoding="utf-8")
    (folder / "a-broken.yaml").write_text(text.replace("id: week1-sgd-step", "id: broken")
                                          .replace("kind: sgd_step", "kind: sgd_stp"),
                                          encoding="utf-8")
    (folder / "z-broken.yaml").write_text("id: z\nkind: gradient\n", encoding="utf-8")
    return [str(folder)]


def test_a_failure_writes_nothing_and_reports_every_file_in_order(tmp_path: Path) -> None:
    paths = broken_and_good(tmp_path)
    reports = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        code, output = build(*paths, "--out", str(out), "--format", "md", "--jobs", jobs)
        assert code == 1
        assert not out.exists()
        assert output.endswith("2 of 4 problem files failed; nothing was written.\n")
        assert output.index("a-broken.yaml") < output.index("z-broken.yaml")
        reports.append(output)
    assert reports[0] == reports[1]


def test_keep_going_in_parallel_writes_the_good_files(tmp_path: Path) -> None:
    paths = broken_and_good(tmp_path)
    trees = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        code, output = build(*paths, "--out", str(out), "--format", "md", "--jobs", jobs,
                             "--keep-going")
        assert code == 1
        assert f"2 problems, 0 variants, 4 files in {out}/ (4 written), 2 failures" in output
        assert output.endswith("2 of 4 problem files failed; the others were written.\n")
        trees.append(tree(out))
    assert trees[0] == trees[1]
    assert sorted(trees[0]) == ["en/week1-sgd-step.md", "en/week1-sigmoid-tanh.md",
                                "zh-TW/week1-sgd-step.md", "zh-TW/week1-sigmoid-tanh.md"]


def test_check_in_parallel_counts_the_same_steps() -> None:
    paths = [str(ROOT / "problems" / f) for f in FILES[:4]]
    outputs = [CliRunner().invoke(main, ["check", *paths, "--jobs", jobs]).stdout
               for jobs in ("1", "2")]
    assert outputs[0] == outputs[1]
    assert outputs[0].startswith("ok: 4 problems, ")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_is_silent_for_a_second_then_writes_plain_lines() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, tty=False, clock=clock)
    progress(1, 4, "verified a.yaml")
    clock.now = 101.5
    progress(2, 4, "verified b.yaml")
    progress.close()
    assert stream.getvalue() == "[2/4] verified b.yaml (1.5 s)\n"


def test_progress_on_a_terminal_redraws_one_bar_and_clears_it() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, tty=True, clock=clock)
    clock.now = 102.0
    progress(1, 4, "built a.yaml")
    progress(4, 4, "built b.yaml")
    progress.close()
    bar = "[" + "#" * 6 + "-" * 18 + "]"
    assert stream.getvalue() == (f"\r\033[K{bar} 1/4 2 s built a.yaml"
                                 f"\r\033[K[{'#' * 24}] 4/4 2 s built b.yaml\r\033[K")


def test_counts_read_as_sentences() -> None:
    assert [count(n, "file") for n in (0, 1, 2)] == ["0 files", "1 file", "2 files"]


def test_workers_use_the_users_templates(tmp_path: Path) -> None:
    folder = tmp_path / "course" / "markdown"
    folder.mkdir(parents=True)
    (folder / "document.md.j2").write_text(
        '{% extends "default:markdown/document.md.j2" %}\n'
        "{% block header %}\n# {{ title }}\n\nML 2026 · TA office hours: Tue 14:00\n"
        "{% endblock %}\n", encoding="utf-8")
    paths = [str(ROOT / "problems" / f) for f in FILES[1:3]]
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        code, output = build(*paths, "--out", str(out), "--format", "md", "--jobs", jobs,
                             "--templates", str(tmp_path / "course"))
        assert code == 0, output
    one, two = tree(tmp_path / "out1"), tree(tmp_path / "out2")
    assert one == two
    assert all(b"\n\nML 2026 \xc2\xb7 TA office hours: Tue 14:00\n" in text
               for name, text in two.items() if name.endswith(".md"))


def test_two_files_with_one_id_write_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "problems"
    folder.mkdir()
    text = (ROOT / "problems" / "week1-sgd-step.yaml").read_text(encoding="utf-8")
    for name in ("a.yaml", "b.yaml"):
        (folder / name).write_text(text, encoding="utf-8")
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        code, output = build(str(folder), "--out", str(out), "--format", "md", "--jobs", jobs)
        assert code == 1
        assert output == (f"two problems would write {out}/zh-TW/week1-sgd-step.md: give them "
                          "different ids\n")
        assert not out.exists()


def test_jobs_split_one_problems_variants_with_the_bytes_of_a_serial_build(
        tmp_path: Path) -> None:
    # One file and --jobs 2: the class is cut into two shares, one solved in a worker
    # (build/split.py); every file, class files and the answer key included, is the same.
    path = str(ROOT / "problems" / "week1-sgd-step-variants.yaml")
    common = ["--format", "md", "--format", "tex", "--format", "json", "--format", "moodle",
              "--format", "cloze", "--variants", "45", "--seed", "3", "--combined"]
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    assert build(path, "--out", str(serial), "--jobs", "1", *common)[0] == 0
    code, output = build(path, "--out", str(parallel), "--jobs", "2", *common)
    assert code == 0, output
    one, two = tree(serial), tree(parallel)
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []
    assert {"en/week1-sgd-step-variants/v045.answer.tex", "zh-TW/week1-sgd-step-variants/"
            "moodle.xml", "en/week1-sgd-step-variants/answers.md",
            "week1-sgd-step-variants/answers.json"} <= set(two)
    assert "1 problem, 45 variants," in output


def test_a_class_is_split_only_when_each_process_gets_enough_variants() -> None:
    from generator.build.split import MIN_SHARE, shares

    assert shares(MIN_SHARE * 2, 2) == 2
    assert shares(MIN_SHARE * 2 - 1, 2) == 1  # a spawned worker costs ~1 s of imports
    assert shares(1000, 1) == 1
    assert shares(10, 4) == 1
