"""Child processes (pandoc, latexmk) that end on time and die with the process that started them.

Two promises (issue 22):
- **A time limit.** A 20 KB nested block quote keeps pandoc busy for minutes; after
  `seconds` the child (with its whole process group, for latexmk's xelatex) is killed and
  `Overtime` raised, which the caller words with the document's name and a hint.
- **No orphan.** A worker killed by SIGKILL cannot clean up; its pandoc would run on. On
  Linux the child is started through util-linux's `setpriv --pdeathsig KILL`, which asks
  the kernel to SIGKILL it when its parent dies and then execs the real program (same
  pid, same argv). Doing the prctl in `preexec_fn` would run Python between fork and
  exec, which is unsafe in a threaded process; setpriv is an ordinary program. Where
  setpriv is missing (macOS, busybox), a child only outlives a SIGKILLed parent until it
  finishes or hits this time limit.

The kernel sends the parent-death signal when the *thread* that started the child ends,
so a child must be waited for by the thread that started it (`run` does).
"""

from __future__ import annotations

import os
import selectors
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping
from functools import cache
from pathlib import Path


class Overtime(Exception):
    """The child ran past its time limit and was killed."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"was still running after {seconds:g} s and was stopped")


@cache
def _pdeathsig_prefix() -> tuple[str, ...]:
    """`setpriv --pdeathsig KILL --` when this machine's setpriv knows the option
    (util-linux ≥ 2.33), else nothing."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return ()
    prefix = (setpriv, "--pdeathsig", "KILL", "--")
    try:
        works = subprocess.run([*prefix, "true"], capture_output=True, timeout=10,
                               check=False).returncode == 0
    except (OSError, subprocess.SubprocessError):
        works = False
    return prefix if works else ()


def command(argv: list[str]) -> list[str]:
    """`argv`, started so that it dies with its parent where the system allows."""
    return [*_pdeathsig_prefix(), *argv]


def run(argv: list[str], data: bytes | None, *, seconds: float,
        env: Mapping[str, str] | None = None, cwd: Path | None = None,
        group: bool = False) -> subprocess.CompletedProcess[bytes]:
    """Run `argv` with `data` on stdin; its output, or Overtime after `seconds` (0: no
    limit). `group`: the child leads a process group of its own (its children, e.g.
    latexmk's xelatex, are killed with it)."""
    proc = subprocess.Popen(command(argv), stdin=subprocess.DEVNULL if data is None
                            else subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, cwd=cwd,
                            start_new_session=group)
    try:
        out, err = proc.communicate(data, timeout=seconds if seconds > 0 else None)
    except subprocess.TimeoutExpired:
        _kill(proc, group)
        raise Overtime(seconds) from None
    except BaseException:  # Interrupted, KeyboardInterrupt: no child left behind
        _kill(proc, group)
        raise
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def _kill(proc: subprocess.Popen[bytes], group: bool) -> None:
    try:
        if group:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass  # already gone
    proc.communicate()  # reap it and close the pipes


def read_exactly(fd: int, size: int, deadline: float | None) -> bytes:
    """Exactly `size` bytes from a long-lived child's `fd`; EOFError when the child is
    gone, TimeoutError after `deadline` (time.monotonic(); None: no limit)."""
    chunks: list[bytes] = []
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while size > 0:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and (left <= 0 or not selector.select(left)):
                raise TimeoutError
            chunk = os.read(fd, min(size, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            size -= len(chunk)
    return b"".join(chunks)


HEADER = 8  # bytes of a frame's length, big-endian, both ways (typst and KaTeX children)


def ask(proc: subprocess.Popen[bytes], request: bytes, seconds: float,
        lead: int = 0) -> tuple[bytes, bytes]:
    """Send one length-prefixed frame to a long-lived child and read its answer: `lead`
    bytes (the typst child's kind of answer), then a length-prefixed frame; TimeoutError
    past `seconds` (0: none), EOFError when the child has gone."""
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(len(request).to_bytes(HEADER, "big") + request)
    proc.stdin.flush()
    deadline = time.monotonic() + seconds if seconds > 0 else None
    fd = proc.stdout.fileno()
    first = read_exactly(fd, lead, deadline) if lead else b""
    size = int.from_bytes(read_exactly(fd, HEADER, deadline), "big")
    return first, read_exactly(fd, size, deadline)


def end(proc: subprocess.Popen[bytes]) -> None:
    """Close a long-lived child's input and wait for it to end, so that it is reaped and
    its CPU time counted with its parent's; killed if it is not gone after 10 s."""
    try:
        if proc.stdin is not None:
            proc.stdin.close()
        proc.wait(timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        proc.kill()
        proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Kill a long-lived child (overrun, or gone wrong) and reap it."""
    proc.kill()
    proc.wait()
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            stream.close()
