"""Question sheets and answer sheets of variants, as view models for the document template.

Both are a `document.Document`, as a solution is (title, lang, sections of blocks of
text/bullets/math, a footer in `verified`), so every output format that renders a
solution renders a sheet too. The symbolic part of an answer sheet is printed once per
language and reused by every variant; only the numbers are printed per variant.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.algebra.latex_text import Text
from generator.algebra.trace import Block, Section, Solution, Step
from generator.graph.values import values_latex
from generator.solvers.marks import points_of, shown
from generator.solvers.problem import Problem
from generator.solvers.statement import fill
from generator.spec.models import GraphSpec
from generator.theme.messages import Voice
from generator.variants.sampler import Variant
from generator.variants.solution import Solved, Template
from generator.view import document as doc
from generator.view.model import MathWriter, check_counts, verified_sentence, view
from generator.view.readback import ReadBack, refuse


class Sheets:
    """Makes the view models of one problem's variants in one language."""

    def __init__(self, problem: Problem, template: Template, voice: Voice) -> None:
        self.problem = problem
        self.template = template
        self.hooks = template.hooks
        self.voice = voice
        lang = self.lang = voice.lang
        graph = problem.graph
        names = {**graph.latex, **template.symbolic.names}
        # Every printed fragment of a step is read back (view/readback.py); a misprint stops
        # the problem as a wrong step does.
        self.reader = ReadBack(names, graph.constants)
        self.writer = _CachedWriter(names, self.reader)
        self._said: dict[tuple[str, str, tuple[tuple[str, str], ...]], str] = {}
        self._who: tuple[Variant, str] | None = None
        self._counted: dict[tuple[tuple[str, str], ...], str] = {}
        self._view_said: dict[tuple[str, str, tuple[tuple[str, str], ...]], Text] = {}
        self.title = problem.title(lang)
        self.symbolic = view(template.symbolic, graph.latex, voice, self.title,
                             self.reader).sections
        self.model = self._model_sections() if self.hooks.question_blocks is None else []
        refuse(problem, self.reader)

    def who(self, variant: Variant) -> str:
        # Four sentences of a variant's two sheets name it: said once (the last variant's).
        if self._who is None or self._who[0] is not variant:
            key = "who_student" if variant.student is not None else "who_variant"
            label = variant.label.removeprefix("v") if variant.student is None else (
                variant.label)
            self._who = (variant, self.voice.say("variants", key, {"label": label}))
        return self._who[1]

    def _verified(self, solution: Solution) -> str:
        """The footer's sentence, the same for every variant with the same counts."""
        counts = tuple(check_counts(solution).items())
        if counts not in self._counted:
            self._counted[counts] = verified_sentence(solution, self.voice)
        return self._counted[counts]

    def _say(self, key: str, **params: str) -> str:
        return self.voice.say("variants", key, params)

    def _said_once(self, key: str, **params: str) -> str:
        """`_say` for a sentence whose parameters do not name the variant (the task, its
        points): the same few for a whole class, so each is rendered once."""
        memo = ("variants", key, tuple(params.items()))
        if memo not in self._said:
            self._said[memo] = self._say(key, **params)
        return self._said[memo]

    def _footer(self, variant: Variant) -> str:
        return self._say("footer", id=self.problem.spec.id, who=self.who(variant),
                         seed=str(variant.seed))

    # ---- answer sheet ----

    def answer(self, solved: Solved) -> doc.Document:
        variant = solved.variant
        if self.hooks.solved_in_full:
            # A substituted variant's lines were checked as numbers (variants/instances.py);
            # its symbolic lines are the problem's own, read back once in __init__. Its
            # lines come printed from the line templates (variants/printed.py).
            texts = self.template.texts if solved.slots is not None else None
            printed = texts.of(solved.solution) if texts is not None else None
            sections = view(solved.solution, self.problem.graph.latex, self.voice, "",
                            self.reader if solved.read_back else None, printed,
                            self._view_said if printed is not None else None).sections
        else:
            numeric = solved.solution.sections[-1]
            sections = (*self.symbolic, self.section(numeric))
        refuse(self.problem, self.reader)
        verified = self._verified(solved.solution)
        return doc.Document(
            self._say("answer_title", title=self.title, who=self.who(variant)), self.lang,
            sections, self._say("answer_footer", verified=verified, id=self.problem.spec.id,
                                who=self.who(variant), seed=str(variant.seed)))

    def section(self, section: Section) -> doc.Section:
        """One section as `model.view` lays it out (a sheet's sections have no tables)."""
        heading = self._line("sections", section.key, section.params) if section.key else ""
        return doc.Section(heading, section.level, tuple(doc.Block(
            text=self._line("blocks", b.key, b.params) if b.key else "",
            bullets=tuple(self._line("items", k, p) for k, p in b.items),
            math=self.writer.block(b) if b.steps else "") for b in section.blocks))

    def _line(self, group: str, key: str, params: Mapping[str, Any]) -> str:
        # Most sentences repeat from variant to variant: render each distinct one once.
        texts = tuple((k, self.writer.tex(v)) for k, v in params.items())
        memo = (group, key, texts)
        if memo not in self._said:
            self._said[memo] = self.voice.say(group, key, dict(texts))
        return self._said[memo]

    # ---- question sheet ----

    def question(self, solved: Solved) -> doc.Document:
        variant = solved.variant
        wanted = self.hooks.question_blocks
        if wanted is not None:
            blocks = tuple(b for s in solved.solution.sections for b in s.blocks
                           if b.key.startswith(wanted))
            sections = [self.section(Section("", blocks, level=0))]
        else:
            values = values_latex(self.problem.graph, variant.drawn.point, self.writer.tex,
                                  self.template.decimals)
            sections = [*self.model, self.section(Section("", (
                Block("given_values", {"values": values}),), level=0))]
        spec = self.problem.spec
        assert isinstance(spec, GraphSpec)  # only graph kinds have variants
        if spec.statement is not None:  # the author's words come first
            sections.insert(0, doc.Section("", 3, (doc.Block(text=self.statement(variant)),)))
        total = sum(points_of(spec, self.problem.graph, [a.key for a in solved.answers]), 0.0)
        heading = self._said_once("task") + (self._said_once("points", points=shown(total))
                                       if spec.points is not None else "")
        sections.append(doc.Section(heading, 3, (doc.Block(text=self._task()),)))
        refuse(self.problem, self.reader)
        return doc.Document(
            self._say("question_title", title=self.title, who=self.who(variant)), self.lang,
            tuple(sections), self._footer(variant))

    def statement(self, variant: Variant) -> str:
        """The problem's `statement:` in this language with the variant's numbers in it."""
        spec = self.problem.spec
        assert isinstance(spec, GraphSpec) and spec.statement is not None
        return fill(spec.statement, self.lang, self.problem.graph, variant.drawn.point,
                    self.writer.tex, self.template.decimals)

    def _model_sections(self) -> list[doc.Section]:
        graph = self.problem.graph
        # Without layers Step 1 only restates the nodes, which the math below already shows.
        notes = self.symbolic[0].blocks[0].bullets if self.symbolic and graph.notes else ()
        steps = tuple(Step("definition", graph.display[n], lhs=n) for n in graph.nodes)
        math = self.writer.block(Block(steps=steps))
        return [doc.Section(self._say("model"), 3, (
            doc.Block(text=self._say("model_intro"), math=math), doc.Block(bullets=notes)))]

    def _task(self) -> str:
        key, params = self.hooks.task(self.problem.spec, self.problem.graph)
        texts = {name: ",\\ ".join(self.writer.tex(e) for e in value)
                 if isinstance(value, list) else self.writer.tex(value)
                 for name, value in params.items()}
        return self._said_once(key, **texts, digits=str(self.template.digits))

    # ---- one file per class ----

    def combined(self, models: list[doc.Document], answers: bool, seed: int) -> doc.Document:
        """Every variant's sheet in one document, each under a level-2 heading."""
        sections: list[doc.Section] = []
        for model in models:
            sections.append(doc.Section(model.title, 2))
            sections.extend(model.sections)
        key = "combined_answers" if answers else "combined_questions"
        title = self._say(key, title=self.title, count=str(len(models)))
        return doc.Document(title, self.lang, tuple(sections),
                            self._say("combined_footer", id=self.problem.spec.id,
                                      seed=str(seed)), class_file=True)


class _CachedWriter(MathWriter):
    """A MathWriter that prints each distinct expression once (lhs, names, numbers)."""

    def __init__(self, names: Mapping[Any, str], reader: ReadBack | None = None) -> None:
        super().__init__(names, reader=reader)
        self._memo: dict[tuple[Any, int | None], str] = {}

    def tex(self, expr: Any, decimals: int | None = None) -> str:
        if isinstance(expr, str):
            return expr
        key = (expr, decimals)
        if key not in self._memo:
            self._memo[key] = super().tex(expr, decimals)
        return self._memo[key]

