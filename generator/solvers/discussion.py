"""Discussion questions with optional model answers, written in Markdown per language.

The text is the author's, so it travels through the trace as parameters (one per
language) and the message templates pick their language's copy. Nothing here is
mathematics to verify; the math inside the Markdown is checked for the mistakes that
break KaTeX (generator/algebra/markdown_math.py).
"""

from __future__ import annotations

from dataclasses import replace

from generator.algebra.markdown_math import problems
from generator.algebra.trace import Block, Section, Solution
from generator.errors import SpecError, SpecErrors
from generator.graph.model import Graph
from generator.solvers.kind import Kind
from generator.spec.models import LANGS, DiscussionSpec, Localized, localized
from generator.spec.source import Source

HINT = "KaTeX needs balanced $…$, braces, \\left…\\right and \\begin…\\end; write \\$ for a dollar"


def _texts(name: str, text: Localized) -> dict[str, str]:
    """One parameter per language: text_zh_TW, text_en (a missing language falls back)."""
    return {f"{name}_{lang.replace('-', '_')}": localized(text, lang).strip() for lang in LANGS}


def validate(spec: DiscussionSpec, graph: Graph, source: Source) -> None:
    errors = []
    for i, q in enumerate(spec.questions):
        for key, text in (("ask", q.ask), ("answer", q.answer)):
            if text is None:
                continue
            variants = {"": text} if isinstance(text, str) else dict(text)
            for lang, body in variants.items():
                where = ("questions", i, key, lang) if lang else ("questions", i, key)
                errors += [SpecError(source.at(where), p, HINT) for p in problems(body)]
    if errors:
        raise SpecErrors(errors)


def solve(spec: DiscussionSpec, graph: Graph) -> Solution:
    answered = any(q.answer is not None for q in spec.questions)
    if not answered:
        # Questions alone read as the seed's bullet list.
        items = tuple(("discussion_item", _texts("text", q.ask)) for q in spec.questions)
        blocks: tuple[Block, ...] = (Block("", {}, items=items),)
    else:
        out: list[Block] = []
        for n, q in enumerate(spec.questions, 1):
            out.append(Block("discussion_question", {"n": str(n), **_texts("text", q.ask)}))
            if q.answer is not None:
                out.append(Block("discussion_answer", _texts("answer", q.answer)))
        blocks = tuple(out)
    return Solution(spec.id, spec.kind, (Section("", blocks, level=0),))


def question(spec: DiscussionSpec, solution: Solution) -> Solution:
    """The questions without their model answers (a packet's question sheet)."""
    return replace(solution, sections=tuple(
        replace(s, blocks=tuple(b for b in s.blocks if b.key != "discussion_answer"))
        for s in solution.sections))


KIND = Kind[DiscussionSpec]("discussion", validate, solve, question=question)
