"""What every LMS export of a class's variants shares: one `Item` per variant.

An item holds the question sheet and the worked answer sheet as HTML (math left as
\\( … \\) and \\[ … \\] for the LMS's MathJax), and one `Part` per answer with its
decimal, tolerance and points. Moodle Cloze (generator/cloze.py) turns an item into one
multi-part question, Canvas QTI (generator/qti.py) into one numerical item per part.
The category, tags and points come from the problem file (`category:`, `tags:`,
`points:`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from generator.formats.moodle import to_html
from generator.solvers.marks import points_of
from generator.solvers.problem import Problem
from generator.spec.models import GraphSpec
from generator.variants.solution import Answer, Solved
from generator.view.document import Document

# Files written under OUT/<lang>/<id>/ by `--format cloze` and `--format qti`.
FILES = {"cloze": "cloze.xml", "qti": "canvas-qti.zip"}


@dataclass(frozen=True)
class Part:
    key: str  # the answer's key: "Derivative(MSE, w11)", "b^(1)"
    label: str  # LaTeX of what is asked
    decimal: str  # the exact value rounded to the problem's precision
    tolerance: str  # plain decimal, one unit in the last place asked for: "0.000001"
    points: float


@dataclass(frozen=True)
class Item:
    name: str  # "<id> <label>": hw1-3-conv-w11-variants v001, or the student id
    question_html: str
    feedback_html: str
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Bank:
    problem_id: str
    title: str
    category: str  # levels separated by "/", without Moodle's $course$/top
    tags: tuple[str, ...]
    items: tuple[Item, ...]


def tolerance(answer: Answer) -> str:
    """One unit in the last decimal place asked for, as a plain decimal (0.000001 for 6)."""
    return format(Decimal(1).scaleb(-answer.digits), "f")


def bank(problem: Problem, title: str, questions: list[Document], answers: list[Document],
         solved: list[Solved]) -> Bank:
    """The items of one problem's variants in one language."""
    spec = problem.spec
    assert isinstance(spec, GraphSpec)  # only graph kinds have variants
    items = []
    for q, a, s in zip(questions, answers, solved, strict=True):
        points = points_of(spec, problem.graph, [x.key for x in s.answers])
        parts = tuple(Part(x.key, x.label, x.decimal, tolerance(x), p)
                      for x, p in zip(s.answers, points, strict=True))
        items.append(Item(f"{spec.id} {s.variant.label}", to_html(q), to_html(a), parts))
    return Bank(spec.id, title, spec.category or f"solgen/{spec.id}", tuple(spec.tags),
                tuple(items))
