"""Markdown → HTML, DOCX and typst through pandoc (the binary shipped by pypandoc-binary).

solgen's Markdown starts with `# title`; `--shift-heading-level-by=-1` makes that heading
the document title (pandoc's rule for a leading level-1 heading), so the title appears
once, and `## section` becomes a first-level heading. SOURCE_DATE_EPOCH fixes the dates
pandoc writes into DOCX files, so the same Markdown gives the same bytes.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from functools import cache
from pathlib import Path

from generator.errors import SolgenError, ToolMissing
from generator.template_set import active

# -raw_tex: a backslash word in a title ("\ok") is text, not a TeX command to drop.
# --wrap=none: a line break pandoc adds is a space in HTML and typst; keep the text as is.
COMMON = ["--from=markdown-raw_tex", "--shift-heading-level-by=-1", "--wrap=none", "--quiet"]
# MathML: rendered by every current browser, offline, no script; pandoc keeps the TeX
# source as an annotation, which the KaTeX test reads back.
# Both files resolve through the active template set, so a course can restyle them.
HTML_ARGS = ["--to=html5", "--standalone", "--mathml"]
HTML_HEADER = "html/math-style.html"
TYPST_ARGS = ["--to=typst", "--standalone"]
TYPST_TEMPLATE = "typst/document.typ"
EPOCH = "0"


@cache
def executable() -> str:
    try:
        import pypandoc
    except ImportError:
        raise ToolMissing("pandoc is not installed\n  hint: pip install -e . "
                          "(installs pypandoc-binary)") from None
    return str(pypandoc.get_pandoc_path())


def run(markdown: str, args: list[str]) -> bytes:
    env = {**os.environ, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", EPOCH)}
    done = subprocess.run([executable(), *COMMON, *args], input=markdown.encode("utf-8"),
                          capture_output=True, env=env, check=False)
    if done.returncode != 0:
        raise SolgenError(f"pandoc failed ({' '.join(args[:1])}): "
                          f"{done.stderr.decode('utf-8', 'replace').strip()}")
    return done.stdout


def html(markdown: str) -> str:
    header = active().resolve(HTML_HEADER)
    return run(markdown, [*HTML_ARGS, f"--include-in-header={header}"]).decode("utf-8")


def typst(markdown: str, fonts: list[str], heading_fonts: list[str]) -> str:
    variables = [f"--variable=mainfont:{f}" for f in fonts]
    variables += [f"--variable=headingfont:{f}" for f in heading_fonts]
    template = active().resolve(TYPST_TEMPLATE)
    return run(markdown, [*TYPST_ARGS, f"--template={template}", *variables]).decode("utf-8")


def docx(markdown: str) -> bytes:
    """Word document with native (OMML) equations; pandoc writes it to a file."""
    with tempfile.TemporaryDirectory(prefix="solgen-docx-") as tmp:
        target = Path(tmp) / "document.docx"
        run(markdown, ["--to=docx", f"--output={target}"])
        return target.read_bytes()
