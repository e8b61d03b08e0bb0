"""The view model through a document template: Markdown and LaTeX text."""

from __future__ import annotations

from typing import Any

from jinja2.exceptions import TemplateError as JinjaError

from generator.theme.jinja import environment, syntax_of, template_failure
from generator.theme.templates import active

TEMPLATE_OF = {"md": "markdown/document.md.j2", "tex": "latex/document.tex.j2"}


def render(model: dict[str, Any], fmt: str) -> str:
    name = TEMPLATE_OF[fmt]
    try:
        template = environment(syntax_of(name), active()).get_template(name)
        return str(template.render(**model))
    except JinjaError as exc:
        raise template_failure(exc, name) from None
