"""A class at once: every submission in a folder reviewed, one report each, and summary.csv.

Submissions are independent, so `--jobs N` reviews N at a time in worker processes; the
reports are the same bytes as a serial run. A file that cannot be reviewed (too large, not
text, not UTF-8) gets its error in the summary, and the rest of the class is still reviewed.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from generator.errors import SolgenError
from generator.review import document
from generator.review.checker import Review, review_text
from generator.review.report import counts, render
from generator.review.setup import Setup

SUFFIXES = (".md", ".markdown", ".txt", ".tex")
EXTENSIONS = {"md": ".md", "html": ".html", "json": ".json"}
COLUMNS = ["file", "lines", "proved", "numeric", "wrong", "unread", "first_wrong_line",
           "final_answer_correct", "error"]


def submissions(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, and the Markdown/LaTeX/text files under folders (sorted)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in SUFFIXES
                            and not p.name.startswith("."))
        else:
            found.append(path)
    return found


def review_file(path: Path, setup: Setup) -> Review:
    """Never raises for a bad submission: the error is in the result."""
    try:
        if path.stat().st_size > document.MAX_FILE_BYTES:
            raise document.DocumentError(
                f"{path}: larger than {document.MAX_FILE_BYTES // 1000} kB; not reviewed")
        text = path.read_bytes().decode("utf-8")
        return review_text(text, str(path), setup)
    except UnicodeDecodeError as exc:
        return Review(str(path), error=f"{path}: not UTF-8 text ({exc.reason} at byte "
                                       f"{exc.start})")
    except (SolgenError, OSError) as exc:
        return Review(str(path), error=str(exc).splitlines()[0])
    except RecursionError:
        return Review(str(path), error=f"{path}: nested too deeply to review")


def review_all(files: list[Path], setup: Setup, jobs: int = 1,
               progress: Callable[[int, int, str], None] | None = None) -> list[Review]:
    workers = (os.cpu_count() or 1) if jobs == 0 else jobs
    results: list[Review] = []
    if workers <= 1 or len(files) <= 1:
        for i, path in enumerate(files, 1):
            results.append(review_file(path, setup))
            if progress:
                progress(i, len(files), f"reviewed {path.name}")
        return results
    with ProcessPoolExecutor(max_workers=min(workers, len(files))) as pool:
        for i, review in enumerate(pool.map(review_file, files, [setup] * len(files)), 1):
            results.append(review)
            if progress:
                progress(i, len(files), f"reviewed {Path(review.path).name}")
    return results


def report_path(out: Path, path: Path, roots: list[Path], fmt: str) -> Path:
    """OUT/<path under its folder>.review.<ext>, so two a.md in two folders do not clash."""
    for root in roots:
        if root.is_dir() and path.is_relative_to(root):
            path = path.relative_to(root)
            break
    else:
        path = Path(path.name)
    return out / path.parent / f"{path.stem}.review{EXTENSIONS[fmt]}"


def summary_csv(reviews: list[Review], out: Path) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for review in reviews:
        c = counts(review)
        first = review.first_wrong
        final = review.final_correct
        writer.writerow([
            review.path, sum(c[s] for s in ("proved", "numeric", "wrong", "unread")),
            c["proved"], c["numeric"], c["wrong"], c["unread"],
            first.line if first else "", "" if final is None else ("yes" if final else "no"),
            review.error])
    return buffer.getvalue()


def outputs(reviews: list[Review], files: list[Path], roots: list[Path], out: Path,
            lang: str, fmt: str) -> list[tuple[Path, str]]:
    written = [(report_path(out, path, roots, fmt), render(review, lang, fmt))
               for path, review in zip(files, reviews, strict=True) if not review.error]
    return [*written, (out / "summary.csv", summary_csv(reviews, out))]
