"""Stage 7 — a verified `Solution` as the view model every template reads.

`MathWriter` lays out a block's steps as display math; `view` turns a solution into a
`document.Document`: headings, sentences (in the words of a `Voice`) and math strings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

import sympy

from generator.algebra.latex_text import Text
from generator.algebra.printing import SolutionPrinter
from generator.algebra.trace import Block, Solution, Step
from generator.solvers.problem import Problem
from generator.solvers.sheet import Sheet
from generator.spec.models import localized
from generator.theme.messages import Voice
from generator.variants.printed import Printed
from generator.view import document as doc
from generator.view.columns import formatted
from generator.view.linebreak import LIMIT, break_row, width
from generator.view.readback import ReadBack, refuse

SAID = 5000  # sentences kept between the variants of a class (view(said=…))


class MathWriter:
    """Lays out the steps of one block as display math (aligned, inline, bracketed sums)."""

    def __init__(self, names: Mapping[sympy.Symbol, str],
                 note: Callable[[Step], str] | None = None, decimal_data: bool = False,
                 reader: ReadBack | None = None, printed: Printed | None = None) -> None:
        self.names = names
        self.reader = reader  # reads every fragment of a step back (view/readback.py)
        self.decimal_data = decimal_data
        self.printer = SolutionPrinter(names, decimal_data=decimal_data)
        self.note = note  # the localized reason shown beside a line of an "annotated" block
        # A substituted variant's lines, printed already (variants/printed.py).
        self.printed = printed
        self._fixed: dict[int, SolutionPrinter] = {}

    def tex(self, expr: sympy.Basic | str, decimals: int | None = None) -> str:
        if isinstance(expr, str):
            return expr
        if self.printed is not None:
            found = self.printed.get(expr, decimals)
            if found is not None:
                return found
        if decimals is not None:
            if decimals not in self._fixed:  # a printer is stateless: one per place count
                self._fixed[decimals] = SolutionPrinter(self.names, decimals, self.decimal_data)
            text = str(self._fixed[decimals].doprint(expr))
        else:
            text = str(self.printer.doprint(expr))
        if self.printed is not None:
            self.printed.keep(expr, decimals, text)
        return text

    def part(self, step: Step, expr: sympy.Basic, decimals: int | None = None) -> str:
        """One fragment of a step, read back when a reader is given."""
        text = self.tex(expr, decimals)
        if self.reader is not None:
            self.reader.fragment(step, text, expr, decimals if step.relation == r"\approx"
                                 else None)
        return text

    def rhs(self, step: Step, joint: str) -> str:
        if step.layout != "bracket_sum" or not isinstance(step.rhs, sympy.Mul):
            return self.part(step, step.rhs, step.digits)
        prefix, total = step.rhs.args[0], step.rhs.args[1]
        terms = [self.part(step, t) for t in sympy.Add.make_args(total)]
        lines = [terms[0]] + [t if t.startswith("-") else f"+ {t}" for t in terms[1:]]
        head = self.part(step, prefix)
        if self.reader is not None:  # the sum as one line: the brackets are read too
            self.reader.sum_line(step, rf"{head}\Big[" + " ".join(lines) + r"\Big]", head,
                                 terms)
        return rf"{head}\Big[" + rf" \\ {joint}".join(lines) + r"\Big]"

    def line(self, step: Step, aligned: bool) -> str:
        amp = "&" if aligned else ""
        rel = "=" if step.relation == r"\Rightarrow" else step.relation
        body = self.rhs(step, r"&\qquad " if aligned else "")
        if step.lhs is None:
            return f"{amp}{rel} {body}" if aligned else f" {rel} {body}"
        head = r"\Rightarrow " if step.relation == r"\Rightarrow" else ""
        return f"{head}{self.part(step, step.lhs)} {amp}{rel} {body}"

    def block(self, block: Block) -> str:
        math = self.layout(block)
        # KaTeX and LaTeX both box an aligned environment as one unit.
        return rf"\boxed{{\ {math}\ }}" if block.boxed else math

    def annotation(self, step: Step) -> str:
        if self.note is None or step.rule == "equal":
            return ""
        return rf"\qquad\text{{{self.note(step)}}}"

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
        if block.layout == "chain":
            return self.chain(steps)
        multi = len(steps) > 1 or any(st.layout == "bracket_sum" for st in steps)
        if not multi:
            line = self.line(steps[0], aligned=False)
            if width(line) <= LIMIT:
                return line
            row = break_row(self.line(steps[0], aligned=True))
            return line if r"\\" not in row else f"\\begin{{aligned}}\n{row}\n\\end{{aligned}}"
        # A row wider than the page breaks before a term, as a bracketed sum does (never
        # scaled down: view/linebreak.py).
        rows = r" \\" + "\n".join([""] * 2)
        body = rows.join(break_row(self.line(st, True)) for st in steps)
        return "\\begin{aligned}\n" + body + "\n\\end{aligned}"


    def chain(self, steps: tuple[Step, ...]) -> str:
        """One row per left side, its continuations on the same row (`z₃ = 0.5·2 + … =
        1.25`): a sample's forward values read as one short line each, not two. A row
        wider than the page breaks before a term, as in any display."""
        rows: list[str] = []
        for st in steps:
            if st.lhs is not None or not rows:
                rows.append(self.line(st, aligned=True))
            else:
                rows[-1] += self.line(st, aligned=False)
        body = " \\\\\n".join(break_row(row) for row in rows)
        return "\\begin{aligned}\n" + body + "\n\\end{aligned}"


def view(solution: Solution, names: Mapping[sympy.Symbol, str], voice: Voice,
         title: str, reader: ReadBack | None = None, printed: Printed | None = None,
         said: dict[tuple[str, str, tuple[tuple[str, str], ...]], Text] | None = None
         ) -> doc.Document:
    """Everything the template needs, as plain strings, in the words of `voice`; with a
    `reader`, every printed fragment of a step is read back (view/readback.py). A
    substituted variant's lines come `printed`; `said` keeps sentences between calls
    (the same voice's)."""
    def params(raw: Mapping[str, sympy.Basic | str]) -> dict[str, str]:
        return {k: writer.tex(v) for k, v in raw.items()}

    if reader is not None:
        reader.learn(solution)  # what its own names (θ, σ'(x), h(x₁,x₂)) stand for
    def note(step: Step) -> str:  # in the language's own brackets: （整理） / (tidy up)
        return voice.say("", "note", {"note": voice.say("rules", step.rule, params(step.params))})

    writer = MathWriter({**names, **solution.names}, note, solution.decimal_data, reader,
                        printed)

    def sentence(group: str, key: str, raw: Mapping[str, sympy.Basic | str]) -> Text:
        if said is None:
            return Text(voice.say(group, key, params(raw)) if key else "")
        texts = params(raw)
        memo = (group, key, tuple(texts.items()))
        if memo not in said:
            if len(said) >= SAID:  # a class's sentences with numbers: bounded, not kept all
                said.clear()
            said[memo] = Text(voice.say(group, key, texts) if key else "")
        return said[memo]

    sections = []
    for sec in solution.sections:
        heading = sentence("sections", sec.key, sec.params)
        blocks = tuple(doc.Block(
            text=sentence("blocks", b.key, b.params),
            bullets=tuple(sentence("items", k, p) for k, p in b.items),
            table=(_step_table(writer, voice, b) if b.layout == "table"
                   else _table(writer, voice, b.table)),
            math=writer.block(b) if b.steps and b.layout != "table" else "")
            for b in sec.blocks)
        sections.append(doc.Section(heading, sec.level, blocks))
    # A document with no mathematics to check (discussion only) makes no claim about it.
    verified = Text("")
    if solution.steps():  # the same counts say the same: kept in `said`
        verified = (sentence("", "verified", check_counts(solution)) if said is not None
                    else Text(verified_sentence(solution, voice)))
    return doc.Document(title, voice.lang, tuple(sections), verified)


def check_counts(solution: Solution) -> dict[str, str]:
    """How many steps were checked, and how many proved or checked numerically."""
    steps = solution.steps()
    return {"total": str(len(steps)),
            "proved": str(sum(1 for s in steps if s.check and s.check.status == "proved")),
            "numeric": str(sum(1 for s in steps if s.check and s.check.status == "numeric"))}


def verified_sentence(solution: Solution, voice: Voice) -> str:
    """The footer: a short mark that every step was checked. The counts and engines are
    the answer key's and the audit appendix's (issue 15), not the student's page's."""
    return voice.say("", "verified", check_counts(solution))


def with_audit(document: doc.Document, solution: Solution, voice: Voice) -> doc.Document:
    """`document` with an appendix saying how its steps were checked (`build --audit`)."""
    if not solution.steps():
        return document
    appendix = doc.Section(voice.say("", "audit_heading"), 2, (
        doc.Block(text=voice.say("", "audit", check_counts(solution))),))
    return replace(document, sections=(*document.sections, appendix))


def _table(writer: MathWriter, voice: Voice, table: tuple[tuple[sympy.Basic | str, ...], ...]
           ) -> tuple[tuple[str, ...], ...]:
    """The table's cells as text; a column of numbers with one number of decimals."""
    if not table:
        return ()
    fixed = formatted(table)
    head = tuple(_cell(writer, voice, c) for c in table[0])
    return (head, *(tuple(Text(f"${f}$") if f is not None else _cell(writer, voice, c)
                          for c, f in zip(row, shown, strict=True))
                    for row, shown in zip(table[1:], fixed, strict=True)))


def _step_table(writer: MathWriter, voice: Voice, block: Block
                ) -> tuple[tuple[str, ...], ...]:
    """Checked steps laid out as a table (a training batch's further samples): each step's
    `row` and `column` params place its value, which is read back as any printed line."""
    columns: dict[sympy.Basic, int] = {}
    rows: dict[sympy.Basic, dict[sympy.Basic, str]] = {}
    for st in block.steps:
        column, row = st.params["column"], st.params["row"]
        columns.setdefault(column, len(columns))
        rows.setdefault(row, {})[column] = Text(f"${writer.part(st, st.rhs, st.digits)}$")
    head = (_cell(writer, voice, "col_sample"), *(_cell(writer, voice, c) for c in columns))
    return (head, *((_cell(writer, voice, row), *(cells[c] for c in columns))
                    for row, cells in rows.items()))


def _cell(writer: MathWriter, voice: Voice, cell: sympy.Basic | str) -> str:
    if isinstance(cell, str):
        return Text(voice.say("items", cell, {}))
    return Text(f"${writer.tex(cell)}$")


def problem_view(problem: Problem, voice: Voice) -> doc.Document:
    """The view model of one solved problem in the language of `voice`; a printed line that
    does not read back as its checked value stops the problem (StepCheckError)."""
    names = {**problem.graph.latex, **problem.solution.names}
    reader = ReadBack(names, problem.graph.constants)
    made = view(problem.solution, problem.graph.latex, voice, problem.title(voice.lang), reader)
    refuse(problem, reader)
    return made


def sheet_view(sheet: Sheet, voice: Voice) -> doc.Document:
    """A sheet's parts under their headings (`(2) title`, `(b) title`), one document."""
    lang = voice.lang
    sections: list[doc.Section] = []
    for e in sheet.entries:
        title = localized(e.title, lang) if e.title is not None else (
            e.problem.title(lang) if e.problem else "")
        sections.append(doc.Section(f"({e.label}) {title}", e.level))
        if e.problem is not None:
            for sec in problem_view(e.problem, voice).sections:
                level = sec.level + e.level - 1 if sec.level else 0
                sections.append(replace(sec, level=level))
    verified = verified_sentence(sheet.solution, voice) if sheet.solution.steps() else ""
    return doc.Document(sheet.title(lang), lang, tuple(sections), verified)


def document_view(item: Problem | Sheet, voice: Voice) -> doc.Document:
    """The view model of a problem or a sheet."""
    return sheet_view(item, voice) if isinstance(item, Sheet) else problem_view(item, voice)
