"""typst compiles in a child process, so a runaway document costs an error, not the build.

typst-py runs the compiler inside the Python process, with no time limit, and a Rust stack
overflow there aborts the whole process (SIGABRT, exit 134: no clean-up, no message, the
staging folder left behind). Here one long-lived child per set of font folders
(`python -m generator.formats.typst_server FONT_DIR…`) keeps the fonts loaded (a compile
stays ~20 ms) and compiles document after document; the parent waits for each answer at
most `seconds`. A child that overruns is killed and one that dies is reported; either way
the next document gets a fresh child. The child dies with its parent
(generator/formats/child.py) and ends when its input closes.

Frames both ways: 8-byte big-endian length, then the bytes; an answer starts with one
byte, P (a PDF), E (typst's errors) or W (typst's warnings).
"""

from __future__ import annotations

import atexit
import subprocess
import sys
import threading
from dataclasses import dataclass, field

from generator.errors import PdfError
from generator.formats import child

HEADER = child.HEADER  # also read by typst_server.py, the child's side
CRASH_HINT = ("the typst program nests or recurses too deeply, or runs too long: simplify "
              "the typst template or the document, or raise --time-limit SECONDS")


@dataclass
class _Child:
    proc: subprocess.Popen[bytes]
    owner: threading.Thread  # the parent-death signal fires when this thread ends
    lock: threading.Lock = field(default_factory=threading.Lock)

    def usable(self) -> bool:
        return self.proc.poll() is None and self.owner.is_alive()


Slot = tuple[tuple[str, ...], int]  # font folders, and which of the compilers for them
_children: dict[Slot, _Child] = {}
_guard = threading.Lock()


def _start(font_dirs: tuple[str, ...]) -> _Child:
    argv = [sys.executable, "-m", "generator.formats.typst_server", *font_dirs]
    proc = subprocess.Popen(child.command(argv), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return _Child(proc, threading.current_thread())


def warm(font_dirs: tuple[str, ...], number: int = 0) -> None:
    """Start child `number` for `font_dirs` now, so that its start-up and font loading
    (≈ 0.1 s) run on the other core while the parent solves. The thread that starts a
    child owns it (it dies with that thread): start them from the thread that stays."""
    with _guard:
        kept = _children.get((font_dirs, number))
        if kept is None or not kept.usable():
            _children[(font_dirs, number)] = _start(font_dirs)


def compile_pdf(source: bytes, font_dirs: tuple[str, ...], seconds: float,
                where: str | None = None, number: int = 0) -> bytes:
    """The PDF typst makes of `source` in child `number` for `font_dirs`; PdfError for
    typst's errors or warnings, for a compile longer than `seconds` (0: no limit) and
    for a compiler that crashed."""
    slot = (font_dirs, number)
    with _guard:
        kept = _children.get(slot)
        if kept is None or not kept.usable():
            kept = _children[slot] = _start(font_dirs)
    with kept.lock:
        try:
            kind, payload = child.ask(kept.proc, source, seconds, lead=1)
        except (OSError, EOFError, TimeoutError) as exc:
            child.stop(kept.proc)
            with _guard:
                if _children.get(slot) is kept:
                    del _children[slot]
            what = (f"was still running after {seconds:g} s and was stopped"
                    if isinstance(exc, TimeoutError)
                    else f"crashed (exit status {kept.proc.returncode})")
            raise PdfError(f"the typst compiler {what}", where=where, hint=CRASH_HINT) from None
    text = payload.decode("utf-8", "replace")
    if kind == b"E":
        raise PdfError(f"typst could not compile the document: {text}", where=where)
    if kind == b"W":  # e.g. "unknown font family": the PDF would silently use another font
        raise PdfError(f"typst warned: {text}", where=where)
    return payload


@atexit.register
def _close() -> None:
    """End every child at exit (formats/child.py's `end`: its time counts with the build's)."""
    with _guard:
        kept = list(_children.values())
        _children.clear()
    for each in kept:
        child.end(each.proc)
