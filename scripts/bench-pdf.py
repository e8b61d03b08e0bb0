"""Time per PDF for each engine on the built-in problems (a benchmark, not a test).

    .venv/bin/python scripts/bench-pdf.py [--repeat 3]

Solving is done once and not timed; each PDF is compiled `repeat` times from its
Markdown (typst) or LaTeX (xelatex via latexmk, a fresh folder every time) and the
median is printed, in seconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.build.outputs import prepare_all, problem_files  # noqa: E402
from generator.formats.produce import produce  # noqa: E402
from generator.theme.theme import Theme  # noqa: E402
from generator.view.model import document_view  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    problems = prepare_all(problem_files([ROOT / "problems"]))
    theme = Theme()
    print(f"{'problem':<28} {'lang':<6} {'typst':>7} {'xelatex':>8}")
    for problem in problems:
        for lang in ("en", "zh-TW"):
            model = document_view(problem, theme.voice(lang))
            row = []
            for engine in ("typst", "xelatex"):
                times = []
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    produce(model, "pdf", problem.spec.id, theme, engine)
                    times.append(time.perf_counter() - start)
                row.append(statistics.median(times))
            print(f"{problem.spec.id:<28} {lang:<6} {row[0]:>7.3f} {row[1]:>8.3f}")


if __name__ == "__main__":
    main()
