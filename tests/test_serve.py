"""`solgen serve` in a real browser: headless Chromium shows a sheet, sees it change after a
file is saved, sees an error (file:line, hint) appear in the page and go away when fixed.

Chromium is driven through the DevTools protocol over a pipe (`--remote-debugging-pipe`:
JSON messages ending in NUL on file descriptors 3 and 4), so the test needs nothing but
the standard library and Debian's `chromium`. The page is never reloaded by the test:
it must reload itself. Without chromium (scripts/system-deps.sh test installs it) the
browser test is skipped; the routing test below runs everywhere.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from generator.preview import Preview
from generator.server import respond

SGD = ROOT / "problems" / "week1-sgd-step.yaml"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--remote-debugging-pipe"]


class Browser:
    """The few DevTools calls the test needs: open a page, read its text."""

    def __init__(self, profile: Path) -> None:
        assert CHROMIUM is not None
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire() -> None:  # in the child: its fd 3 reads our commands, fd 4 answers
            # Through fresh copies, in case a pipe end is itself fd 3 or 4; pass_fds keeps
            # 3 and 4 open, since fds are closed after this runs.
            reader, writer = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(reader, 3)
            os.dup2(writer, 4)
            # Chromium reserves terabytes of address space for its V8 cage: lift the test
            # run's soft memory cap (make test's `ulimit -S -v`) for the browser alone.
            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            resource.setrlimit(resource.RLIMIT_AS, (hard, hard))

        self.process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            pass_fds=(3, 4), preexec_fn=wire,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next = 0
        self.session = ""

    def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if self.session:
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self._buffer:
                chunk = os.read(self._from_browser, 1 << 16)
                assert chunk, "chromium closed the pipe"
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            answer: dict[str, Any] = json.loads(raw)
            if answer.get("id") == self._next:
                assert "error" not in answer, answer
                result: dict[str, Any] = answer["result"]
                return result

    def open(self, url: str) -> None:
        target = self.call("Target.createTarget", {"url": url})["targetId"]
        self.session = self.call("Target.attachToTarget",
                                 {"targetId": target, "flatten": True})["sessionId"]

    def text(self) -> str:
        value = self.call("Runtime.evaluate", {
            "expression": "document.body ? document.body.innerText : ''",
            "returnByValue": True})["result"].get("value", "")
        return str(value)

    def wait_for(self, wanted: str, seconds: float) -> float:
        """Seconds until the page's text contains `wanted` (fails after `seconds`)."""
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            if wanted in self.text():
                return time.perf_counter() - start
            time.sleep(0.05)
        raise AssertionError(f"{wanted!r} not in the page after {seconds} s:\n{self.text()}")

    def close(self) -> None:
        self.process.kill()
        self.process.wait(10)
        os.close(self._to_browser)
        os.close(self._from_browser)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    folder = tmp_path / "problems"
    folder.mkdir()
    problem = folder / SGD.name
    problem.write_text(SGD.read_text(encoding="utf-8"), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", str(folder), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path)
    assert process.stdout is not None
    first = process.stdout.readline()
    found = re.match(r"serving (http://127\.0\.0\.1:\d+/) \(Ctrl-C stops\)$", first)
    assert found, first
    # Keep reading its output, so the server never blocks on a full pipe.
    threading.Thread(target=process.stdout.read, daemon=True).start()
    try:
        yield found.group(1), problem
    finally:
        process.terminate()
        process.wait(10)


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.read().decode("utf-8"))


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (system-deps.sh test)")
def test_edit_shows_in_the_browser_and_errors_come_and_go(
        server: tuple[str, Path], tmp_path: Path) -> None:
    url, problem = server
    for _ in range(200):  # the first solve of the folder
        if "steps verified" in _get(url):
            break
        time.sleep(0.1)
    page = f"{url}sheet?file={problem.relative_to(tmp_path)}&page=answer/en"
    browser = Browser(tmp_path / "profile")
    try:
        browser.open(page)
        browser.wait_for("One SGD step (substitute, do not simplify)", 20)
        original = problem.read_text(encoding="utf-8")

        problem.write_text(original.replace("One SGD step (substitute, do not simplify)",
                                            "One SGD step, edited"), encoding="utf-8")
        seconds = browser.wait_for("One SGD step, edited", 10)
        print(f"saved → shown in the browser: {seconds:.2f} s")
        assert seconds < 5  # the issue asks for 2 s; slack for a loaded test machine
        assert "One SGD step (substitute" not in browser.text()

        problem.write_text(original.replace("  w1: {}", "  w1: {latx: w}"), encoding="utf-8")
        line = original.splitlines().index("  w1: {}") + 1
        browser.wait_for(f"problems/{SGD.name}:{line}: params.w1.latx: unknown key\n"
                         "  hint: check the spelling", 10)
        assert "Traceback" not in browser.text()

        problem.write_text(original, encoding="utf-8")
        browser.wait_for("One SGD step (substitute, do not simplify)", 10)
        assert "params.w1.latx" not in browser.text()
    finally:
        browser.close()


def test_routes_serve_only_the_preview_pages(tmp_path: Path) -> None:
    problem = tmp_path / SGD.name
    problem.write_text(SGD.read_text(encoding="utf-8"), encoding="utf-8")
    preview = Preview((tmp_path,))
    assert preview.refresh() and not preview.refresh()  # nothing changed: nothing redone
    name = next(iter(preview.entries))
    status, kind, body = respond(preview, f"/sheet?file={name}&page=answer/en")
    assert status == 200 and kind.startswith("text/html")
    expected = preview.entries[name].pages["answer/en"]
    head, _, rest = expected.partition("<body>")
    assert rest.rpartition("</body>")[0].strip() in body  # the HTML output, untouched
    # The published CSP runs no script; the preview lets its own reload script run by
    # hash (else the page never reloads itself) and nothing else.
    script = re.findall(r"<script>(.*?)</script>", body, re.S)
    assert len(script) == 1 and "/__version" in script[0]
    digest = base64.b64encode(hashlib.sha256(script[0].encode()).digest()).decode()
    policy = re.search(r'Content-Security-Policy" content="([^"]*)"', expected)
    assert policy and "script-src" not in policy[1]
    extended = f"{policy[1]}; script-src 'sha256-{digest}'; connect-src 'self'"
    assert body.startswith(head.split("</head>")[0].replace(policy[1], extended, 1))
    assert respond(preview, "/__version")[2] == str(preview.version)
    for target in ("/etc/passwd", f"/sheet?file={problem}&page=../../x", "/sheet?file=/etc"):
        status, _, body = respond(preview, target)
        assert "root:" not in body and (status == 404 or "no such page" in body)
    problem.write_text(SGD.read_text(encoding="utf-8").replace("kind: sgd_step",
                                                               "kind: sgd_stpe"), "utf-8")
    assert preview.refresh()
    body = respond(preview, f"/sheet?file={name}&page=answer/en")[2]
    assert f"{name}:" in body and "unknown kind &#x27;sgd_stpe&#x27;" in body
    assert "hint: kind is one of: gradient" in body


def test_only_loopback_names_are_answered(server: tuple[str, Path]) -> None:
    url, _ = server
    port = url.rstrip("/").rsplit(":", 1)[1]
    assert "solgen serve" in _get(url)
    assert "solgen serve" in _get(f"http://localhost:{port}/")
    request = urllib.request.Request(url, headers={"Host": f"attacker.example:{port}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403
