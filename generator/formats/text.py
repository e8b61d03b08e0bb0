"""The view model through a document template: Markdown and LaTeX text."""

from __future__ import annotations

from jinja2.exceptions import TemplateError as JinjaError

from generator.theme.jinja import environment, syntax_of, template_failure
from generator.theme.sandbox import render as bounded_render
from generator.theme.theme import Theme
from generator.view.document import Document

TEMPLATE_OF = {"md": "markdown/document.md.j2", "tex": "latex/document.tex.j2"}


def render(model: Document, fmt: str, theme: Theme) -> str:
    """`model` as Markdown or LaTeX through the document template of `theme`."""
    name = TEMPLATE_OF[fmt]
    try:
        template = environment(syntax_of(name), theme.templates).get_template(name)
        # issue 20: time, calls, size; the time is the run's --time-limit (issue 22)
        return bounded_render(template, model.names(), name, theme.seconds)
    except JinjaError as exc:
        raise template_failure(exc, name) from None
