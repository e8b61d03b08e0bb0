"""Benchmark: 1000 variants of HW 1-3 to Markdown (question + answer sheet, zh-TW and en).

Run with `make bench`. Prints the wall time of each stage and in all, in one process
(as `solgen build --variants 1000` spends it, start-up and imports excluded).
Target (issue 6): ≤ 5 s for 1000 variants on the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBLEM = ROOT / "problems" / "hw1-3-conv-w11-variants.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=1000, help="variants (default 1000)")
    parser.add_argument("--lang", action="append", help="language (default: zh-TW and en)")
    args = parser.parse_args()
    langs = args.lang or ["zh-TW", "en"]

    t0 = time.perf_counter()
    from generator.build import prepare_all, write
    from generator.variant_build import Request, variant_outputs

    t1 = time.perf_counter()
    c1 = time.process_time()
    problems = prepare_all([PROBLEM])
    t2 = time.perf_counter()
    files = variant_outputs(problems, Path("out"), langs, ["md"], Request(args.n, 1, None, False))
    t3 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        moved = [type(f)(Path(tmp) / f.path, f.text) for f in files]
        write(moved)
    t4 = time.perf_counter()
    cpu = time.process_time() - c1
    print(f"imports            {t1 - t0:6.2f} s")
    print(f"solve template     {t2 - t1:6.2f} s  (once, symbolic, verified)")
    print(f"{args.n} variants      {t3 - t2:6.2f} s  (draw, substitute, check, render "
          f"{len(langs)} language(s))")
    print(f"write {len(files)} files {t4 - t3:6.2f} s")
    total = t4 - t1
    print(f"total              {total:6.2f} s  = {1000 * total / args.n:.2f} ms per variant "
          f"(target: 1000 variants in 5 s)")
    print(f"CPU time           {cpu:6.2f} s  (the machine is shared: wall time varies with load)")


if __name__ == "__main__":
    main()
