"""`solgen check`: everything a build would refuse, found without writing a file.

Solving and verifying happen for every problem anyway; a build then also renders the
documents through the templates (a course's own may name a missing include or a variable
the view model lacks) and, with --variants/--roster, draws and solves variants (vary:
names, where:, a number for every leaf). The preflight does the same on a small scale:
Markdown and LaTeX of the solution in every language, and one variant's sheets (of a
sheet with varied parts, one packet).
"""

from __future__ import annotations

from typing import Any

from generator.formats.text import render
from generator.spec.models import LANGS
from generator.theme.theme import Theme
from generator.view.model import document_view

# Markdown feeds HTML, DOCX and typst PDFs through pandoc; LaTeX feeds xelatex. Rendering
# both runs every template a build runs, without pandoc or a PDF engine.
TEXT_FORMATS = ("md", "tex")


def preflight(problem: Any, theme: Theme, request: Any = None) -> bool:
    """Render `problem` (a Problem or Sheet) and, with `vary:`, one variant, with the
    templates of `theme`; raise on error. True when the problem has `vary:` (a build with
    --variants would draw from it)."""
    for lang in LANGS:
        view = document_view(problem, theme.voice(lang))
        for fmt in TEXT_FORMATS:
            render(view, fmt, theme)
    from generator.build.variants import Request, solve_variants, varied
    from generator.view.sheets import Sheets

    if _packet(problem, theme, request):
        return True
    drawn = varied([problem])
    for one in drawn:
        seed = request.seed if request is not None else 0
        template, solved = solve_variants(one, Request(1, seed, None, False))
        for lang in LANGS:
            sheets = Sheets(one, template, theme.voice(lang))
            for model in (sheets.question(solved[0]), sheets.answer(solved[0])):
                for fmt in TEXT_FORMATS:
                    render(model, fmt, theme)
    return bool(drawn)


def _packet(sheet: Any, theme: Theme, request: Any) -> bool:
    """A sheet with varied parts: draw and render one packet, as a build would."""
    from generator.build.packets import Drawn, varies
    from generator.build.variants import Request
    from generator.solvers.sheet import Sheet

    if not isinstance(sheet, Sheet) or not varies(sheet):
        return False
    drawn = Drawn(sheet, Request(1, request.seed if request is not None else 0, None, False))
    for lang in LANGS:
        _, questions, answers = drawn.documents(theme, lang)
        for model in (*questions, *answers):
            for fmt in TEXT_FORMATS:
                render(model, fmt, theme)
    return True
