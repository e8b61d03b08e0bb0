"""Jinja environments for templates: one sandboxed environment per syntax and template
set, the TeX-safe delimiters of LaTeX templates, and template errors as `file:line`.
"""

from __future__ import annotations

from functools import cache

from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError, TemplateNotFound, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import TemplateError as JinjaError

from generator.algebra.latex_text import plain, tex
from generator.algebra.markdown_text import yaml_string
from generator.errors import TemplateError
from generator.theme.sandbox import BoundedEnvironment
from generator.theme.templates import TemplateSet, files

# LaTeX templates use delimiters that never occur in TeX: `((* … *))` for statements,
# `((( … )))` for values, `((= … =))` for comments; `{{`, `{%` and `{#` stay TeX.
TEX_DELIMITERS = {"block_start_string": "((*", "block_end_string": "*))",
                  "variable_start_string": "(((", "variable_end_string": ")))",
                  "comment_start_string": "((=", "comment_end_string": "=))"}


@cache
def environment(syntax: str, templates: TemplateSet) -> BoundedEnvironment:
    """One environment per syntax and template set: a user's templates run in the same
    sandbox as the built-in ones (no attribute access to Python internals)."""
    delimiters = TEX_DELIMITERS if syntax == "tex" else {}
    env = BoundedEnvironment(loader=templates.loader(),  # issue 20: bounded sandbox
                             undefined=StrictUndefined, autoescape=False,
                             keep_trailing_newline=True, trim_blocks=True,
                             lstrip_blocks=True, **delimiters)
    env.filters["tex"] = tex
    env.filters["plain"] = plain
    env.filters["yaml"] = yaml_string
    return env


def syntax_of(name: str) -> str:
    """LaTeX templates (under latex/) use the TeX delimiters; every other one Jinja's own."""
    return "tex" if name.startswith("latex/") else "markdown"


def check_templates(templates: TemplateSet) -> None:
    """Compile every Jinja template of the user folders now: a syntax error is reported
    before the build spends minutes solving."""
    for folder in templates.folders:
        for name in files(folder):
            if not name.endswith(".j2"):
                continue
            try:
                environment(syntax_of(name), templates).get_template(name)
            except JinjaError as exc:
                raise template_failure(exc, name) from None


def template_failure(exc: JinjaError, name: str) -> TemplateError:
    """The error at `file:line`, with a hint; the line of a runtime error is found in the
    traceback, where Jinja puts a frame for the template line that failed."""
    where = f"template {name}"
    if isinstance(exc, TemplateSyntaxError) and exc.filename:
        where = f"{exc.filename}:{exc.lineno}"
    else:
        frame = exc.__traceback__
        while frame is not None:
            code = frame.tb_frame.f_code.co_filename
            if not code.endswith(".py") and not code.startswith("<"):
                where = f"{code}:{frame.tb_lineno}"
            frame = frame.tb_next
    return TemplateError(exc.message or type(exc).__name__, where=where, hint=_hint(exc))


def _hint(exc: JinjaError) -> str:
    if isinstance(exc, SecurityError):
        return ("templates run in a sandbox: names starting with _ and Python internals are "
                "not available")
    if isinstance(exc, TemplateNotFound):
        return ("`solgen templates list` shows the template names; write default:NAME for "
                "a built-in one")
    if isinstance(exc, UndefinedError):
        return ("a document template receives title, lang, sections and verified "
                "(docs/templates.md)")
    if isinstance(exc, TemplateSyntaxError):
        return ("Jinja syntax: {% … %} and {{ … }}; in latex/ templates ((* … *)) and "
                "((( … )))")
    return "see docs/templates.md"
