"""KaTeX in one long-lived `node` per build (issue 16), not one `node` per batch of pages.

V8 compiles KaTeX's hot paths only after it has typeset a few hundred formulas: a fresh
`node` typesets the ~900 distinct formulas of 200 SGD answer sheets in 2.3 s, a warm one in
0.6 s. A class of 1000 variants comes in 8 batches (question and answer sheets, 250 variants
at a time), so the child is started once and kept: each batch is one request. The parent
waits for an answer at most `seconds`; a child that overruns is killed and one that dies is
reported (its stderr kept in a file, read only then), and the next request gets a fresh
child. The child dies with its parent (formats/child.py) and ends when its input closes.

Frames both ways: 8-byte big-endian length, then JSON: a list of [TeX, display] in, a list
of {"html": …} or {"error": …} out, in the same order.
"""

from __future__ import annotations

import atexit
import json
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from generator.errors import SolgenError
from generator.formats import child

# The node script below frames with child.HEADER (8) bytes of length, as child.ask does.
_SCRIPT = r"""
const katex = require(process.argv[1]);
const options = (display) => ({displayMode: display, output: "htmlAndMathml",
                               throwOnError: true, strict: "ignore", trust: false});
const render = ([tex, display]) => {
  try { return {html: katex.renderToString(tex, options(display))}; }
  catch (e) { return {error: String(e.message || e)}; }
};
let chunks = [], have = 0;
process.stdin.on("data", (d) => {
  chunks.push(d); have += d.length;
  while (have >= 8) {
    let buf = Buffer.concat(chunks);
    const size = Number(buf.readBigUInt64BE(0));
    if (buf.length < 8 + size) { chunks = [buf]; return; }
    const formulas = JSON.parse(buf.subarray(8, 8 + size).toString("utf8"));
    buf = buf.subarray(8 + size); chunks = [buf]; have = buf.length;
    const out = Buffer.from(JSON.stringify(formulas.map(render)), "utf8");
    const head = Buffer.alloc(8); head.writeBigUInt64BE(BigInt(out.length));
    process.stdout.write(Buffer.concat([head, out]));
  }
});
"""


@dataclass
class _Child:
    proc: subprocess.Popen[bytes]
    owner: threading.Thread  # the parent-death signal fires when this thread ends
    stderr: IO[bytes]
    lock: threading.Lock = field(default_factory=threading.Lock)

    def usable(self) -> bool:
        return self.proc.poll() is None and self.owner.is_alive()


_children: dict[Path, _Child] = {}
_guard = threading.Lock()


def _start(script: Path) -> _Child:
    # Open as long as the child lives; closed when it is stopped.
    stderr = tempfile.TemporaryFile(prefix="solgen-katex-")  # noqa: SIM115
    # A larger young generation for KaTeX's many short-lived strings (931 formulas:
    # 1.9 s → 1.4 s cold, 0.6 s → 0.45 s warm, docs/benchmarks.md).
    argv = ["node", "--max-semi-space-size=32", "-e", _SCRIPT, str(script)]
    proc = subprocess.Popen(child.command(argv),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr)
    return _Child(proc, threading.current_thread(), stderr)


def render(script: Path, formulas: list[tuple[str, bool]],
           seconds: float) -> list[dict[str, str]]:
    """KaTeX's answer for each (TeX, display) formula: {"html": …} or {"error": …}."""
    with _guard:
        kept = _children.get(script)
        if kept is None or not kept.usable():
            kept = _children[script] = _start(script)
    with kept.lock:
        try:
            answer = child.ask(kept.proc, json.dumps(formulas, ensure_ascii=False).encode(
                "utf-8"), seconds)[1]
        except (OSError, EOFError, TimeoutError) as exc:
            child.stop(kept.proc)
            with _guard:
                if _children.get(script) is kept:
                    del _children[script]
            error = (SolgenError(f"KaTeX (node) was still running after {seconds:g} s "
                                 "and was stopped") if isinstance(exc, TimeoutError)
                     else _died(kept))
            kept.stderr.close()
            raise error from None
    answers: list[dict[str, str]] = json.loads(answer)
    return answers


def _died(kept: _Child) -> SolgenError:
    kept.stderr.seek(0)
    stderr = kept.stderr.read().decode("utf-8", "replace").strip()
    if "OOM" in stderr or "out of memory" in stderr:
        # V8 reserves about 1 GB of address space before it runs anything.
        return SolgenError("KaTeX (node) ran out of memory",
                           hint="raise the budget with --memory-limit MB (node needs ~1 GB)")
    return SolgenError(f"KaTeX (node) failed (exit status {kept.proc.returncode}): "
                       + stderr[-500:])


@atexit.register
def _close() -> None:
    """End every child at exit (formats/child.py's `end`: its time counts with the build's)."""
    with _guard:
        kept = list(_children.values())
        _children.clear()
    for each in kept:
        child.end(each.proc)
        each.stderr.close()
