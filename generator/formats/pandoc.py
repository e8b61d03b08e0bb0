"""Markdown → HTML, DOCX and typst through pandoc (the binary shipped by pypandoc-binary).

Markdown → typst goes through pandoc's server API in CGI mode: one pandoc process converts
a whole batch (a class's sheets), ~15 ms a document instead of ~70 ms for a process each;
its output is the command line's, byte for byte (tests/test_typst_source.py).

solgen's Markdown starts with `# title`; `--shift-heading-level-by=-1` makes that heading
the document title (pandoc's rule for a leading level-1 heading), so the title appears
once, and `## section` becomes a first-level heading. SOURCE_DATE_EPOCH fixes the dates
pandoc writes into DOCX files, so the same Markdown gives the same bytes.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from functools import cache
from pathlib import Path

from generator.errors import SolgenError, ToolMissing
from generator.theme.theme import Theme

# -raw_tex: a backslash word in a title ("\ok") is text, not a TeX command to drop.
# --wrap=none: a line break pandoc adds is a space in HTML and typst; keep the text as is.
COMMON = ["--from=markdown-raw_tex", "--shift-heading-level-by=-1", "--wrap=none", "--quiet"]
# MathML: rendered by every current browser, offline, no script; pandoc keeps the TeX
# source as an annotation, which the KaTeX test reads back.
# Both files resolve through the run's theme, so a course can restyle them.
HTML_ARGS = ["--to=html5", "--standalone", "--mathml"]
HTML_HEADER = "html/math-style.html"
TYPST_ARGS = ["--to=typst", "--standalone"]
TYPST_TEMPLATE = "typst/document.typ"
EPOCH = "0"
BATCH = 200  # documents per pandoc run: a class's sheets, with memory bounded for 10 000
# pandoc-server.cgi answers "503 Service Unavailable", with an empty body, to a request that
# runs longer than PANDOC_SERVER_TIMEOUT seconds, 2 by default: a batch of sheets on a busy
# machine takes longer (seen on 2 shared cores), so the limit is raised far past any batch.
SERVER_SECONDS = "600"


@cache
def executable() -> str:
    try:
        import pypandoc
    except ImportError:
        raise ToolMissing("pandoc is not installed",
                          hint="pip install -e . (installs pypandoc-binary)") from None
    return str(pypandoc.get_pandoc_path())


def run(markdown: str, args: list[str]) -> bytes:
    env = {**os.environ, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", EPOCH)}
    done = subprocess.run([executable(), *COMMON, *args], input=markdown.encode("utf-8"),
                          capture_output=True, env=env, check=False)
    if done.returncode != 0:
        raise SolgenError(f"pandoc failed ({' '.join(args[:1])}): "
                          f"{done.stderr.decode('utf-8', 'replace').strip()}")
    return done.stdout


def html(markdown: str, theme: Theme) -> str:
    header = theme.resolve(HTML_HEADER)
    return run(markdown, [*HTML_ARGS, f"--include-in-header={header}"]).decode("utf-8")


def typst(markdown: str, fonts: list[str], heading_fonts: list[str], theme: Theme) -> str:
    return typst_many([(markdown, fonts, heading_fonts)], theme)[0]


def typst_many(docs: list[tuple[str, list[str], list[str]]], theme: Theme) -> list[str]:
    """Each (markdown, main fonts, heading fonts) as a standalone typst document."""
    template = theme.resolve(TYPST_TEMPLATE).read_text(encoding="utf-8")
    # The server's names for the options of COMMON and TYPST_ARGS.
    requests = [{"text": markdown, "from": "markdown-raw_tex", "to": "typst",
                 "shift-heading-level-by": -1, "wrap": "none", "standalone": True,
                 "template": template,
                 "variables": {"mainfont": fonts, "headingfont": heading_fonts}}
                for markdown, fonts, heading_fonts in docs]
    answers = [a for i in range(0, len(requests), BATCH) for a in batch(requests[i:i + BATCH])]
    errors = [a["error"] for a in answers if "error" in a]
    if errors:
        raise SolgenError(f"pandoc failed (--to=typst): {errors[0]}")
    return [str(a["output"]) for a in answers]


def batch(requests: list[dict[str, object]]) -> list[dict[str, object]]:
    """Run pandoc's /batch endpoint once, as a CGI program (pandoc acts as its own server
    when started under the name pandoc-server.cgi): no port, no daemon, no file access."""
    body = json.dumps(requests, ensure_ascii=False).encode("utf-8")
    env = {**os.environ, "REQUEST_METHOD": "POST", "PATH_INFO": "/batch", "SCRIPT_NAME": "",
           "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
           "HTTP_ACCEPT": "application/json", "SERVER_NAME": "localhost",
           "SERVER_PORT": "80", "REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1",
           "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", EPOCH),
           "PANDOC_SERVER_TIMEOUT": SERVER_SECONDS}
    done = subprocess.run(["pandoc-server.cgi"], executable=executable(), input=body,
                          capture_output=True, env=env, check=False)
    head, _, payload = done.stdout.partition(b"\n\n")
    if done.returncode != 0 or not head.startswith(b"Status: 200"):
        detail = (done.stderr or payload or head.split(b"\n")[0]).decode("utf-8", "replace").strip()
        raise SolgenError(f"pandoc failed (--to=typst): {detail[:500]}")
    answers: list[dict[str, object]] = json.loads(payload)
    return answers


def docx(markdown: str) -> bytes:
    """Word document with native (OMML) equations; pandoc writes it to a file."""
    with tempfile.TemporaryDirectory(prefix="solgen-docx-") as tmp:
        target = Path(tmp) / "document.docx"
        run(markdown, ["--to=docx", f"--output={target}"])
        return target.read_bytes()
