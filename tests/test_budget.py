"""One budget for a problem's work outside sympy (issue 22): pandoc, latexmk and typst are
stopped at the run's --time-limit and die with their parent; templates render under the
same limit."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT

from generator.errors import PdfError, SolgenError, TemplateError
from generator.formats import child, pandoc, typst_child
from generator.formats.pdf import typst_compile, xelatex_pdf
from generator.theme.sandbox import BoundedEnvironment, render
from generator.theme.selection import choose

# Nested block quotes: pandoc's time grows steeply with the depth (20 KB took > 150 s).
NESTED = "# Deep quote\n\n" + "> " * 3000 + "x\n"
# typst memoizes calls, so each call gets a different `k`: 2**n calls that cannot be reused.
RUNAWAY_TYPST = ("#let f(n, k) = if n == 0 { k } else { f(n - 1, 2 * k) + f(n - 1, 2 * k + 1) }"
                 "\n#f(40, 1)\n")


def alive(pid: int) -> bool:
    """`pid` exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def gone_within(pid: int, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return not alive(pid)


def test_pandoc_overtime_names_the_document_and_hints() -> None:
    start = time.monotonic()
    with pytest.raises(SolgenError) as info:
        pandoc.run(NESTED, ["--to=html5"], 1.0)
    assert time.monotonic() - start < 10
    assert info.value.where == "document 'Deep quote'"
    assert info.value.message == "pandoc (--to=json) was still running after 1 s and was stopped"
    assert "--time-limit" in info.value.hint


def test_pandoc_batch_overtime_names_the_batch() -> None:
    with pytest.raises(SolgenError) as info:
        pandoc.html_many([NESTED, "# Fine\n\nok\n"], choose((), 1.0))
    assert info.value.where == "one of 2 documents (document 'Deep quote', document 'Fine')"
    assert "was still running after 1 s" in info.value.message


def test_pandoc_within_budget_is_unchanged() -> None:
    """The budget changes nothing when it is not reached: the same bytes as no limit."""
    text = "# T\n\n> a quote\n\n$x^2$\n"
    assert pandoc.run(text, ["--to=html5"], 60.0) == pandoc.run(text, ["--to=html5"], 0)


@pytest.mark.skipif(not child.command(["x"])[:-1], reason="no setpriv --pdeathsig here")
def test_child_dies_with_its_parent() -> None:
    """SIGKILL to the process that started pandoc & co. leaves no child behind."""
    script = ("import subprocess, sys, time\n"
              "from generator.formats import child\n"
              "p = subprocess.Popen(child.command(['sleep', '300']))\n"
              "print(p.pid, flush=True)\n"
              "time.sleep(300)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    assert parent.stdout is not None
    pid = int(parent.stdout.readline())
    # setpriv asks for the signal, then execs sleep: wait for the exec, so the kill below
    # cannot come before the request.
    end = time.monotonic() + 10
    while not Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"sleep\0"):
        assert time.monotonic() < end, "setpriv never started sleep"
        time.sleep(0.02)
    parent.kill()
    parent.wait()
    try:
        assert gone_within(pid, 2.0), f"sleep {pid} outlived its killed parent"
    finally:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_interrupted_run_kills_its_child(tmp_path: Path) -> None:
    """An exception while waiting (the build's Interrupted on SIGINT/SIGTERM) kills the
    child at once."""
    pidfile = tmp_path / "pid"

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGUSR1, stop)
    timer = threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGUSR1))
    try:
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            child.run(["sh", "-c", f"echo $$ > {pidfile}; exec sleep 300"], None, seconds=0)
    finally:
        timer.cancel()
        signal.signal(signal.SIGUSR1, previous)
    assert not alive(int(pidfile.read_text()))


def test_runaway_typst_is_stopped_and_the_next_compile_works() -> None:
    before = typst_compile("= Title\n\nsome $x^2$ text\n", (), 60.0)
    start = time.monotonic()
    with pytest.raises(PdfError) as info:
        typst_compile(RUNAWAY_TYPST, (), 1.0)
    assert time.monotonic() - start < 10
    assert info.value.message == ("the typst compiler was still running after 1 s and was "
                                  "stopped")
    # A fresh child gives the same bytes as the one that was killed.
    assert typst_compile("= Title\n\nsome $x^2$ text\n", (), 60.0) == before


def test_crashed_typst_is_an_error_not_an_abort() -> None:
    """A compiler that aborts (a Rust stack overflow is SIGABRT, exit 134 of the whole
    process in-process) costs one PdfError; the build process lives on."""
    typst_compile("warm up", (), 60.0)
    kept = typst_child._children[((), 0)]  # (font folders, which compiler)

    def abort() -> None:
        time.sleep(0.5)
        kept.proc.send_signal(signal.SIGABRT)

    threading.Thread(target=abort).start()
    with pytest.raises(PdfError) as info:
        typst_compile(RUNAWAY_TYPST, (), 0)
    assert info.value.message == "the typst compiler crashed (exit status -6)"
    assert not alive(kept.proc.pid)
    assert typst_compile("after", (), 60.0).startswith(b"%PDF-")


def test_typst_errors_and_warnings_come_back_from_the_child() -> None:
    with pytest.raises(PdfError, match="typst could not compile the document: unknown "
                       "variable: nosuchthing"):
        typst_compile("#nosuchthing", (), 60.0)
    with pytest.raises(PdfError, match="typst warned: unknown font family: nosuchfont"):
        typst_compile('#set text(font: "nosuchfont")\nx', (), 60.0)


def test_template_budget_is_the_time_limit() -> None:
    env = BoundedEnvironment()
    loop = env.from_string("{% for a in range(99999) %}{% for b in range(99999) %}"
                           "{% endfor %}{% endfor %}")
    start = time.monotonic()
    with pytest.raises(TemplateError) as info:
        render(loop, {}, "loop.j2", 0.5)
    assert time.monotonic() - start < 5
    assert info.value.message == "still running after 0.5 s"
    assert "--time-limit" in info.value.hint


def test_theme_carries_the_time_limit_to_every_renderer() -> None:
    theme = choose((), 7.5)
    assert theme.seconds == 7.5
    assert theme.voice("en").seconds == 7.5


def need_tex() -> None:
    if shutil.which("latexmk") is None or shutil.which("xelatex") is None:
        pytest.skip("missing latexmk/xelatex")


@pytest.mark.slow
def test_latexmk_overtime_kills_xelatex_too(tmp_path: Path) -> None:
    need_tex()
    tex = ("\\documentclass{article}\n\\begin{document}\n"
           "\\loop\\iftrue\\repeat\n\\end{document}\n")
    with pytest.raises(PdfError) as info:
        xelatex_pdf(tex, "forever", 5.0)
    assert info.value.message == "xelatex was still running after 5 s and was stopped"
    source = Path(str(info.value.where))
    assert source.name == "forever.tex"
    # No process is left working in the folder (latexmk's xelatex runs with cwd there).
    left = [p for p in Path("/proc").iterdir() if p.name.isdigit()
            and _cwd(p) == source.parent and alive(int(p.name))]
    assert left == []


def _cwd(proc: Path) -> Path | None:
    try:
        return Path(os.readlink(proc / "cwd"))
    except OSError:
        return None


@pytest.mark.slow
def test_build_with_a_runaway_typst_template_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    templates = tmp_path / "tpl"
    (templates / "typst").mkdir(parents=True)
    own = Path("generator/templates/typst/document.typ").read_text(encoding="utf-8")
    (templates / "typst" / "document.typ").write_text(own + RUNAWAY_TYPST, encoding="utf-8")
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "generator", "build",
                           "problems/dense-l2.yaml", "--out", str(out), "--format", "pdf",
                           "--lang", "en", "--templates", str(templates), "--time-limit", "3"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert ("document 'Gradient of a dense layer with L2 regularisation (weight decay)': "
            "the typst compiler was still running after 3 s and was stopped") in done.stderr
    assert not out.exists()


def _processes_named(word: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and word.encode() in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return [pid for pid in found if alive(pid) and pid != os.getpid()]


@pytest.mark.slow
@pytest.mark.skipif(not child.command(["x"])[:-1], reason="no setpriv --pdeathsig here")
def test_xelatex_dies_with_a_killed_build(tmp_path: Path) -> None:
    """SIGKILL to the process compiling a looping .tex: latexmk dies with it, and the
    xelatex latexmk started dies with latexmk."""
    need_tex()
    name = f"loop{os.getpid()}"
    script = ("from generator.formats.pdf import xelatex_pdf\n"
              "xelatex_pdf('\\\\documentclass{article}\\\\begin{document}"
              f"\\\\loop\\\\iftrue\\\\repeat\\\\end{{document}}', '{name}', 0)\n")
    parent = subprocess.Popen([sys.executable, "-c", script])
    end = time.monotonic() + 60
    while not [p for p in _processes_named(name) if b"xelatex" in
               Path(f"/proc/{p}/cmdline").read_bytes().split(b"\0")[0]]:
        assert time.monotonic() < end, "xelatex never started"
        time.sleep(0.2)
    parent.kill()
    parent.wait()
    end = time.monotonic() + 3
    while _processes_named(name) and time.monotonic() < end:
        time.sleep(0.1)
    assert _processes_named(name) == []


@pytest.mark.isolated
def test_memory_limit_caps_growth_and_restores_the_limit() -> None:
    import resource

    from generator.limits import memory_budget, memory_limit

    before = resource.getrlimit(resource.RLIMIT_AS)
    with memory_limit(64):
        assert memory_budget() == 64
        with pytest.raises(MemoryError):
            bytearray(512 * 2**20)
    assert resource.getrlimit(resource.RLIMIT_AS) == before and memory_budget() == 0
    assert len(bytearray(512 * 2**20)) == 512 * 2**20  # fits again


def test_a_problem_out_of_memory_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.build import outputs
    from generator.limits import LimitError
    from generator.solvers import problem

    def exhausted(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(problem, "prepare", exhausted)
    with pytest.raises(LimitError) as caught:
        outputs.prepare_one(ROOT / "problems" / "week1-sgd-step.yaml", 60, {})
    assert caught.value.where == "problems/week1-sgd-step.yaml"
    assert "ran out of memory" in str(caught.value)
    assert "--memory-limit MB" in (caught.value.hint or "")


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_run_over_its_memory_budget_exits_1_without_a_traceback(tmp_path: Path,
                                                                 command: str) -> None:
    out = tmp_path / "out"
    args = ["--out", str(out), "--format", "md"] if command == "build" else []
    done = subprocess.run([sys.executable, "-m", "generator", command,
                           str(ROOT / "problems" / "hw1-3-conv-w11.yaml"), *args,
                           "--memory-limit", "1"], capture_output=True, text=True,
                          env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")},
                          timeout=300, check=False)
    assert done.returncode == 1, done.stderr
    assert "ran out of memory (the budget is 1 MB)" in done.stderr
    assert "--memory-limit MB" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()
