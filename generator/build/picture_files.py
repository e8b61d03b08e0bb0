"""A problem's picture in a build: drawn once, named by its documents, written beside them.

Markdown links `<id>.picture.svg` and LaTeX includes `<id>.picture.pdf`, both in the
language's folder next to the document (a problem id holds no dot, so these names can
meet no other output). HTML and typst PDFs carry the picture inside themselves.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import ToolMissing

if TYPE_CHECKING:
    from generator.solvers.problem import Problem
    from generator.solvers.sheet import Sheet
    from generator.theme.messages import Voice
    from generator.view.document import Document
    from generator.view.pictures import Drawing

SHOWN_IN = ("md", "tex", "pdf", "html")  # DOCX has none (pandoc would need a file to embed)


def problem_drawing(problem: Problem | Sheet, formats: list[str], pdf_engine: str,
                    enabled: bool = True) -> Drawing | None:
    """The problem's picture when a document of `formats` shows one (None: it has none)."""
    from generator.build.drawings import kept
    from generator.view.pictures import available, drawing, wanted

    if not enabled or not set(formats) & set(SHOWN_IN) or wanted(problem) is None:
        return None
    vector = "tex" in formats or ("pdf" in formats and pdf_engine == "xelatex")

    def draw() -> Drawing | None:
        if not available():  # a dependency: only a broken install lacks it
            raise ToolMissing("drawing the pictures needs matplotlib",
                              hint="pip install matplotlib, or build with --no-pictures")
        return drawing(problem, vector)

    # Drawn once and kept on disk (build/drawings.py): matplotlib is not even imported
    # when a rebuild finds it there.
    return kept(problem, vector, draw)


def with_picture(view: Document, picture: Drawing | None, voice: Voice) -> Document:
    """The document naming its picture's files and caption."""
    if picture is None:
        return view
    return replace(view, picture=picture.name, picture_text=voice.say("", picture.message))


def picture_files(picture: Drawing | None, out: Path, langs: list[str],
                  formats: list[str]) -> list[tuple[Path, str | bytes]]:
    """The SVG beside each Markdown file and the PDF beside each .tex file (path, bytes)."""
    if picture is None:
        return []
    files: list[tuple[Path, str | bytes]] = []
    for lang in langs:
        if "md" in formats:
            files.append((out / lang / f"{picture.name}.svg", picture.svg))
        if "tex" in formats:
            files.append((out / lang / f"{picture.name}.pdf", picture.pdf))
    return files
