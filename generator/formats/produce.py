"""One view model → the bytes of one output format.

Markdown and LaTeX come from Jinja templates over the view model; HTML, DOCX and the
typst PDF are made by pandoc from the Markdown; the xelatex PDF from the LaTeX. So any
document that has a view model gets every format: a new problem kind only has to fill
the view model (sentences as `Text`, math as LaTeX strings).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.theme.theme import Theme
    from generator.view.document import Document
    from generator.view.pictures import Drawing

FORMATS = ("md", "tex", "pdf", "html", "docx")
EXTENSION = {"md": "md", "tex": "tex", "pdf": "pdf", "html": "html", "docx": "docx"}


def produce(model: Document, fmt: str, name: str, theme: Theme, pdf_engine: str = "auto",
            picture: Drawing | None = None) -> str | bytes:
    """The document `model` in format `fmt` with the templates of `theme`; `name` (the
    problem id) names TeX's files. With a `picture` (the model names it: `model.picture`),
    Markdown and LaTeX link its files, HTML holds the SVG and typst PDFs draw it."""
    from generator.formats.text import render

    if fmt in ("md", "tex"):
        return render(model, fmt, theme)
    # pandoc and typst are imported only for the formats they make (start-up, issue 16).
    from generator.formats import pandoc
    from generator.formats.picture_blocks import html_block

    # pandoc's documents get the picture as solgen's own block, never as a Markdown image
    # (which pandoc_ast.clean turns into its alt text).
    markdown = render(replace(model, picture="", picture_text=""), "md", theme)
    shown = None if picture is None or not model.picture else (picture, model.picture_text)
    if fmt == "html":
        if shown is not None:
            return pandoc.html_many([markdown], theme, [html_block(*shown)])[0]
        return pandoc.html(markdown, theme)
    if fmt == "docx":
        return pandoc.docx(markdown, theme.seconds)
    if fmt == "pdf":
        from generator.formats.pdf import compile_pdf

        tex = render(model, "tex", theme) if pdf_engine == "xelatex" else ""
        return compile_pdf(markdown, tex, model.lang, pdf_engine, name, theme,
                           model.class_file, shown)
    raise ValueError(f"unknown format {fmt!r}")


def produce_many(models: list[Document], fmt: str, names: list[str], theme: Theme,
                 pdf_engine: str = "auto") -> list[str | bytes]:
    """`produce` for each model; HTML, DOCX and typst PDFs (of one language) share one
    pandoc run per batch."""
    from generator.formats.text import render

    if fmt in ("md", "tex"):
        return [render(m, fmt, theme) for m in models]
    from generator.formats import pandoc

    if fmt == "html":
        return list(pandoc.html_many([render(m, "md", theme) for m in models], theme))
    if fmt == "docx":
        return list(pandoc.docx_many([render(m, "md", theme) for m in models], theme.seconds))
    langs = {m.lang for m in models}
    if fmt != "pdf" or pdf_engine not in ("auto", "typst") or len(langs) != 1:
        return [produce(m, fmt, n, theme, pdf_engine)
                for m, n in zip(models, names, strict=True)]
    from generator.formats.pdf import typst_pdfs

    return list(typst_pdfs([render(m, "md", theme) for m in models], langs.pop(), theme,
                           [m.class_file for m in models]))
