"""Question sheets and answer sheets of variants, as view models for the document template.

Both are the same dict shape as `render.view` (title, lang, sections of blocks of
text/bullets/math, a footer in `verified`), so every output format that renders a
solution renders a sheet too. The symbolic part of an answer sheet is printed once per
language and reused by every variant; only the numbers are printed per variant.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.algebra.trace import Block, Section, Solution, Step
from generator.graph.values import values_latex
from generator.solvers.marks import points_of, shown
from generator.solvers.problem import Problem
from generator.solvers.statement import fill
from generator.spec.models import GraphSpec
from generator.theme.messages import say
from generator.variants.sampler import Variant
from generator.variants.solution import Solved, Template
from generator.view.model import MathWriter, view


class Sheets:
    """Makes the view models of one problem's variants in one language."""

    def __init__(self, problem: Problem, template: Template, lang: str) -> None:
        self.problem = problem
        self.template = template
        self.hooks = template.hooks
        self.lang = lang
        graph = problem.graph
        self.writer = _CachedWriter({**graph.latex, **template.symbolic.names})
        self._said: dict[tuple[str, str, tuple[tuple[str, str], ...]], str] = {}
        self.title = problem.title(lang)
        self.symbolic = view(template.symbolic, graph.latex, lang, self.title)["sections"]
        self.model = self._model_sections() if self.hooks.question_blocks is None else []

    def who(self, variant: Variant) -> str:
        key = "who_student" if variant.student is not None else "who_variant"
        label = variant.label.removeprefix("v") if variant.student is None else variant.label
        return say(self.lang, "variants", key, {"label": label})

    def _say(self, key: str, **params: str) -> str:
        return say(self.lang, "variants", key, params)

    def _footer(self, variant: Variant) -> str:
        return self._say("footer", id=self.problem.spec.id, who=self.who(variant),
                         seed=str(variant.seed))

    # ---- answer sheet ----

    def answer(self, solved: Solved) -> dict[str, Any]:
        variant = solved.variant
        if self.hooks.solved_in_full:
            sections = view(solved.solution, self.problem.graph.latex, self.lang, "")["sections"]
        else:
            numeric = solved.solution.sections[-1]
            sections = [*self.symbolic, self.section(numeric)]
        verified = view_counts(solved.solution, self.lang)
        return {"title": self._say("answer_title", title=self.title, who=self.who(variant)),
                "lang": self.lang, "sections": sections,
                "verified": self._say("answer_footer", verified=verified,
                                      id=self.problem.spec.id, who=self.who(variant),
                                      seed=str(variant.seed))}

    def section(self, section: Section) -> dict[str, Any]:
        """One section as `render.view` lays it out."""
        heading = self._line("sections", section.key, section.params) if section.key else ""
        return {"heading": heading, "level": section.level, "blocks": [
            {"text": self._line("blocks", b.key, b.params) if b.key else "",
             "bullets": [self._line("items", k, p) for k, p in b.items],
             "math": self.writer.block(b) if b.steps else ""} for b in section.blocks]}

    def _line(self, group: str, key: str, params: Mapping[str, Any]) -> str:
        # Most sentences repeat from variant to variant: render each distinct one once.
        texts = tuple((k, self.writer.tex(v)) for k, v in params.items())
        memo = (group, key, texts)
        if memo not in self._said:
            self._said[memo] = say(self.lang, group, key, dict(texts))
        return self._said[memo]

    # ---- question sheet ----

    def question(self, solved: Solved) -> dict[str, Any]:
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
            sections.insert(0, {"heading": "", "level": 3, "blocks": [
                {"text": self.statement(variant), "bullets": [], "math": ""}]})
        total = sum(points_of(spec, self.problem.graph, [a.key for a in solved.answers]), 0.0)
        heading = self._say("task") + (self._say("points", points=shown(total))
                                       if spec.points is not None else "")
        sections.append({"heading": heading, "level": 3, "blocks": [
            {"text": self._task(), "bullets": [], "math": ""}]})
        return {"title": self._say("question_title", title=self.title, who=self.who(variant)),
                "lang": self.lang, "sections": sections, "verified": self._footer(variant)}

    def statement(self, variant: Variant) -> str:
        """The problem's `statement:` in this language with the variant's numbers in it."""
        spec = self.problem.spec
        assert isinstance(spec, GraphSpec) and spec.statement is not None
        return fill(spec.statement, self.lang, self.problem.graph, variant.drawn.point,
                    self.writer.tex, self.template.decimals)

    def _model_sections(self) -> list[dict[str, Any]]:
        graph = self.problem.graph
        # Without layers Step 1 only restates the nodes, which the math below already shows.
        notes = self.symbolic[0]["blocks"][0]["bullets"] if self.symbolic and graph.notes else []
        steps = tuple(Step("definition", graph.display[n], lhs=n) for n in graph.nodes)
        math = self.writer.block(Block(steps=steps))
        return [{"heading": self._say("model"), "level": 3, "blocks": [
            {"text": self._say("model_intro"), "bullets": [], "math": math},
            {"text": "", "bullets": notes, "math": ""}]}]

    def _task(self) -> str:
        key, params = self.hooks.task(self.problem.spec, self.problem.graph)
        texts = {name: ",\\ ".join(self.writer.tex(e) for e in value)
                 if isinstance(value, list) else self.writer.tex(value)
                 for name, value in params.items()}
        return self._say(key, **texts, digits=str(self.template.digits))

    # ---- one file per class ----

    def combined(self, models: list[dict[str, Any]], answers: bool, seed: int
                 ) -> dict[str, Any]:
        """Every variant's sheet in one document, each under a level-2 heading."""
        sections: list[dict[str, Any]] = []
        for model in models:
            sections.append({"heading": model["title"], "level": 2, "blocks": []})
            sections.extend(model["sections"])
        key = "combined_answers" if answers else "combined_questions"
        title = self._say(key, title=self.title, count=str(len(models)))
        return {"title": title, "lang": self.lang, "sections": sections,
                "verified": self._say("combined_footer", id=self.problem.spec.id,
                                      seed=str(seed))}


class _CachedWriter(MathWriter):
    """A MathWriter that prints each distinct expression once (lhs, names, numbers)."""

    def __init__(self, names: Mapping[Any, str]) -> None:
        super().__init__(names)
        self._memo: dict[tuple[Any, int | None], str] = {}

    def tex(self, expr: Any, decimals: int | None = None) -> str:
        if isinstance(expr, str):
            return expr
        key = (expr, decimals)
        if key not in self._memo:
            self._memo[key] = super().tex(expr, decimals)
        return self._memo[key]


def view_counts(solution: Solution, lang: str) -> str:
    steps = solution.steps()
    counts = {"total": str(len(steps)),
              "proved": str(sum(1 for s in steps if s.check and s.check.status == "proved")),
              "numeric": str(sum(1 for s in steps if s.check and s.check.status == "numeric"))}
    return say(lang, "", "verified", counts)
