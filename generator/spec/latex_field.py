"""TeX a problem file may splice into math: a whitelist, not a blacklist (issue 20).

A `latex:` field ("how the name prints") is copied verbatim into every `.tex`, Markdown
and typst document; `$…$` in a title or a model answer is copied into the `.tex` too. A
teacher may compile that `.tex` on a machine with shell escape on, so what reaches it must
be mathematics and nothing else: no `\\input`, `\\write18`, `\\catcode`, `\\def`, no `#`,
no `%`, no `^^5c` (TeX's hex notation for a backslash).

Two grammars:
- `symbol_problem` for `latex:` fields: letters, digits, spaces, `_ ^ { } ' , . ( ) [ ] + - * / = |`
  and the commands a symbol name needs (Greek letters, accents, fonts);
- `math_problem` for math in sentences: the same characters plus `& \\\\ < > ! ; :` and a
  wider list of mathematical commands (fractions, sums, relations, environments of math).
Each returns "" for accepted text, or a message naming the first thing refused.
"""

from __future__ import annotations

import re

from generator.spec.markup import parse


def _names(words: str) -> frozenset[str]:
    return frozenset(words.split())


GREEK = _names("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa "
         "lambda mu nu xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi "
         "omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega")
ACCENTS = _names("hat bar tilde vec dot ddot widehat widetilde overline underline check breve "
           "acute grave mathring")
FONTS = _names("mathbf mathrm mathit mathsf mathtt mathcal mathbb mathfrak boldsymbol bm "
         "operatorname text textrm textit textbf")
SYMBOL_EXTRA = _names("prime ell hbar imath jmath nabla partial infty star ast circ dagger "
                "top intercal")
SYMBOL_COMMANDS = GREEK | ACCENTS | FONTS | SYMBOL_EXTRA

MATH_EXTRA = _names(
    # structure
    "frac dfrac tfrac sqrt binom left right big Big bigg Bigg bigl bigr Bigl Bigr biggl "
    "biggr middle boxed underbrace overbrace underset overset stackrel substack limits "
    "nolimits displaystyle textstyle quad qquad begin end "
    # operators and functions
    "sum prod int iint oint lim limsup liminf max min sup inf arg argmax argmin det exp "
    "log ln lg sin cos tan cot sec csc sinh cosh tanh arcsin arccos arctan sgn "
    # binary operators and relations
    "cdot times div pm mp cdots ldots dots vdots ddots le leq ge geq ne neq approx sim "
    "simeq equiv propto to gets mapsto rightarrow leftarrow Rightarrow Leftarrow "
    "leftrightarrow Leftrightarrow implies iff in notin subset subseteq supset supseteq "
    "cup cap setminus emptyset forall exists neg land lor wedge vee oplus otimes odot "
    "ll gg mid parallel perp angle triangle square circ bullet langle rangle lvert rvert "
    "lVert rVert vert Vert lfloor rfloor lceil rceil backslash colon not mathop"
)
MATH_COMMANDS = SYMBOL_COMMANDS | MATH_EXTRA
# `\begin{…}` may open only environments of mathematics.
ENVIRONMENTS = _names("aligned alignedat gathered split matrix pmatrix bmatrix Bmatrix "
                      "vmatrix Vmatrix cases array smallmatrix")

# ASCII holds every character TeX gives a special meaning (`# % ~ $ &` and the controls);
# letters beyond ASCII (ŷ, 中文 inside \text) are plain characters to TeX and pass.
_SYMBOL_CHARS = re.compile(r"[A-Za-z0-9_^{}',.()\[\]+\-*/=| \u00a0-\U0010ffff]")
_MATH_CHARS = re.compile(r"[A-Za-z0-9_^{}',.()\[\]+\-*/=| \t\n&<>!;:?\u00a0-\U0010ffff]")
# One backslash command: a word, or a single non-letter (`\,` `\{` `\\`).
_COMMAND = re.compile(r"\\([A-Za-z]+|[^A-Za-z])")
# `\,` `\;` `\!` `\:` `\ ` spacing, `\\` a new row, and escaped characters printed as such.
_MATH_SYMBOLS = _names(r", ; ! : \ { } | _ % & # $") | {" "}
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# pandoc reads `---` … `---` anywhere in a document as YAML metadata for its templates.
_FENCE = re.compile(r"^[ \t]*(-{3,}|\.{3})[ \t]*$", re.M)
# A block quote or list inside another, as a line's prefix opens them. pandoc nests its
# tree one level per container, and a few hundred levels overflow Python's recursion where
# solgen walks that tree; a sheet never needs more than a handful.
_CONTAINER = re.compile(r"[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))")
MAX_NESTING = 16
_ENV = re.compile(r"\\(?:begin|end)\s*\{([^}]*)\}")

SYMBOL_HINT = ("a latex: field holds letters, digits, _ ^ { } ' , . ( ) and commands for "
               "names: Greek letters, \\hat \\bar \\tilde \\vec \\dot \\mathbf \\mathrm "
               "\\boldsymbol \\operatorname …")
MATH_HINT = ("text holds no control characters and no '---' lines (write * * * for a rule); "
             "its $…$ math holds formulas only: letters, digits, operators and mathematical "
             "commands (\\frac, \\sum, \\alpha, \\begin{aligned} …)")


def _scan(text: str, chars: re.Pattern[str], commands: frozenset[str],
          singles: frozenset[str]) -> str:
    if "^^" in text:
        return "'^^' (TeX's character code notation) is not allowed"
    at = 0
    while at < len(text):
        if text[at] == "\\":
            m = _COMMAND.match(text, at)
            name = m.group(1) if m else ""
            if name not in (commands if name.isalpha() else singles):
                return f"'\\{name}' is not allowed"
            at += 1 + len(name)
            continue
        if not chars.match(text, at):
            return f"{text[at]!r} is not allowed"
        at += 1
    return ""


def symbol_problem(text: str) -> str:
    """Why `text` is not a valid `latex:` field, or "" when it is."""
    return _scan(text, _SYMBOL_CHARS, SYMBOL_COMMANDS, frozenset({",", " ", "!", ";"}))


def math_problem(math: str) -> str:
    """Why the body of a `$…$` span is not plain mathematics, or "" when it is."""
    found = _scan(math, _MATH_CHARS, MATH_COMMANDS, _MATH_SYMBOLS)
    if found:
        return found
    for env in _ENV.findall(math):
        if env.strip() not in ENVIRONMENTS:
            return f"environment {env!r} is not allowed"
    return ""


def prose_problem(markup: str) -> str:
    """A control character in a sentence, or the first refused piece of math (`$…$`,
    `$$…$$`, also inside bold or italic, as the LaTeX writer reads it); ""
    when there is neither."""
    control = _CONTROL.search(markup)
    if control:  # pandoc's YAML reader and XML both refuse them; no font draws them
        return f"control character U+{ord(control.group()):04X} is not allowed"
    if _FENCE.search(markup):
        return "a line of only '---' or '...' starts a metadata block in pandoc"
    if nesting(markup) > MAX_NESTING:
        return (f"block quotes or lists are nested more than {MAX_NESTING} deep "
                "(count the '>' and list markers at the start of a line)")
    pending = re.split(r"\n[ \t]*\n", markup)
    while pending:
        for run in parse(pending.pop()):
            if run.kind in ("math", "display"):
                found = math_problem(run.body)
                if found:
                    return f"in ${_short(run.body)}$: {found}"
            elif run.kind in ("bold", "em"):
                pending.append(run.body)
    return ""


def nesting(markup: str) -> int:
    """The deepest line's count of block quotes and list items opened by its prefix, with
    every two columns of indentation counted as one level (a nested list's indent)."""
    deepest = 0
    for line in markup.splitlines():
        indent = len(line) - len(line.lstrip(" \t"))
        depth, at = indent // 2, indent
        while (m := _CONTAINER.match(line, at)) and m.end() > at:
            depth, at = depth + 1, m.end()
        deepest = max(deepest, depth)
    return deepest


def _short(math: str) -> str:
    shown = " ".join(math.split())
    return shown if len(shown) <= 40 else shown[:37] + "..."


def title_problem(text: str) -> str:
    """A title is one line of sentence markup (it becomes a YAML value and a heading)."""
    return "a title is one line" if "\n" in text or "\r" in text else prose_problem(text)
