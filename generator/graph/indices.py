"""Index templates of `for:` families: `x{2*i+k}`, `h{t-1}`, `w{k}1`, read without eval.

A `{…}` group holds an affine expression over integers and the loop variables: numbers,
names, `+`, `-`, `*` (one side a constant) and parentheses. It is read once into a
linear form and evaluated per index tuple, so a template that is not affine, or names a
letter that is not a loop variable, is refused before any node is made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.algebra.expr import ExprError

MAX_INDEX_TEXT = 40
_TOKEN = re.compile(r"\s*(?:(\d{1,6})|([A-Za-z][A-Za-z0-9]*)|(.))")
_GROUP = re.compile(r"\{([^{}]*)\}")
HINT = "write an affine index such as {i}, {t-1}, {2*i+k} over the `for:` letters"


@dataclass(frozen=True)
class Affine:
    """const + Σ coef·letter: the value of one `{…}` group."""

    const: int
    coefs: tuple[tuple[str, int], ...]

    def at(self, values: dict[str, int]) -> int:
        return self.const + sum(c * values[name] for name, c in self.coefs)


def _combine(a: Affine, b: Affine, sign: int) -> Affine:
    coefs = dict(a.coefs)
    for name, c in b.coefs:
        coefs[name] = coefs.get(name, 0) + sign * c
    return Affine(a.const + sign * b.const,
                  tuple(sorted((n, c) for n, c in coefs.items() if c)))


def _scale(a: Affine, k: int) -> Affine:
    return Affine(a.const * k, tuple((n, c * k) for n, c in a.coefs if c * k))


class _Reader:
    """Recursive descent: sum := term (± term)*; term := factor (* factor)*;
    factor := number | letter | ( sum ) | - factor."""

    def __init__(self, text: str, letters: frozenset[str]) -> None:
        self.text = text
        self.letters = letters
        self.tokens: list[str] = []
        pos = 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None or m.end() == pos:
                break
            self.tokens.append(m.group(0).strip())
            pos = m.end()
        self.tokens = [t for t in self.tokens if t]
        self.pos = 0

    def fail(self, why: str) -> ExprError:
        return ExprError(f"index {{{self.text}}}: {why}", HINT)

    def peek(self) -> str:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ""

    def take(self) -> str:
        tok = self.peek()
        self.pos += 1
        return tok

    def whole(self) -> Affine:
        if not self.tokens:
            raise self.fail("empty index")
        value = self.sum()
        if self.pos != len(self.tokens):
            raise self.fail(f"unexpected {self.peek()!r}")
        return value

    def sum(self) -> Affine:
        value = self.term()
        while self.peek() in ("+", "-"):
            sign = 1 if self.take() == "+" else -1
            value = _combine(value, self.term(), sign)
        return value

    def term(self) -> Affine:
        value = self.factor()
        while self.peek() == "*":
            self.take()
            right = self.factor()
            if value.coefs and right.coefs:
                raise self.fail("a product of two loop letters is not affine")
            value = _scale(right, value.const) if not value.coefs else _scale(value, right.const)
        return value

    def factor(self) -> Affine:
        tok = self.take()
        if tok.isdigit():
            return Affine(int(tok), ())
        if tok == "-":
            return _scale(self.factor(), -1)
        if tok == "(":
            value = self.sum()
            if self.take() != ")":
                raise self.fail("missing ')'")
            return value
        if tok[:1].isalpha():
            if tok not in self.letters:
                raise self.fail(f"{tok!r} is not a letter of `for:`")
            return Affine(0, ((tok, 1),))
        raise self.fail(f"unexpected {tok!r}" if tok else "incomplete expression")


def read_index(text: str, letters: frozenset[str]) -> Affine:
    """The affine form of the inside of one `{…}` group."""
    if len(text) > MAX_INDEX_TEXT:
        raise ExprError(f"index {{{text[:MAX_INDEX_TEXT]}…}} is too long", HINT)
    return _Reader(text, letters).whole()


@dataclass(frozen=True)
class Templated:
    """One templated name of a node's text, e.g. `x{2*i+k}`, with its groups read."""

    text: str
    start: int
    end: int
    parts: tuple[str | Affine, ...]  # literal text and index forms, in order

    def fill(self, values: dict[str, int]) -> tuple[str, tuple[int, ...]]:
        """The name at these loop values, and the index of each group."""
        out: list[str] = []
        index: list[int] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            v = part.at(values)
            if v < 0:
                raise ExprError(f"{self.text} at {at_text(values)} has index {v}",
                                "indices cannot be negative: narrow the `for:` range")
            index.append(v)
            out.append(str(v))
        return "".join(out), tuple(index)


def _name_char(c: str) -> bool:
    return c.isascii() and (c.isalnum() or c == "_")


def _spans(text: str) -> list[tuple[int, int]]:
    """Where the templated names are: each `{…}` group with the name characters around it,
    touching groups merged (`a{i}{j}`, `w{k}1`). Linear in the text: no regex backtracking
    over long runs of letters."""
    spans: list[tuple[int, int]] = []
    for g in _GROUP.finditer(text):
        start, end = g.start(), g.end()
        while start > 0 and _name_char(text[start - 1]):
            start -= 1
        while end < len(text) and _name_char(text[end]):
            end += 1
        if spans and start <= spans[-1][1]:
            start = spans.pop()[0]
        spans.append((start, end))
    return spans


def templated_names(text: str, letters: frozenset[str]) -> list[Templated]:
    """Every templated name of `text`, each group read (raises ExprError on a bad one)."""
    if "{" not in text and "}" not in text:
        return []
    found = []
    for start, end in _spans(text):
        name = text[start:end]
        parts: list[str | Affine] = []
        pos = 0
        for g in _GROUP.finditer(name):
            if g.start() > pos:
                parts.append(name[pos:g.start()])
            parts.append(read_index(g.group(1).strip(), letters))
            pos = g.end()
        if pos < len(name):
            parts.append(name[pos:])
        found.append(Templated(name, start, end, tuple(parts)))
    rest = _GROUP.sub("", text)
    if "{" in rest or "}" in rest:
        raise ExprError(f"unbalanced or nested braces in {text[:60]!r}", HINT)
    return found


def fill_text(text: str, found: list[Templated], values: dict[str, int]) -> str:
    """`text` with every templated name filled in at `values`."""
    out: list[str] = []
    pos = 0
    for t in found:
        out.append(text[pos:t.start])
        out.append(t.fill(values)[0])
        pos = t.end
    out.append(text[pos:])
    return "".join(out)


def at_text(values: dict[str, int]) -> str:
    """`i=2, k=1`: the loop values, as errors print them."""
    return ", ".join(f"{k}={v}" for k, v in values.items())
