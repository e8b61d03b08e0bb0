"""A student's packet of a sheet: every part's question (or answer) sheet in one document.

The packet follows the sheet's own layout (`(1) title`, `(2) …`, `(a) …`, as
`model.sheet_view` lays a sheet out): a part with `vary:` shows its variant's question or
answer sheet with the student's numbers (view/sheets.py, one `Sheets` per part and
language), a part without `vary:` its `statement:` on the question sheet (if it has one)
and its worked solution on the answer sheet. Under the title, one line names the
student, the id and the variant, so a printed page can be handed back to its owner.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from generator.algebra.trace import Solution
from generator.solvers import registry
from generator.solvers.problem import Problem
from generator.solvers.sheet import Entry, Sheet
from generator.solvers.statement import fill
from generator.spec.models import GraphSpec, localized
from generator.theme.messages import Voice
from generator.variants.packet import Packet
from generator.variants.solution import Solved, Template
from generator.view import document as doc
from generator.view.model import MathWriter, problem_view, verified_sentence, view
from generator.view.sheets import Sheets

MAX_NAME = 80


def plain_name(name: str) -> str:
    """A roster name as plain text in sentence markup: letters (any script), digits,
    spaces and . - ' , only, so a name can never become math, markup or a link."""
    kept = "".join(c if unicodedata.category(c)[0] in "LMN" or c in " .-'," else " "
                   for c in name)
    return re.sub(r"\s+", " ", kept).strip()[:MAX_NAME]


class Packets:
    """The question and answer documents of one sheet's packets in one language."""

    def __init__(self, sheet: Sheet, templates: dict[str, Template], voice: Voice) -> None:
        self.sheet = sheet
        self.voice = voice
        self.lang = voice.lang
        self.title = sheet.title(self.lang)
        # One Sheets per varied part: its symbolic answer is printed once for every student.
        self.sheets = {e.number: Sheets(e.problem, templates[e.number], voice)
                       for e in sheet.entries if e.number in templates and e.problem}
        fixed = [e.problem for e in sheet.entries if e.problem and e.number not in templates]
        self.fixed = {e.number: problem_view(e.problem, voice).sections
                      for e in sheet.entries if e.problem and e.number not in templates}
        self.asked = {e.number: self._asked(e.problem) for e in sheet.entries
                      if e.problem in fixed}

    def _asked(self, problem: Problem) -> tuple[doc.Section, ...]:
        """A part without `vary:` on the question sheet: its `statement:` (graph kinds),
        or what its kind asks (discussion: the questions), else nothing below its heading."""
        spec = problem.spec
        if isinstance(spec, GraphSpec) and spec.statement is not None:
            hooks = registry.kind(spec).variants
            point = hooks.values(spec, problem.graph) if hooks is not None else {}
            text = fill(spec.statement, self.lang, problem.graph, point,
                        MathWriter(problem.graph.latex).tex)
            return (doc.Section("", 0, (doc.Block(text=text),)),)
        asked = registry.question(spec, problem.solution)
        if asked is None:
            return ()
        return view(asked, problem.graph.latex, self.voice, "").sections

    def _say(self, key: str, **params: str) -> str:
        return self.voice.say("variants", key, params)

    def who(self, packet: Packet) -> str:
        if packet.student is None:
            return self._say("who_variant", label=packet.label.removeprefix("v"))
        return self._say("who_student", label=packet.label)

    def header(self, packet: Packet) -> doc.Section:
        """The line under the title: name (if the roster has one), id, variant."""
        name = plain_name(packet.name or "")
        key = "packet_student" if packet.student is not None else "packet_variant"
        line = self._say(key, name=name or "—", id=packet.student or "",
                         variant=packet.label.removeprefix("v") if packet.student is None
                         else packet.code)
        return doc.Section("", 0, (doc.Block(text=line),))

    def question(self, packet: Packet, solved: dict[str, Solved]) -> doc.Document:
        sections = [self.header(packet)]
        for e in self.sheet.entries:
            sections.append(self._heading(e))
            if e.number in self.sheets:
                made = self.sheets[e.number].question(solved[e.number])
                sections += _under(e, made.sections)
            elif e.number in self.asked:
                sections += _under(e, self.asked[e.number])
        return doc.Document(self._say("question_title", title=self.title, who=self.who(packet)),
                            self.lang, tuple(sections), self._footer("footer", packet))

    def answer(self, packet: Packet, solved: dict[str, Solved]) -> doc.Document:
        sections = [self.header(packet)]
        for e in self.sheet.entries:
            sections.append(self._heading(e))
            if e.number in self.sheets:
                sections += _under(e, self.sheets[e.number].answer(solved[e.number]).sections)
            elif e.number in self.fixed:
                sections += _under(e, self.fixed[e.number])
        whole = Solution(self.sheet.spec.id, "sheet", tuple(
            s for e in self.sheet.entries if e.problem is not None for s in (
                solved[e.number].solution if e.number in solved
                else e.problem.solution).sections))
        verified = verified_sentence(whole, self.voice) if whole.steps() else ""
        return doc.Document(self._say("answer_title", title=self.title, who=self.who(packet)),
                            self.lang, tuple(sections),
                            self._footer("answer_footer", packet, verified))

    def _heading(self, e: Entry) -> doc.Section:
        title = localized(e.title, self.lang) if e.title is not None else (
            e.problem.title(self.lang) if e.problem else "")
        return doc.Section(f"({e.label}) {title}", e.level)

    def _footer(self, key: str, packet: Packet, verified: str = "") -> str:
        return self._say(key, verified=verified, id=self.sheet.spec.id, who=self.who(packet),
                         seed=str(packet.seed))

    def combined(self, models: list[doc.Document], answers: bool, seed: int) -> doc.Document:
        """Every packet in one document: each under a level-2 heading (a PDF starts each on
        a new page), its parts one level deeper than in the packet's own file."""
        sections: list[doc.Section] = []
        for model in models:
            sections.append(doc.Section(model.title, 2))
            sections += [replace(s, level=s.level + 1) if s.level else s
                         for s in model.sections]
        key = "combined_answers" if answers else "combined_questions"
        title = self._say(key, title=self.title, count=str(len(models)))
        return doc.Document(title, self.lang, tuple(sections),
                            self._say("combined_footer", id=self.sheet.spec.id,
                                      seed=str(seed)), class_file=True)


def _under(entry: Entry, sections: tuple[doc.Section, ...] | list[doc.Section]
           ) -> list[doc.Section]:
    """A part's sections one level below its heading, as `model.sheet_view` shifts them."""
    return [replace(s, level=s.level + entry.level - 1) if s.level else s for s in sections]
