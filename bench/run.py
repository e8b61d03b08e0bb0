"""`make bench`: every speed figure of issues 9 and 16 in one table (a benchmark, not a test).

    .venv/bin/python bench/run.py            # every figure (a few minutes on 2 cores)
    .venv/bin/python bench/run.py --quick    # no xelatex class, no 10 000 variants
    .venv/bin/python bench/run.py --sgd      # only issue 16's SGD figures and the typst class

Command-line figures run the real `solgen` in a child process (start-up included) in a
temporary folder; per-variant figures are timed in this process (library calls, imports
excluded), since they are what a class build spends per student. Peak memory is the
largest resident set of any child (os.wait4 gives each child's own). Wall times on a
shared machine vary with its load: the load average is printed with the table.
Figures and targets are explained in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
SOLGEN = str(BIN / "solgen") if (BIN / "solgen").exists() else "solgen"
HW = ROOT / "problems" / "hw1-3-conv-w11-variants.yaml"
SGD = ROOT / "problems" / "week1-sgd-step-variants.yaml"
LANGS = ["zh-TW", "en"]


@dataclass
class Row:
    figure: str
    value: str
    target: str = "—"
    status: str = "—"  # met / gap / — (no target)


@dataclass
class Run:
    seconds: float
    max_rss_mb: float
    out: str
    cpu: float = 0.0  # user + sys seconds of the child: less at the mercy of the load


ROWS: list[Row] = []
PEAK: list[tuple[float, str]] = []  # (MB, what) of every child


def row(figure: str, value: str, target: str = "—", met: bool | None = None) -> None:
    status = "—" if met is None else ("met" if met else "gap")
    ROWS.append(Row(figure, value, target, status))
    print(f"  {figure}: {value}" + (f"  [{status}, target {target}]" if met is not None else ""),
          file=sys.stderr, flush=True)


def solgen(args: list[str], cwd: Path, what: str, env: dict[str, str] | None = None) -> Run:
    """Run the real CLI once; its wall time and its own peak RSS (wait4 rusage)."""
    start = time.perf_counter()
    proc = subprocess.Popen([SOLGEN, *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})})
    out = proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"bench: solgen {' '.join(args)} failed ({proc.returncode}):\n{out}")
    rss = usage.ru_maxrss / 1024  # KiB on Linux
    PEAK.append((rss, what))
    # wait4 counts the child and what it reaped: pandoc, and the long-lived typst and KaTeX
    # children, which solgen ends and waits for at exit (formats/child.py).
    return Run(seconds, rss, out, usage.ru_utime + usage.ru_stime)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


# ---- command line ----

def help_time(tmp: Path) -> None:
    runs = [solgen(["--help"], tmp, "solgen --help").seconds for _ in range(7)]
    median = statistics.median(runs)
    row("`solgen --help` (median of 7, start-up included)", f"{median:.3f} s", "≤ 0.15 s",
        median <= 0.15)


def check_all(tmp: Path) -> None:
    run = solgen(["check", str(ROOT / "problems")], tmp, "solgen check problems")
    count = len(list((ROOT / "problems").glob("*.yaml")))
    row(f"`solgen check problems` ({count} files, every step verified)", f"{run.seconds:.1f} s")


def build_and_noop(tmp: Path) -> None:
    out = tmp / "output"
    args = ["build", str(ROOT / "problems"), "--out", str(out)]
    first = solgen(args, tmp, "solgen build problems")
    pdfs = len(list(out.rglob("*.pdf")))
    row(f"`solgen build problems` from nothing, serial (md, tex, {pdfs} typst PDFs, json)",
        f"{first.seconds:.1f} s")
    jobs = os.cpu_count() or 1
    parallel = solgen([*args[:2], "--out", str(tmp / "output-jobs"), "--jobs", "0"], tmp,
                      "solgen build --jobs 0")
    same = _tree(out) == _tree(tmp / "output-jobs")
    row(f"the same with `--jobs 0` ({jobs} processes; `make build` uses it)",
        f"{parallel.seconds:.1f} s = {first.seconds / parallel.seconds:.2f}× faster; files "
        + ("identical" if same else "DIFFERENT"), "identical files", same)
    second = min(solgen(args, tmp, "solgen build (no-op)").seconds for _ in range(3))
    row("no-op `make build` (second run, nothing changed; best of 3)", f"{second:.2f} s",
        "≤ 1 s", second <= 1.0)


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def class_pdfs(tmp: Path, engine: str) -> None:
    out = tmp / f"class-{engine}"
    run = solgen(["build", str(HW), "--variants", "30", "--format", "pdf", "--lang", "zh-TW",
                  "--pdf-engine", engine, "--out", str(out)], tmp, f"class of 30, {engine}")
    pdfs = len(list(out.rglob("*.pdf")))
    per = run.seconds / pdfs
    row(f"class of 30, {engine}: `solgen build HW1-3 --variants 30 --format pdf --lang zh-TW`"
        f" ({pdfs} PDFs: 60 sheets + the worked example; {run.seconds:.1f} s in all, cpu "
        f"{run.cpu:.1f} s)", f"{per * 1000:.0f} ms per PDF (cpu {run.cpu / pdfs * 1000:.0f} ms)",
        "≤ 30 ms per PDF (issue 16)", per <= 0.03)
    if engine != "typst":
        return
    # --jobs 0: the class's PDFs shared among one typst compiler per core (formats/pdf.py).
    side = solgen(["build", str(HW), "--variants", "30", "--format", "pdf", "--lang", "zh-TW",
                   "--pdf-engine", engine, "--out", str(tmp / "class-typst-jobs"), "--jobs",
                   "0"], tmp,
                  "class of 30, typst, --jobs 0")
    same = _tree(out) == _tree(tmp / "class-typst-jobs")
    row(f"the same with `--jobs 0` ({os.cpu_count()} typst compilers; {side.seconds:.1f} s, "
        f"cpu {side.cpu:.1f} s)", f"{side.seconds / pdfs * 1000:.0f} ms per PDF; files "
        + ("identical" if same else "DIFFERENT"), "identical files", same)


def scaling(tmp: Path, counts: list[int]) -> None:
    """HW 1-3 md+tex through the CLI at growing N: per-variant time should stay flat."""
    per: dict[int, float] = {}
    for n in counts:
        out = tmp / f"scale-{n}"
        run = solgen(["build", str(HW), "--variants", str(n), "--format", "md", "--format",
                      "tex", "--out", str(out)], tmp, f"{n} variants md+tex")
        per[n] = run.seconds / n
        row(f"scaling: {n} variants md+tex via CLI (8 files a variant)",
            f"{run.seconds:.2f} s = {ms(per[n])}/variant, peak {run.max_rss_mb:.0f} MB")
        shutil.rmtree(out, ignore_errors=True)
    if len(counts) >= 3:
        # Start-up and the symbolic template are paid once: judge growth by the marginal
        # cost of a variant between the two largest runs against the one below them.
        a, b, c = counts[-3:]
        marginal_hi = (per[c] * c - per[b] * b) / (c - b)
        marginal_lo = (per[b] * b - per[a] * a) / (b - a)
        ratio = marginal_hi / marginal_lo
        row(f"growth: cost of a variant from {b} to {c} ÷ from {a} to {b}", f"{ratio:.2f}",
            "≈ 1 (linear; ≤ 1.25)", ratio <= 1.25)


def course_folder(tmp: Path, files: int) -> None:
    """A course folder of `files` small problems: `check --jobs 0`, a build, its no-op.

    The problems are the discussion starter (the cheapest kind to verify) under distinct
    ids, 100 a folder. The build writes md and json only, so that setting it up does not
    take 20 000 PDFs; a no-op build looks at each output once (size, time and inode, as the
    last build left them), so the formats change that figure by a stat per file.
    """
    course = tmp / "course"
    starter = (ROOT / "templates" / "scaffold" / "discussion.yaml").read_text(encoding="utf-8")
    for n in range(files):
        folder = course / f"week{n // 100:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"q{n:05d}.yaml").write_text(starter.replace("__ID__", f"q{n:05d}"),
                                               encoding="utf-8")
    checked = solgen(["check", str(course), "--jobs", "0"], tmp, f"check {files} files")
    row(f"`solgen check --jobs 0` of a course folder of {files} small files",
        f"{checked.seconds:.1f} s", "≤ 60 s", checked.seconds <= 60)
    args = ["build", str(course), "--out", str(tmp / "course-out"), "--format", "md",
            "--format", "json", "--jobs", "0"]
    first = solgen(args, tmp, f"build {files} files")
    row(f"`solgen build --jobs 0` of the same folder (md, json: {3 * files} files)",
        f"{first.seconds:.1f} s")
    noop = min(solgen(args, tmp, f"no-op build of {files} files").seconds for _ in range(3))
    row(f"no-op build of the same {files} problem files (best of 3)", f"{noop:.2f} s",
        "≤ 5 s", noop <= 5)
    shutil.rmtree(course)
    shutil.rmtree(tmp / "course-out")


# ---- issue 16: SGD variants at the speed of substitution ----

def sgd_class(tmp: Path, quick: bool) -> None:
    """The figures of issue 16, whole `solgen` processes, start-up included."""
    cold = {"SOLGEN_CACHE_DIR": str(tmp / "cold-cache")}
    first = solgen(["build", str(SGD), "--variants", "1", "--format", "md", "--lang", "en",
                    "--out", str(tmp / "sgd-first")], tmp, "SGD first variant, cold", cold)
    row("time to the first SGD variant, cold (`--variants 1 --format md --lang en`, no "
        "solved problem on disk)", f"{first.seconds:.2f} s (cpu {first.cpu:.2f} s)", "≤ 0.8 s",
        first.seconds <= 0.8)
    warm = solgen(["build", str(SGD), "--variants", "1", "--format", "md", "--lang", "en",
                   "--out", str(tmp / "sgd-warm")], tmp, "SGD first variant, warm", cold)
    row("the same again: the solved problem loaded from disk", f"{warm.seconds:.2f} s "
        f"(cpu {warm.cpu:.2f} s)")
    for formats, target in ((["md", "tex"], 4.8), (["html"], 4.8), (["moodle"], 4.0)):
        args = [a for f in formats for a in ("--format", f)]
        lang = ["--lang", "en"] if formats != ["moodle"] else []
        run = solgen(["build", str(SGD), "--variants", "1000", *args, *lang, "--out",
                      str(tmp / f"sgd-{formats[0]}")], tmp, f"1000 SGD {'+'.join(formats)}")
        row(f"1000 SGD variants, `{' '.join([*args, *lang])}`", f"{run.seconds:.1f} s (cpu "
            f"{run.cpu:.1f} s, peak {run.max_rss_mb:.0f} MB)", f"≤ {target} s",
            run.seconds <= target)
        if formats == ["md", "tex"]:  # the class split over every core (build/split.py)
            split = solgen(["build", str(SGD), "--variants", "1000", *args, *lang, "--jobs",
                            "0", "--out", str(tmp / "sgd-jobs")], tmp, "1000 SGD md+tex -j 0")
            same = _tree(tmp / "sgd-md") == _tree(tmp / "sgd-jobs")
            row(f"the same with `--jobs 0` ({os.cpu_count()} processes share the class)",
                f"{split.seconds:.1f} s (cpu of this process {split.cpu:.1f} s); files "
                + ("identical" if same else "DIFFERENT"), f"≤ {target} s, identical files",
                split.seconds <= target and same)
            shutil.rmtree(tmp / "sgd-jobs", ignore_errors=True)
        shutil.rmtree(tmp / f"sgd-{formats[0]}", ignore_errors=True)
    if quick:
        return
    run = solgen(["build", str(SGD), "--variants", "10000", "--format", "md", "--format", "tex",
                  "--out", str(tmp / "sgd-10000")], tmp, "10 000 SGD md+tex")
    row("10 000 SGD variants, md + tex, both languages", f"{run.seconds:.1f} s (cpu "
        f"{run.cpu:.1f} s), peak {run.max_rss_mb:.0f} MB", "≤ 40 s, ≤ 400 MB",
        run.seconds <= 40 and run.max_rss_mb <= 400)
    shutil.rmtree(tmp / "sgd-10000", ignore_errors=True)


# ---- library level ----

def per_variant(path: Path, count: int) -> None:
    """Question + answer sheet × zh-TW, en × Markdown, LaTeX: what a class build writes."""
    from generator.build.outputs import prepare_all
    from generator.build.variants import Request, solve_variants, variant_files
    from generator.theme.theme import Theme

    problem = prepare_all([path])[0]
    request = Request(count, 1, None, False)
    start = time.perf_counter()
    template, solved = solve_variants(problem, request)
    middle = time.perf_counter()
    files = variant_files(template, solved, Path("out"), LANGS, ["md", "tex"], request,
                          Theme())
    end = time.perf_counter()
    total = (end - start) / count
    docs = sum(1 for f in files if f.path.suffix in (".md", ".tex")) // count
    row(f"md+tex per variant, {problem.spec.id} ({count} variants; {docs} documents a "
        "variant: question + answer × 2 languages × md, tex)",
        f"{ms(total)} (draw+solve+check {ms((middle - start) / count)}, "
        f"sheets+render {ms((end - middle) / count)})", "≤ 5 ms", total <= 0.005)


def one_pdf(engines: list[str]) -> None:
    """One document (HW 1-3's answer sheet, zh-TW) to PDF; first call and then median."""
    from generator.build.outputs import prepare_all
    from generator.formats.produce import produce
    from generator.theme.theme import Theme
    from generator.view.model import document_view

    problem = prepare_all([ROOT / "problems" / "hw1-3-conv-w11.yaml"])[0]
    theme = Theme()
    model = document_view(problem, theme.voice("zh-TW"))
    for engine in engines:
        times = []
        for _ in range(4 if engine == "typst" else 3):
            start = time.perf_counter()
            produce(model, "pdf", problem.spec.id, theme, engine)
            times.append(time.perf_counter() - start)
        warm = statistics.median(times[1:]) if engine == "typst" else statistics.median(times)
        detail = (f"first in a process {times[0]:.2f} s (loads the CJK fonts), then"
                  if engine == "typst" else "median of 3,")
        row(f"one PDF, {engine}: HW 1-3 answer sheet, zh-TW", f"{detail} {warm:.3f} s")


def mlp() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from mlp import measure

    cold, best = measure()
    row("3-4-1 MLP gradient, derived and verified (bench/mlp.py; best of 3)",
        f"{best:.2f} s (first {cold:.2f} s)", "≤ 2 s", best <= 2.0)


def review_class(tmp: Path) -> None:
    """`solgen review` on a class of 30 HW 1-3 answer sheets, about half with a line broken
    (tests/review_class.py, seed 17): the time per submission, start-up included."""
    sys.path.insert(0, str(ROOT / "tests"))
    from review_class import answer_sheets, submissions

    broken = submissions(answer_sheets(tmp / "review-build"), tmp / "review-class")
    run = solgen(["review", str(tmp / "review-class"), "--problem", str(HW), "--out",
                  str(tmp / "reviews")], tmp, "solgen review, class of 30")
    found = run.out.count("wrong line")
    row(f"`solgen review` class of 30 HW 1-3 submissions ({len(broken)} with a broken line; "
        f"serial, problem solved once, {run.seconds:.1f} s in all)",
        f"{run.seconds / 30:.2f} s per submission" + ("" if found else " (no summary?)"))


# ---- report ----

def _version(cmd: list[str]) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "not found"
    lines = (done.stdout or done.stderr).splitlines()
    return lines[0].strip() if lines else "?"


def machine() -> list[str]:
    import typst

    from generator.formats import pandoc

    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((int(line.split()[1]) // 1024 // 1024 for line in
                Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    return [f"CPU: {cpu}, {os.cpu_count()} cores; RAM {mem} GiB; load average {load}",
            f"Python {platform.python_version()}; typst (python) {typst.__version__}; "
            f"{_version([pandoc.executable(), '--version'])}; "
            f"{_version(['xelatex', '--version'])}"]


def table() -> str:
    lines = ["| figure | measured | target | status |", "|---|---|---|---|"]
    lines += [f"| {r.figure} | {r.value} | {r.target} | {r.status} |" for r in ROWS]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="skip the xelatex class of 30 and 10 000 variants")
    parser.add_argument("--variants", type=int, default=1000,
                        help="variants for the md+tex per-variant figures (default 1000)")
    parser.add_argument("--files", type=int, default=10_000,
                        help="problem files in the course-folder figures (default 10 000)")
    parser.add_argument("--sgd", action="store_true",
                        help="only the SGD figures of issue 16 (with --quick: not 10 000)")
    args = parser.parse_args()
    has_tex = shutil.which("latexmk") is not None and shutil.which("xelatex") is not None
    steps: list[Callable[[Path], None]] = [
        help_time, check_all, build_and_noop,
        lambda t: per_variant(HW, args.variants), lambda t: per_variant(SGD, args.variants),
        lambda t: one_pdf(["typst", "xelatex"] if has_tex else ["typst"]),
        lambda t: class_pdfs(t, "typst"),
        lambda t: scaling(t, [10, 100, 1000] if args.quick else [10, 100, 1000, 10_000]),
        lambda t: mlp(),
        review_class,
        lambda t: course_folder(t, args.files),
    ]
    if has_tex and not args.quick:
        steps.insert(7, lambda t: class_pdfs(t, "xelatex"))
    steps.insert(3, lambda t: sgd_class(t, args.quick))
    if args.sgd:
        steps = [lambda t: sgd_class(t, args.quick), lambda t: class_pdfs(t, "typst")]
    start = time.perf_counter()
    load_before = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="solgen-bench-") as tmp:
        # Solved problems kept on disk (build/solved.py) in this run's folder, not the user's.
        os.environ["SOLGEN_CACHE_DIR"] = str(Path(tmp) / "solved-cache")
        for step in steps:
            step(Path(tmp))
    load_after = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    row("machine load average (1, 5, 15 min) at the start / the end; 2 cores",
        f"{load_before} / {load_after}")
    rss, what = max(PEAK)
    row("peak memory of any `solgen` run above (ru_maxrss)", f"{rss:.0f} MB ({what})")
    print()
    print("\n".join(machine()))
    print()
    print(table())
    notes = ["--quick"] if args.quick else []
    if not has_tex:
        notes.append("no TeX Live: xelatex figures skipped")
    print(f"\n(make bench took {time.perf_counter() - start:.0f} s"
          + "".join(f"; {n}" for n in notes) + ")")

if __name__ == "__main__":
    main()
