"""How much printed math the read-back check covers (a report, not a test).

    .venv/bin/python scripts/readback-coverage.py [PATHS…] [--variants N] [--seed S]

Builds PATHS (default: problems/) in this process, as `solgen build` does (Markdown,
LaTeX and JSON, one job, no cache), and prints the fragments written, the distinct
fragments read back and compared, and every distinct fragment that was not covered,
with the reason (view/readback.py `stats`). With `--variants N` the problems with `vary:`
are built with N variants each, so their number lines are counted too. Exit 1 when any
fragment is not covered.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.cli import main as solgen  # noqa: E402
from generator.variants import reading  # noqa: E402
from generator.view import readback  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="*", default=[str(ROOT / "problems")])
    parser.add_argument("--variants", type=int, default=0)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    os.environ["SOLGEN_CACHE_DIR"] = "off"  # a cached problem would not be printed again
    with tempfile.TemporaryDirectory() as out:
        argv = ["build", *args.paths, "--out", out, "--force", "-j", "1",
                "--format", "md", "--format", "tex", "--format", "json"]
        if args.variants:
            argv += ["--variants", str(args.variants), "--seed", str(args.seed)]
        try:
            solgen(argv, standalone_mode=False)
        except SystemExit as exc:
            if exc.code:
                return int(exc.code) if isinstance(exc.code, int) else 1
    stats = readback.stats
    print(f"fragments written: {stats.fragments}")
    print(f"distinct fragments read back and compared: {stats.checked}")
    print(f"variant number lines read back against the variant's values: "
          f"{reading.counts['read']} (of them distinct on the page: {stats.number_lines})")
    print(f"distinct fragments not covered: {stats.unread}")
    for text, reason in sorted(stats.uncovered.items()):
        print(f"  [{reason}] {text}")
    return 1 if stats.unread else 0


if __name__ == "__main__":
    sys.exit(main())
