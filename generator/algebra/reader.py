"""An independent LaTeX → sympy reader: a recursive-descent parser of its own.

It reads what people write and what solgen's printer (generator/printing.py) writes:
`\\frac`/`\\dfrac`/`\\tfrac`, Leibniz `\\frac{\\partial L}{\\partial w_{11}}` and
`\\frac{d^2 s}{dx^2}`, primes, `e^{…}`, implicit multiplication, `\\cdot`/`\\times`,
`\\left( … \\right)`, `\\Big[ … \\Big]`, subscripts, hats, `\\operatorname`, `\\sigma`,
`\\tanh`, `^{T}`, bmatrix and `\\boxed`. It never calls eval or sympify on the text: every
token is matched against a grammar, so the worst a hostile line can do is be refused with a
ReadError. It shares nothing with the printer on purpose, so a printer bug cannot hide
behind a reader with the same bug.

Grammar (implicit products bind tighter than `\\cdot`, `\\times` and `/`):
    expr    := [+|-] term ((+|-) term)*
    term    := product ((\\cdot | \\times | \\circ | * | /) signed)*   (\\circ: two matrices,
                                                                 entry by entry)
    product := postfix postfix*            (implicit multiplication)
    postfix := primary (^ arg | ' | _ arg)*
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import mpmath
import sympy

from generator.algebra import latex_leibniz as leibniz
from generator.algebra.latex_names import (
    ACCENTS,
    FUNCTIONS,
    GREEK,
    STYLES,
    TWO_ARGUMENTS,
    WORDS,
    Primed,
    Vocabulary,
    opaque,
    prime_derivative,
    suggestion,
)
from generator.algebra.latex_parts import add, div, integer, is_label, mul, plain, spelling
from generator.algebra.latex_tokens import ReadError, Token, TokenError, tokenize

__all__ = ["Parser", "ReadError", "read", "read_tokens", "spelled_name"]

MAX_DEPTH = 60
MAX_EXPONENT = 1000  # 2^{10^{9}} would be computed exactly by sympy: refuse it
MAX_DIGITS = 200
STOPS = frozenset({"+", "-", "=", "&", ",", ")", "]", "}", "|", "<", ">", ";", "/", "*", "."})
STOP_CMDS = frozenset({r"\cdot", r"\times", r"\circ", r"\ast", r"\div", r"\right", r"\end", r"\\",
                       r"\approx", r"\Rightarrow", r"\Longrightarrow", r"\implies", r"\to",
                       r"\neq", r"\le", r"\ge", r"\leq", r"\geq", r"\pm", r"\mp", r"\}",
                       r"\rvert", r"\quad", r"\qquad", r"\text"})
FRACS = frozenset({r"\frac", r"\dfrac", r"\tfrac", r"\cfrac"})
MATRICES = frozenset({"bmatrix", "pmatrix", "matrix", "Bmatrix", "smallmatrix"})
ELLIPSES = frozenset({r"\dots", r"\cdots", r"\ldots", r"\vdots", r"\ddots"})


def read(text: str, vocabulary: Vocabulary | None = None, line: int = 1) -> sympy.Basic:
    """The sympy expression of one LaTeX expression (no relations)."""
    try:
        tokens = tokenize(text, line)
    except TokenError as exc:
        raise ReadError(str(exc)) from None
    return read_tokens(tokens, vocabulary or Vocabulary())


def read_tokens(tokens: Sequence[Token], vocabulary: Vocabulary) -> sympy.Basic:
    parser = Parser(plain(tokens), vocabulary)
    if not parser.tokens:
        raise ReadError("empty expression")
    value = parser.expr()
    if parser.peek() is not None:
        tok = parser.peek()
        raise ReadError(f"unexpected {tok.text!r}" if tok else "unexpected end", tok)
    return value



def _magnitude(e: sympy.Basic) -> Any:
    """|e| as an mpmath number, or None when e is not a number that evaluates (a symbol,
    or relu(1), which sympy cannot compare with 1 exactly: `abs(relu(1)) > 1` is
    undecided and raised a TypeError in the middle of a read)."""
    if not e.is_number:
        return None
    value = sympy.N(abs(e), 15)
    return mpmath.mpf(value._mpf_) if isinstance(value, sympy.Float) else (
        mpmath.mpf(int(value)) if isinstance(value, sympy.Integer) else None)

class Parser:
    def __init__(self, tokens: list[Token], vocabulary: Vocabulary) -> None:
        self.tokens = tokens
        self.at = 0
        self.vocabulary = vocabulary
        self.depth = 0

    # ---- token access ----
    def peek(self, ahead: int = 0) -> Token | None:
        i = self.at + ahead
        return self.tokens[i] if i < len(self.tokens) else None

    def take(self) -> Token:
        tok = self.peek()
        if tok is None:
            last = self.tokens[-1] if self.tokens else None
            raise ReadError("the expression ends too early", last)
        self.at += 1
        return tok

    def expect(self, text: str) -> Token:
        tok = self.take()
        if tok.text != text:
            raise ReadError(f"expected {text!r}, found {tok.text!r}", tok)
        return tok

    def is_(self, *texts: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.text in texts

    def group_tokens(self) -> list[Token]:
        """The tokens of `{…}` (without the braces), or the one token that stands for it."""
        tok = self.take()
        if tok.text != "{":
            if tok.kind == "num" and len(tok.text) > 1 and "." not in tok.text:
                # \frac12: a TeX argument is one character; give the rest back.
                first = Token("num", tok.text[0], tok.line, tok.start, tok.start + 1)
                rest = Token("num", tok.text[1:], tok.line, tok.start + 1, tok.end)
                self.tokens[self.at - 1:self.at] = [first, rest]
                return [first]
            return [tok]
        start, level = self.at, 1
        while level:
            inner = self.take()
            level += {"{": 1, "}": -1}.get(inner.text, 0)
        return self.tokens[start:self.at - 1]

    def sub(self, tokens: list[Token]) -> sympy.Basic:
        parser = Parser(tokens, self.vocabulary)
        parser.depth = self.depth + 1
        if not tokens:
            raise ReadError("empty group", self.peek(-1))
        value = parser.expr()
        if parser.peek() is not None:
            raise ReadError(f"unexpected {parser.peek().text!r}", parser.peek())  # type: ignore[union-attr]
        return value

    # ---- grammar ----
    def expr(self) -> sympy.Basic:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ReadError("nested too deeply", self.peek())
        sign = -1 if self.is_("-") else 1
        if self.is_("+", "-"):
            self.take()
        value = mul(sign, self.term())
        while self.is_("+", "-", r"\pm"):
            op = self.take()
            if op.text == r"\pm":
                raise ReadError("± stands for two values; write them apart", op)
            value = add(value, mul(-1 if op.text == "-" else 1, self.term()))
        self.depth -= 1
        return value

    def term(self) -> sympy.Basic:
        value = self.product()
        while self.is_(r"\cdot", r"\times", "*", "/", r"\div", r"\ast", r"\circ"):
            op = self.take()
            right = self.signed()
            if op.text == r"\circ":
                value = _hadamard(value, right, op)
            else:
                value = div(value, right, op) if op.text in ("/", r"\div") else mul(value, right)
        return value

    def signed(self) -> sympy.Basic:
        if self.is_("-"):
            self.take()
            return mul(-1, self.signed())
        if self.is_("+"):
            self.take()
        return self.product()

    def product(self) -> sympy.Basic:
        value = self.postfix()
        while self.starts_factor():
            value = mul(value, self.postfix())
        return value

    def starts_factor(self) -> bool:
        tok = self.peek()
        if tok is None or tok.text in STOPS or tok.text in STOP_CMDS:
            return False
        return tok.text not in ("^", "_", "'", "!")

    def postfix(self) -> sympy.Basic:
        tok = self.peek()
        if tok is not None and tok.text in FRACS:
            derivative = leibniz.fraction(self)
            if derivative is not None:
                return derivative
        value = self.primary()
        while self.is_("^", "'"):
            if self.take().text == "'":
                raise ReadError("a prime after an expression: write (f)' as a derivative",
                                self.peek(-1))
            value = self.power(value)
        return value

    def power(self, base: sympy.Basic) -> sympy.Basic:
        tokens = self.group_tokens()
        if [t.text for t in tokens] in (["T"], [r"\top"], [r"\intercal"], [r"\mathsf", "T"],
                                        [r"\mathrm", "T"]):
            return base.T if isinstance(base, sympy.MatrixBase) else base
        exponent = self.sub(tokens)
        power, size = _magnitude(exponent), _magnitude(base)
        if power is not None and (power > MAX_EXPONENT or (
                size is not None and size > 1 and power * mpmath.log10(size) > MAX_DIGITS)):
            raise ReadError("a power too large to check exactly", tokens[0])
        if isinstance(base, sympy.MatrixBase):
            raise ReadError("a power of a matrix", tokens[0])
        return sympy.Pow(base, exponent)

    def primary(self) -> sympy.Basic:
        tok = self.take()
        if tok.kind == "num":
            if len(tok.text) > MAX_DIGITS:
                raise ReadError("a number with too many digits", tok)
            return sympy.Rational(tok.text)
        if tok.text in ("(", "[", r"\{", "{"):
            return self.bracket(tok)
        if tok.text == "|":
            inner = self.expr()
            self.expect("|")
            return sympy.Abs(inner)
        if tok.kind == "word":
            return self.word(tok)
        if tok.kind == "cmd":
            return self.command(tok)
        raise ReadError(f"unexpected {tok.text!r}", tok)

    def bracket(self, open_: Token) -> sympy.Basic:
        close = {"(": ")", "[": "]", r"\{": r"\}", "{": "}"}[open_.text]
        items = [self.expr()]
        while self.is_(",") and open_.text != "{":
            self.take()
            items.append(self.expr())
        self.expect(close)
        if len(items) == 1:
            return items[0]
        if any(isinstance(i, sympy.MatrixBase) for i in items):
            raise ReadError("a list of lists: write a matrix with bmatrix", open_)
        return sympy.ImmutableMatrix([items])

    def word(self, tok: Token) -> sympy.Basic:
        text = tok.text
        letters = text.rstrip("0123456789")
        vocab = self.vocabulary
        if vocab.function(text) is not None and self.is_("(", "^", "'"):
            return self.call(vocab.function(text), tok)
        if len(letters) == 1 or vocab.is_word(text):
            return self.name(text, tok)
        if len(letters) >= 3 and not vocab.is_word(letters) and self.is_("("):
            raise ReadError(f"{text} is not a function I know{suggestion(text)}", tok)
        if len(letters) >= 3 and text == letters:
            return self.name(text, tok)  # MSE, loss: a long word is a name
        # `ss'`, `xy`: letters side by side are a product, as in TeX; digits go to the last.
        value: sympy.Basic = sympy.Integer(1)
        for i, letter in enumerate(letters):
            last = i == len(letters) - 1
            part = letter + (text[len(letters):] if last else "")
            piece = Token("word", part, tok.line, tok.start + i, tok.start + i + len(part))
            value = mul(value, self.name(part, piece) if last else self.name(part, piece,
                                                                             suffix=False))
        return value

    def name(self, base: str, tok: Token, suffix: bool = True) -> sympy.Basic:
        """A name with its subscript, label superscript and primes."""
        if base == "e" and not self.vocabulary.is_word("e") and self.is_("^"):
            self.take()
            return sympy.exp(self.sub(self.group_tokens()))
        if base == "e" and "e" not in self.vocabulary.symbols:
            return sympy.E
        if base == "pi":
            return sympy.pi
        label = None
        while suffix and (self.is_("_") or self.label_ahead()):
            # W^{(1)}_{11} and W_{11}^{(1)} are one name: subscript and label, either order.
            if self.take().text == "_":
                base += spelling(self.group_tokens())
            else:
                label = spelling(self.group_tokens())
        if label is not None:
            name = f"{base}^{label}"
            return self.vocabulary.symbols.get(name) or opaque(name)
        if base in self.vocabulary.functions and self.is_("("):
            return self.call(self.vocabulary.functions[base], tok)
        symbol = self.vocabulary.symbol(base)
        order = self.primes() if suffix else 0
        return Primed(symbol, sympy.Integer(order)) if order else symbol

    def label_ahead(self) -> bool:
        after = self.peek(2)
        return self.is_("^") and is_label(self.tokens, self.at + 1) and not (
            after is not None and after.text == r"\prime")

    def primes(self) -> int:
        order = 0
        while self.is_("'") or (self.is_("^") and is_label(self.tokens, self.at + 1)
                                and self.peek(1) is not None and self.peek(2) is not None
                                and self.peek(2).text == r"\prime"):  # type: ignore[union-attr]
            if self.take().text == "^":
                order += len(self.group_tokens())
            else:
                order += 1
        return order

    def command(self, tok: Token) -> sympy.Basic:
        name = tok.text[1:]
        if tok.text in ELLIPSES:
            raise ReadError("elided terms (…) cannot be checked", tok)
        if tok.text == r"\boxed":
            return self.sub(self.group_tokens())
        if tok.text == r"\begin":
            return self.environment(tok)
        if tok.text in ACCENTS:
            return self.name(spelling(self.group_tokens()) + ACCENTS[tok.text], tok)
        if tok.text in STYLES:
            return self.name(spelling(self.group_tokens()), tok)
        if tok.text in WORDS:
            word = spelling(self.group_tokens())
            if word in TWO_ARGUMENTS:
                return self.two_argument(TWO_ARGUMENTS[word], tok)
            fn = self.vocabulary.function(word)
            if fn is not None and self.is_("(", "^", "'"):
                return self.call(fn, tok)
            if tok.text == r"\operatorname" and self.is_("("):
                raise ReadError(f"{word} is not a function I know{suggestion(word)}", tok)
            return self.name(word, tok)
        if tok.text in FRACS:
            num = self.sub(self.group_tokens())
            return div(num, self.sub(self.group_tokens()), tok)
        if tok.text == r"\sqrt":
            return self.root(tok)
        if tok.text == r"\nabla":
            return self.nabla(tok)
        if tok.text == r"\partial":
            return self.slashed_partial(tok)
        if tok.text == r"\mathbb":
            return self.indicator(tok)
        if name in FUNCTIONS and (name != "sigma" or self.is_("(", "'", "^", "[")):
            return self.call(FUNCTIONS[name], tok)
        if name in GREEK or name in ("ell", "pi"):
            return self.name(name, tok)
        raise ReadError(f"{tok.text} is not something I can read", tok)

    def call(self, fn: Any, tok: Token) -> sympy.Basic:
        order, power = 0, None
        while self.is_("'", "^"):
            if self.take().text == "'":
                order += 1
                continue
            inner = self.group_tokens()
            texts = [t.text for t in inner]
            if texts and texts[0] == "(" and texts[-1] == ")":
                order += int(integer(inner[1:-1], tok))  # \sigma^{(3)}(x)
            elif set(texts) == {r"\prime"}:
                order += len(texts)
            else:
                power = self.sub(inner)  # \tanh^2 x
        args = self.arguments(tok)
        if isinstance(fn, type) and issubclass(fn, sympy.Function) and fn in FUNCTIONS.values():
            value = prime_derivative(fn, args[0], order) if order else fn(*args)
        elif order:
            raise ReadError(f"a derivative of {tok.text}, which is not defined", tok)
        else:
            value = fn(*args)
        return sympy.Pow(value, power) if power is not None else value

    def arguments(self, tok: Token) -> list[sympy.Basic]:
        if self.is_("("):
            self.take()
            args = [self.expr()]
            while self.is_(","):
                self.take()
                args.append(self.expr())
            self.expect(")")
            return args
        if self.peek() is None or not self.starts_factor():
            raise ReadError(f"{tok.text} needs an argument", tok)
        return [self.postfix()]

    def two_argument(self, fn: Any, tok: Token) -> sympy.Basic:
        slope = self.sub(self.group_tokens()) if self.is_("_") and self.take() else None
        args = self.arguments(tok)
        if slope is None or len(args) != 1:
            raise ReadError(f"{tok.text} needs a slope and one argument", tok)
        return sympy.sympify(fn(args[0], slope))

    def root(self, tok: Token) -> sympy.Basic:
        degree: sympy.Basic = sympy.Integer(2)
        if self.is_("["):
            self.take()
            degree = self.expr()
            self.expect("]")
        return sympy.Pow(self.sub(self.group_tokens()), 1 / degree)

    def nabla(self, tok: Token) -> sympy.Basic:
        wrt_tokens = self.group_tokens() if self.is_("_") and self.take() else []
        gradient = self.vocabulary.gradients.get(spelled_tokens(wrt_tokens))
        if gradient is not None:  # a vector the text defines: ∇_θ f component-wise
            return gradient(self.postfix())
        wrt = spelling(wrt_tokens)
        of = self.take()
        if of.kind not in ("word", "cmd"):
            raise ReadError("∇ of what?", of)
        name = f"nabla_{wrt} {of.text.lstrip(chr(92))}"
        return self.vocabulary.symbols.get(name) or opaque(name)  # ∇f declared by a kind

    def slashed_partial(self, tok: Token) -> sympy.Basic:
        """`\\partial L / \\partial w` written inline with a slash."""
        of = self.postfix()
        self.expect("/")
        self.expect(r"\partial")
        var = self.postfix()
        if not isinstance(var, sympy.Symbol):
            raise ReadError("∂…/∂ of something that is not a name", tok)
        return sympy.Derivative(of, var)

    def indicator(self, tok: Token) -> sympy.Basic:
        from generator.algebra.functions import step

        if spelling(self.group_tokens()) != "1" or not self.is_("["):
            raise ReadError(r"\mathbb is read only as the indicator \mathbb{1}[x > 0]", tok)
        self.take()
        inner = self.expr()
        self.expect(">")
        if self.sub([self.take()]) != 0:
            raise ReadError(r"\mathbb{1}[…] is read only as [x > 0]", tok)
        self.expect("]")
        return sympy.sympify(step(inner))

    def environment(self, tok: Token) -> sympy.Basic:
        kind = spelling(self.group_tokens())
        if kind not in MATRICES:
            raise ReadError(f"the environment {kind} inside an expression", tok)
        rows: list[list[sympy.Basic]] = [[]]
        while not self.is_(r"\end"):
            if self.is_("&"):
                self.take()
                continue
            if self.is_(r"\\"):
                self.take()
                rows.append([])
                continue
            rows[-1].append(self.expr())
        self.take()
        self.group_tokens()
        rows = [r for r in rows if r]
        if not rows or len({len(r) for r in rows}) != 1:
            raise ReadError("a matrix whose rows have different lengths", tok)
        return sympy.ImmutableMatrix(rows)


def spelled_tokens(tokens: list[Token]) -> str:
    """The one symbol name some tokens read as, or "" (spelled_name of a token list)."""
    if not tokens:
        return ""
    try:
        value = read_tokens(tokens, Vocabulary())
    except ReadError:
        return ""
    return value.name if isinstance(value, sympy.Symbol) else ""


@functools.lru_cache(maxsize=4096)
def spelled_name(latex: str) -> str:
    """The one symbol name a LaTeX spelling reads as (`w_{11}` → w11), or "" if it is not
    a single symbol: how a printed name is matched with the name it stands for."""
    try:
        value = read(latex)
    except ReadError:
        return ""
    return value.name if isinstance(value, sympy.Symbol) else ""


def _hadamard(a: sympy.Basic, b: sympy.Basic, op: Token) -> sympy.Basic:
    """A ∘ B of two matrices of one shape, entry by entry (a relu layer's mask); between
    anything else ∘ would mean composition, which a line of values never writes."""
    if not (isinstance(a, sympy.MatrixBase) and isinstance(b, sympy.MatrixBase)
            and a.shape == b.shape):
        raise ReadError(r"\circ is read only between two matrices of one shape", op)
    return sympy.ImmutableMatrix(a.multiply_elementwise(b))
