"""Solution → view model (strings only) → Jinja template → document text."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import sympy
from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError, TemplateNotFound, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import TemplateError as JinjaError

from generator.errors import TemplateError
from generator.i18n import say
from generator.latex_text import Text, plain, tex
from generator.markdown_text import yaml_string
from generator.printing import SolutionPrinter
from generator.template_run import BoundedEnvironment
from generator.template_run import render as bounded_render
from generator.template_set import TemplateSet, active, files
from generator.trace import Block, Solution, Step


@dataclass(frozen=True)
class Document:
    lang: str
    fmt: str
    text: str


class MathWriter:
    """Lays out the steps of one block as display math (aligned, inline, bracketed sums)."""

    def __init__(self, names: Mapping[sympy.Symbol, str],
                 note: Callable[[Step], str] | None = None, decimal_data: bool = False) -> None:
        self.names = names
        self.decimal_data = decimal_data
        self.printer = SolutionPrinter(names, decimal_data=decimal_data)
        self.note = note  # the localized reason shown beside a line of an "annotated" block

    def tex(self, expr: sympy.Basic | str, decimals: int | None = None) -> str:
        if isinstance(expr, str):
            return expr
        if decimals is not None:
            return str(SolutionPrinter(self.names, decimals, self.decimal_data).doprint(expr))
        return str(self.printer.doprint(expr))

    def rhs(self, step: Step, joint: str) -> str:
        if step.layout != "bracket_sum" or not isinstance(step.rhs, sympy.Mul):
            return self.tex(step.rhs, step.digits)
        prefix, total = step.rhs.args[0], step.rhs.args[1]
        terms = [self.tex(t) for t in sympy.Add.make_args(total)]
        lines = [terms[0]] + [t if t.startswith("-") else f"+ {t}" for t in terms[1:]]
        return rf"{self.tex(prefix)}\Big[" + rf" \\ {joint}".join(lines) + r"\Big]"

    def line(self, step: Step, aligned: bool) -> str:
        amp = "&" if aligned else ""
        rel = "=" if step.relation == r"\Rightarrow" else step.relation
        body = self.rhs(step, r"&\qquad " if aligned else "")
        if step.lhs is None:
            return f"{amp}{rel} {body}" if aligned else f" {rel} {body}"
        head = r"\Rightarrow " if step.relation == r"\Rightarrow" else ""
        return f"{head}{self.tex(step.lhs)} {amp}{rel} {body}"

    def block(self, block: Block) -> str:
        math = self.layout(block)
        # KaTeX and LaTeX both box an aligned environment as one unit.
        return rf"\boxed{{\ {math}\ }}" if block.boxed else math

    def annotation(self, step: Step) -> str:
        if self.note is None or step.rule == "equal":
            return ""
        return rf"\qquad\text{{({self.note(step)})}}"

    def layout(self, block: Block) -> str:
        steps = block.steps
        if block.layout == "annotated":
            notes = [self.line(st, True) + self.annotation(st) for st in steps]
            return "\\begin{aligned}\n" + " \\\\\n".join(notes) + "\n\\end{aligned}"
        if block.layout == "inline":
            out = ""
            for st in steps:
                if st.lhs is not None and out:
                    out += r"\qquad " if st.relation == r"\Rightarrow" else r",\qquad "
                out += self.line(st, aligned=False)
            return out
        multi = len(steps) > 1 or any(st.layout == "bracket_sum" for st in steps)
        if not multi:
            return self.line(steps[0], aligned=False)
        rows = r" \\" + "\n".join([""] * 2)
        return "\\begin{aligned}\n" + rows.join(self.line(st, True) for st in steps) + (
            "\n\\end{aligned}")


def view(solution: Solution, names: Mapping[sympy.Symbol, str], lang: str,
         title: str) -> dict[str, Any]:
    """Everything the template needs, as plain strings."""
    def params(raw: Mapping[str, sympy.Basic | str]) -> dict[str, str]:
        return {k: writer.tex(v) for k, v in raw.items()}

    writer = MathWriter({**names, **solution.names},
                        lambda step: say(lang, "rules", step.rule, params(step.params)),
                        solution.decimal_data)

    def sentence(group: str, key: str, raw: Mapping[str, sympy.Basic | str]) -> Text:
        return Text(say(lang, group, key, params(raw)) if key else "")

    sections = []
    for sec in solution.sections:
        heading = sentence("sections", sec.key, sec.params)
        blocks = [{"text": sentence("blocks", b.key, b.params),
                   "bullets": [sentence("items", k, p) for k, p in b.items],
                   "table": [[_cell(writer, lang, c) for c in row] for row in b.table],
                   "math": writer.block(b) if b.steps else ""} for b in sec.blocks]
        sections.append({"heading": heading, "level": sec.level, "blocks": blocks})
    steps = solution.steps()
    counts = {"total": str(len(steps)),
              "proved": str(sum(1 for s in steps if s.check and s.check.status == "proved")),
              "numeric": str(sum(1 for s in steps if s.check and s.check.status == "numeric"))}
    # A document with no mathematics to check (discussion only) makes no claim about it.
    verified = Text(say(lang, "", "verified", counts) if steps else "")
    return {"title": title, "lang": lang, "sections": sections, "verified": verified}


def _cell(writer: MathWriter, lang: str, cell: sympy.Basic | str) -> str:
    if isinstance(cell, str):
        return Text(say(lang, "items", cell, {}))
    return Text(f"${writer.tex(cell)}$")


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


TEMPLATE_OF = {"md": "markdown/document.md.j2", "tex": "latex/document.tex.j2"}


def syntax_of(name: str) -> str:
    """LaTeX templates (under latex/) use the TeX delimiters; every other one Jinja's own."""
    return "tex" if name.startswith("latex/") else "markdown"


def render(model: dict[str, Any], fmt: str) -> str:
    name = TEMPLATE_OF[fmt]
    try:
        template = environment(syntax_of(name), active()).get_template(name)
        return bounded_render(template, model, name)  # issue 20: time, calls, size
    except JinjaError as exc:
        raise TemplateError(template_failure(exc, name)) from None


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
                raise TemplateError(template_failure(exc, name)) from None


def template_failure(exc: JinjaError, name: str) -> str:
    """`file:line: what went wrong` and a hint; the line of a runtime error is found in the
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
    return f"{where}: {exc.message or type(exc).__name__}\n  hint: {_hint(exc)}"


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
