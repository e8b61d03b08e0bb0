"""`solgen serve`: a live preview of the sheets on http://127.0.0.1:PORT/, loopback only.

The main thread watches the files (generator/preview.py polls them every POLL seconds and
re-solves only what changed); a background thread answers HTTP with Python's own
`http.server`. Each page asks `/__version` a few times a second and reloads itself when the
number moves, so a saved file shows in the browser as soon as it is solved. An error is a
page of its own: the text `solgen check` prints (file:line: what, hint), escaped.

Only the pages the preview made are served — no file from disk by its path — and the
server binds 127.0.0.1, so nothing on the network can reach it.
"""

from __future__ import annotations

import base64
import hashlib
import html
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

from generator.formats.pandoc import CSP
from generator.preview import Entry, Preview
from generator.spec.models import LANGS

HOST = "127.0.0.1"
POLL = 0.2  # seconds between looks at the files
LABELS = {"answer": "solution", "question": "question (variant 1)",
          "variant": "answer (variant 1)"}
STYLE = """<style>
.solgen-bar{font:14px sans-serif;padding:.4em .8em;background:#eef;border-bottom:1px solid #99c}
.solgen-bar a{margin-right:.8em}
.solgen-error{white-space:pre-wrap;background:#fee;border:1px solid #c66;padding:1em;
font:14px monospace}
</style>"""
RELOAD = """<script>%s</script>"""
RELOAD_JS = """
(function () {
  var seen = "%s";
  setInterval(function () {
    fetch("/__version", {cache: "no-store"}).then(function (r) { return r.text(); })
      .then(function (now) { if (now !== seen) { location.reload(); } })
      .catch(function () {});
  }, 250);
})();
"""


def _link(name: str, page: str) -> str:
    return f"/sheet?file={quote(name)}&page={quote(page)}"


def _bar(preview: Preview, name: str | None) -> str:
    links = ['<a href="/">all files</a>']
    entry = preview.entries.get(name) if name else None
    if entry is not None and name is not None:
        links += [f'<a href="{_link(name, page)}">{html.escape(_label(page))}</a>'
                  for page in entry.pages]
    return '<nav class="solgen-bar">' + " ".join(links) + "</nav>"


def _page(title: str, body: str, preview: Preview, name: str | None = None) -> str:
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(title)}'
            f"</title>{STYLE}</head><body>{_bar(preview, name)}{body}"
            f"{_reload(preview)}</body></html>\n")


def _reload(preview: Preview) -> str:
    return RELOAD % (RELOAD_JS % preview.version)


def _error(text: str) -> str:
    return f'<pre class="solgen-error">{html.escape(text)}</pre>'


def _sheet(document: str, preview: Preview, name: str) -> str:
    """A page of the HTML output with the bar after <body> and the reload script before
    </body>; the document itself is byte for byte what `--format html` writes, but for its
    Content-Security-Policy, widened for that one script."""
    head, _, rest = document.partition("<body>")
    body, _, tail = rest.rpartition("</body>")
    script = RELOAD_JS % preview.version
    # The published page's CSP runs no script (issue 20); the preview lets exactly its own
    # reload script run (by hash) and ask this server for the version, nothing more.
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    allowed = f"{CSP}; script-src 'sha256-{digest}'; connect-src 'self'"
    head = head.replace(f'content="{CSP}"', f'content="{allowed}"', 1)
    return (f"{head.replace('</head>', STYLE + '</head>')}<body>{_bar(preview, name)}{body}"
            f"{RELOAD % script}</body>{tail}")


def _index(preview: Preview) -> str:
    rows = []
    for name, entry in preview.entries.items():
        links = " ".join(f'<a href="{_link(name, p)}">{html.escape(_label(p))}</a>'
                         for p in entry.pages)
        status = (_error(entry.error) if entry.error else
                  f"✓ {entry.steps} steps verified" if entry.pages else "…")
        rows.append(f"<li><b>{html.escape(name)}</b> {links}<div>{status}</div></li>")
    failed = _error(preview.template_error) if preview.template_error else ""
    return _page("solgen serve", f"<h1>solgen serve</h1>{failed}<ul>{''.join(rows)}</ul>",
                 preview)


def _label(page: str) -> str:
    kind, _, lang = page.partition("/")
    return f"{LABELS.get(kind, kind)} ({lang})"


def respond(preview: Preview, target: str) -> tuple[int, str, str]:
    """(status, content type, body) for a request path; the whole routing of the server."""
    url = urlsplit(target)
    if url.path == "/__version":
        return 200, "text/plain; charset=utf-8", str(preview.version)
    if url.path == "/":
        return 200, "text/html; charset=utf-8", _index(preview)
    if url.path != "/sheet":
        return 404, "text/plain; charset=utf-8", "not found"
    query = parse_qs(url.query)
    name = query.get("file", [""])[0]
    page = query.get("page", [f"answer/{LANGS[0]}"])[0]
    entry: Entry | None = preview.entries.get(name)
    if entry is None:
        return 404, "text/plain; charset=utf-8", "no such problem file"
    problem = preview.template_error or entry.error
    if problem is not None:
        return 200, "text/html; charset=utf-8", _page(name, _error(problem), preview, name)
    if page not in entry.pages:
        body = _page(name, "<p>solving …</p>" if not entry.pages else "<p>no such page</p>",
                     preview, name)
        return 200, "text/html; charset=utf-8", body
    return 200, "text/html; charset=utf-8", _sheet(entry.pages[page], preview, name)


def _handler(preview: Preview) -> type[BaseHTTPRequestHandler]:
    # No lock: the preview replaces an entry's pages and error in one assignment each, so a
    # request sees the old page or the new one; pages reload when the version moves.
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            port = self.connection.getsockname()[1]
            if self.headers.get("Host", "") not in (f"{HOST}:{port}", f"localhost:{port}"):
                # A page elsewhere that resolves its own name to 127.0.0.1 (DNS rebinding)
                # must not read the sheets.
                status, kind, body = 403, "text/plain; charset=utf-8", "forbidden host"
            else:
                status, kind, body = respond(preview, self.path)
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass  # the terminal shows what was solved, not every poll for /__version

    return Handler


def serve(preview: Preview, port: int, say: Callable[[str], None],
          stop: threading.Event | None = None) -> None:
    """Serve until Ctrl-C (or `stop`): refresh the preview in this thread, HTTP in another."""
    server = ThreadingHTTPServer((HOST, port), _handler(preview))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    say(f"serving http://{HOST}:{server.server_address[1]}/ (Ctrl-C stops)")
    try:
        while stop is None or not stop.is_set():
            started = time.perf_counter()
            if preview.refresh():
                failed = [n for n, e in preview.entries.items() if e.error]
                say(f"updated in {time.perf_counter() - started:.2f} s: "
                    f"{len(preview.entries) - len(failed)} ok"
                    + (f", failing: {', '.join(failed)}" if failed else ""))
            time.sleep(POLL)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
