"""Which letter runs of a submission are one name.

In TeX `yy` is y·y, and `ss'` must stay s·s′; but people also type `yy`, `wa` and `MSE` as
names. A run of two letters is one name only where the text itself treats it as one: it
stands alone left of `=` (`MSE = …`), follows `\\partial` (`∂oii/∂zii`), or is a name the
problem file declares. `h(x_1, x_2) = …` on the left makes `h` a function of the text.
"""

from __future__ import annotations

from dataclasses import replace

import sympy

from generator.algebra.latex_names import Vocabulary
from generator.review.chains import Statement


def prescan(found: list[Statement], vocabulary: Vocabulary) -> Vocabulary:
    words: set[str] = set()
    functions: dict[str, object] = {}
    for st in found:
        first = st.parts[0]
        if first is not None:
            toks = first.tokens
            if len(toks) == 1 and toks[0].kind == "word":
                words.add(toks[0].text)
            if (len(toks) >= 4 and toks[0].kind == "word" and toks[1].text == "("
                    and toks[-1].text == ")" and any(t.text == "," for t in toks)
                    and len(toks[0].text) == 1):
                functions[toks[0].text] = sympy.Function(toks[0].text)
        for part in st.parts:
            if part is None:
                continue
            for a, b in zip(part.tokens, part.tokens[1:], strict=False):
                if a.text == r"\partial" and b.kind == "word" and len(b.text) > 1:
                    words.add(b.text)
    words = {w for w in words if len(w.rstrip("0123456789")) > 1}
    return replace(vocabulary, words=vocabulary.words | frozenset(words),
                   functions={**functions, **vocabulary.functions})
