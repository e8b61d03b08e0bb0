"""A review → an annotated copy of the submission (Markdown, HTML) or JSON for tools.

The annotated copy is the submission as written, with a summary at the top and, after each
piece of math, one quoted line per relation: ✓ proved, ≈ numeric, ✗ wrong (with why),
? unread, · a definition taken as given; syntax that breaks KaTeX/LaTeX is listed there too.
"""

from __future__ import annotations

import json
from typing import Any

from generator.review.checker import Review
from generator.review.links import Mark
from generator.review.messages import SYMBOLS, say

STATUSES = ("proved", "numeric", "wrong", "unread", "given")
MAX_SHOWN = 160  # a longer side is shown as code, cut, rather than as broken math


def counts(review: Review) -> dict[str, int]:
    return {s: review.count(s) for s in STATUSES}


def summary_lines(review: Review, lang: str) -> list[str]:
    if review.error:
        return [say(lang, "error", error=review.error)]
    c = counts(review)
    links = sum(c[s] for s in STATUSES if s != "given")
    out = [say(lang, "summary", links=links, **c)]
    first = review.first_wrong
    out.append(say(lang, "first_wrong", line=first.line) if first else say(lang, "no_wrong"))
    if review.syntax:
        out.append(say(lang, "syntax_count", count=len(review.syntax)))
    for final in review.finals:
        key = {"wrong": "final_wrong", "unread": "final_unread"}.get(final.status, "final_ok")
        text = say(lang, key, quantity=f"∂{final.quantity.replace('/', '/∂')}", line=final.line)
        out.append(text + (f" {say(lang, 'solution')} ${final.solution}$"
                           if final.status == "wrong" else ""))
    return out


def markdown(review: Review, lang: str) -> str:
    lines = review.text.split("\n")
    after: dict[int, list[str]] = {}
    for mark in review.marks:
        end = review.maths[mark.math].end_line
        after.setdefault(end, []).append(_mark_line(mark, lang))
        if mark is review.first_wrong and review.finals:
            after[end].append(f"{say(lang, 'solution')} ${review.finals[0].solution}$")
    for problem in review.syntax:
        end = next((m.end_line for m in review.maths if m.line <= problem.line <= m.end_line),
                   problem.line)
        after.setdefault(end, []).append(
            f"⚠ {say(lang, 'line', line=problem.line)}{'：' if lang == 'zh-TW' else ': '}"
            f"{say(lang, problem.key, detail=problem.detail)}")
    head, body = _split_front(lines)
    out = [*head, f"> **{say(lang, 'title')}**", ">"]
    out += [f"> {line}  " for line in summary_lines(review, lang)] + [""]
    for number, line in enumerate(body, start=len(head) + 1):
        out.append(line)
        if number in after:
            out += [""] + [f"> {entry}  " for entry in after[number]] + [""]
    return "\n".join(out).rstrip("\n") + "\n"


def _split_front(lines: list[str]) -> tuple[list[str], list[str]]:
    if lines and lines[0] == "---":
        for i in range(1, len(lines)):
            if lines[i] == "---":
                return lines[:i + 1], lines[i + 1:]
    return [], lines


def _mark_line(mark: Mark, lang: str) -> str:
    params = dict(mark.params)
    relation = "\\approx" if mark.relation == r"\approx" else "="
    shown = f"{mark.left} {relation} {mark.right}".replace("\\\\", " ")
    math = f"${shown}$" if len(shown) <= MAX_SHOWN and "$" not in shown else (
        "`" + shown[:MAX_SHOWN].replace("`", "'") + "…`")
    colon = "：" if lang == "zh-TW" else ": "
    return (f"{SYMBOLS[mark.status]} {say(lang, 'line', line=mark.line)} {math}{colon}"
            f"{say(lang, mark.key, **params)}")


def html(review: Review, lang: str) -> str:
    from generator.formats import pandoc
    from generator.theme.theme import Theme

    # The built-in page style: a review is solgen's own report, not a course document.
    return pandoc.html(markdown(review, lang), Theme())


def to_json(review: Review, lang: str) -> str:
    data: dict[str, Any] = {
        "file": review.path,
        "error": review.error or None,
        "counts": counts(review),
        "first_wrong_line": review.first_wrong.line if review.first_wrong else None,
        "final_answer_correct": review.final_correct,
        "lines": [{"line": m.line, "status": m.status, "relation": m.relation,
                   "left": m.left, "right": m.right, "reason": m.key,
                   "message": say(lang, m.key, **dict(m.params)), "detail": dict(m.params)}
                  for m in review.marks],
        "syntax": [{"line": p.line, "problem": p.key,
                    "message": say(lang, p.key, detail=p.detail)} for p in review.syntax],
        "finals": [{"line": f.line, "quantity": f.quantity, "status": f.status,
                    "solution": f.solution} for f in review.finals],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render(review: Review, lang: str, fmt: str) -> str:
    if fmt == "json":
        return to_json(review, lang)
    if fmt == "html":
        return html(review, lang)
    return markdown(review, lang)
