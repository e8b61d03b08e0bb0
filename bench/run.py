"""`make bench`: every speed figure of issue 9 in one table (a benchmark, not a test).

    .venv/bin/python bench/run.py            # every figure (a few minutes on 2 cores)
    .venv/bin/python bench/run.py --quick    # no xelatex class, no 10 000 variants

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


ROWS: list[Row] = []
PEAK: list[tuple[float, str]] = []  # (MB, what) of every child


def row(figure: str, value: str, target: str = "—", met: bool | None = None) -> None:
    status = "—" if met is None else ("met" if met else "gap")
    ROWS.append(Row(figure, value, target, status))
    print(f"  {figure}: {value}" + (f"  [{status}, target {target}]" if met is not None else ""),
          file=sys.stderr, flush=True)


def solgen(args: list[str], cwd: Path, what: str) -> Run:
    """Run the real CLI once; its wall time and its own peak RSS (wait4 rusage)."""
    start = time.perf_counter()
    proc = subprocess.Popen([SOLGEN, *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    out = proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"bench: solgen {' '.join(args)} failed ({proc.returncode}):\n{out}")
    rss = usage.ru_maxrss / 1024  # KiB on Linux
    PEAK.append((rss, what))
    return Run(seconds, rss, out)


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
        f" ({pdfs} PDFs: 60 sheets + the worked example; {run.seconds:.1f} s in all)",
        f"{per * 1000:.0f} ms per PDF",
        "≤ 100 ms per PDF", per <= 0.1)


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
    args = parser.parse_args()
    has_tex = shutil.which("latexmk") is not None and shutil.which("xelatex") is not None
    steps: list[Callable[[Path], None]] = [
        help_time, check_all, build_and_noop,
        lambda t: per_variant(HW, args.variants), lambda t: per_variant(SGD, args.variants),
        lambda t: one_pdf(["typst", "xelatex"] if has_tex else ["typst"]),
        lambda t: class_pdfs(t, "typst"),
        lambda t: scaling(t, [10, 100, 1000] if args.quick else [10, 100, 1000, 10_000]),
        lambda t: mlp(),
    ]
    if has_tex and not args.quick:
        steps.insert(7, lambda t: class_pdfs(t, "xelatex"))
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="solgen-bench-") as tmp:
        for step in steps:
            step(Path(tmp))
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
