"""Issue 15: HTML formulas typeset by KaTeX on the server, fonts inside the page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from generator.errors import SolgenError
from generator.formats import katex, katex_inline, pandoc
from generator.theme.theme import Theme

pytestmark = pytest.mark.skipif(not katex.available(),
                                reason="node and node_modules/katex missing: npm ci")


def _page(body: str) -> str:
    return pandoc.html(f"---\ntitle: T\nlang: en\n---\n\n{body}\n", Theme())


def _faces(page: str) -> set[tuple[str, str, str]]:
    return set(re.findall(r'font-family:"?(KaTeX_\w+)"?;font-style:(\w+);font-weight:(\d+);'
                          r"src:url\(data:font/woff2;base64,", page))


def test_a_page_embeds_the_faces_it_shows_and_no_others() -> None:
    plain = _page("Text $x + 1$.")
    assert _faces(plain) == {("KaTeX_Main", "normal", "400"), ("KaTeX_Math", "italic", "400")}
    bold = _page(r"Text $\mathbf{x} + \left(\frac{1}{2}\right)$.")
    assert ("KaTeX_Main", "normal", "700") in _faces(bold)
    assert ("KaTeX_Main", "italic", "700") not in _faces(bold)
    assert any(f[0].startswith("KaTeX_Size") for f in _faces(bold))  # the tall parentheses
    for page in (plain, bold):
        assert "url(fonts/" not in page and "<script" not in page
        assert '<span class="katex">' in page and "<annotation encoding=\"application/x-tex\">" \
            in page  # HTML for the eye, MathML with the TeX for screen readers


def test_each_formula_is_typeset_once_and_the_same_in_a_batch() -> None:
    docs = [f"---\ntitle: D{i}\nlang: en\n---\n\n$$\na_{{{i}}} = \\sigma(z)\n$$\n"
            for i in range(3)]
    assert pandoc.html_many(docs, Theme()) == [pandoc.html(d, Theme()) for d in docs]


def test_math_katex_rejects_is_an_error_naming_it() -> None:
    with pytest.raises(SolgenError, match=r"KaTeX cannot typeset '\\\\nosuchcommand x'"):
        _page(r"Text $\nosuchcommand x$.")


GIVENS = (r"a = \begin{bmatrix} 1 & 0 \\ 2 & 1 \end{bmatrix},\quad y = 1,\quad w_a = 1,"
          r"\quad w_d = \frac{3}{2}")


def test_inline_math_is_cut_only_at_top_level_comma_quads() -> None:
    assert katex_inline.pieces(GIVENS) == [
        r"a = \begin{bmatrix} 1 & 0 \\ 2 & 1 \end{bmatrix},", "y = 1,", "w_a = 1,",
        r"w_d = \frac{3}{2}"]
    assert katex_inline.pieces(r"\left( a,\quad b\right),\quad c") == [
        r"\left( a,\quad b\right),", "c"]
    assert katex_inline.pieces(r"x_{a,\quad b} \leftarrow c,\quad d") == [
        r"x_{a,\quad b} \leftarrow c,", "d"]
    assert katex_inline.pieces(r"o_{00}, o_{01}") == [r"o_{00}, o_{01}"]
    assert katex_inline.visible(r"w_d = \frac{3}{2}") == 5  # w d = 3 2
    assert katex_inline.visible(r"\begin{bmatrix} 1 & -1 \\ 0 & 2 \end{bmatrix}") == 4


def test_short_inline_pieces_never_break_and_long_ones_keep_katexs_breaks() -> None:
    long = " + ".join(f"a_{{{i}}} b_{{{i}}}" for i in range(1, 9))
    page = _page(f"Given: ${GIVENS}$. Sum: ${long}$.")
    kept = re.findall(r'<span class="solgen-nobreak"><span class="katex">.*?'
                      r'<annotation encoding="application/x-tex">(.*?)</annotation>', page)
    assert kept == [r"a = \begin{bmatrix} 1 &amp; 0 \\ 2 &amp; 1 \end{bmatrix},", "y = 1,",
                    "w_a = 1,", r"w_d = \frac{3}{2}"]
    assert page.count("solgen-nobreak") == 4 + 1  # and its rule in the page's style
    assert f'<annotation encoding="application/x-tex">{long}</annotation>' in page
    assert "\u2003" in page  # the pieces are joined by a breakable em space (\quad)



class _Outline(HTMLParser):
    """A page's body with each KaTeX formula as [its TeX] and only solgen's own spans
    left as <keep>…</keep> and <nobreak>…</nobreak>: the structure the tests read."""

    def __init__(self) -> None:
        super().__init__()
        self.out: list[str] = []
        self.stack: list[str] = []  # what each open span closes with
        self.formula = 0  # depth inside a .katex span
        self.tex: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        cls = dict(attrs).get("class") or ""
        if self.formula:
            self.formula += tag == "span"
            self.tex = "" if tag == "annotation" else self.tex
            return
        if tag == "span" and cls == "katex":
            self.formula = 1
            return
        name = {"solgen-keep": "keep", "solgen-nobreak": "nobreak"}.get(cls)
        if tag == "span":
            self.stack.append(f"</{name}>" if name else "")
            self.out.append(f"<{name}>" if name else "")

    def handle_endtag(self, tag: str) -> None:
        if self.formula:
            if tag == "annotation":
                self.out.append(f"[{self.tex}]")
                self.tex = None
            self.formula -= tag == "span"
            return
        if tag == "span":
            self.out.append(self.stack.pop())

    def handle_data(self, data: str) -> None:
        if self.formula:
            self.tex = None if self.tex is None else self.tex + data
        else:
            self.out.append(data)


def _outline(page: str) -> str:
    reader = _Outline()
    reader.feed(page[page.index("<body"):])
    return "\n".join(line for line in "".join(reader.out).splitlines() if line.strip())


def test_punctuation_beside_inline_math_is_kept_with_it() -> None:
    """"(" before a formula and ")", "," or "（…）" after it are held with the formula,
    and with the first or last piece of a list of givens only, so it still breaks
    between the givens; a formula between spaces is left as it was."""
    page = _page(r"Sample 3 ($x_1 = 2,\quad y = 1$), then $z$, and （$w$）. Text $a$ b.")
    assert _outline(page) == ("T\nSample 3 <keep>(<nobreak>[x_1 = 2,]</nobreak></keep>\u2003"
            "<keep><nobreak>[y = 1]</nobreak>),</keep> then <keep><nobreak>[z]</nobreak>,"
            "</keep> and <keep>（<nobreak>[w]</nobreak>）.</keep> Text <nobreak>[a]</nobreak>"
            " b.")
    long = " + ".join(f"a_{{{i}}}" for i in range(1, 16))
    assert _outline(_page(f"Sum (${long}$).")) == f"T\nSum <keep>([{long}]).</keep>"
