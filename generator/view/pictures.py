"""Pictures where people would rather look than read, as deterministic SVG (matplotlib).

- A gradient problem's computation graph, drawn as on the board: leaves on the left
  (parameters in orange, data in grey), one column per depth, the loss on the right, and
  the chain-rule paths from each `wrt` parameter to the loss in red.
- A `self_derivatives` problem's function and its first derivatives (up to the third),
  plotted from sympy's own derivatives of the definition.

The same drawing comes as SVG (Markdown, HTML, typst PDFs) or as vector PDF (for
xelatex, which cannot read SVG: matplotlib's own PDF backend draws the same figure, so no
SVG converter is needed). Either's bytes depend only on the problem: fixed hash salt, no
date, no producer; SVG text is drawn as paths with fonts bundled with matplotlib
(Computer Modern math, DejaVu Serif text: `SERIF`).

Problem files are untrusted (issue 20): a label reaches the drawing only as glyph
outlines. matplotlib also writes each text as an XML comment; those comments are removed,
so no text from a problem file is left in the SVG, whatever it holds. A label mathtext
cannot read is drawn as plain text (its `$` escaped).

`available()` is False without matplotlib (a dependency since pictures went into built
outputs; the API and `solgen serve` then show none).
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import sympy
from sympy import Symbol

from generator.graph.model import Graph

LEAF_ROLES = ("input", "param", "hyper")
COLOURS = {"param": "#f4a261", "input": "#d9d9d9", "hyper": "#a8dadc", "node": "#ffffff"}
PATH = "#d62828"
PLAIN = "#8d99ae"
MAX_ORDER_PLOTTED = 3
RANGES = {"exp": (-3.0, 2.0)}  # e^x and its derivatives: the rest of the axis is flat or huge
# A graph of more symbols is no picture anyone reads (and slow to lay out): none is drawn.
MAX_SYMBOLS = 150
_COMMENT = re.compile(r"<!--.*?-->\n?", re.S)
# Serif pictures in serif documents: math in Computer Modern (mathtext "cm", like the
# documents' New Computer Modern), tick numbers set as math so they match, other text in
# DejaVu Serif. All three ship inside matplotlib, so the bytes are the same on every
# machine, whatever fonts it has installed (an installed NewCM or Noto Serif CJK would
# make the pictures depend on the machine).
SERIF = {"font.family": "serif", "font.serif": ["DejaVu Serif"], "mathtext.fontset": "cm",
         "axes.formatter.use_mathtext": True}


def available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


@contextmanager
def _figure(width: float, height: float) -> Iterator[Any]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    style: Any = {"svg.hashsalt": "solgen", "svg.fonttype": "path", "font.size": 10,
                  **SERIF}
    with matplotlib.rc_context(style):
        figure = pyplot.figure(figsize=(width, height))
        try:
            yield figure
        finally:
            pyplot.close(figure)


def _save(figure: Any, fmt: str) -> Any:
    """The figure as SVG text without comments, or as PDF bytes without dates; for
    "svg+pdf", both (a tuple): laying out the labels again would double the time."""
    if "+" in fmt:
        return tuple(_save(figure, one) for one in fmt.split("+"))
    if fmt == "pdf":
        data = io.BytesIO()
        figure.savefig(data, format="pdf", bbox_inches="tight", metadata={
            "CreationDate": None, "ModDate": None, "Producer": None, "Creator": None})
        return data.getvalue()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None},
                   bbox_inches="tight")
    return _COMMENT.sub("", buffer.getvalue())


@cache  # a parse costs ~10 ms; a graph repeats its labels in each drawing
def _text(tex: str, plain: str) -> str:
    """`tex` as mathtext when matplotlib reads it, else `plain` as literal text."""
    try:  # mathtext reads most of LaTeX; a name it cannot read is shown as written
        _parser().parse(f"${tex}$")
    except ValueError:
        return plain.replace("$", r"\$")  # outside math only `$` is special
    return f"${tex}$"


def _columns(graph: Graph) -> dict[Symbol, int]:
    """Leaves in column 0; a node one right of its deepest input."""
    depth: dict[Symbol, int] = {s: 0 for s, r in graph.roles.items() if r in LEAF_ROLES}
    for node in graph.nodes:  # topological order
        inputs = [depth[d] for d in graph.deps(node) if d in depth]
        depth[node] = 1 + max(inputs, default=0)
    return depth


def _on_paths(graph: Graph, wrt: list[Symbol]) -> set[Symbol]:
    """Every symbol on a path from a `wrt` parameter to the loss."""
    reaches: set[Symbol] = set(wrt)
    for node in graph.nodes:
        if any(d in reaches for d in graph.deps(node)):
            reaches.add(node)
    feeds: set[Symbol] = {graph.loss}
    for node in reversed(list(graph.nodes)):
        if node in feeds:
            feeds.update(graph.deps(node))
    return reaches & feeds


def _rows(graph: Graph, column: dict[Symbol, int]) -> dict[Symbol, float]:
    """Vertical places: computed nodes in graph order; each leaf beside its first user."""
    width = max(column.values(), default=0)
    row: dict[Symbol, float] = {}
    for c in range(width, 0, -1):
        members = [s for s in graph.nodes if column[s] == c]
        for i, s in enumerate(members):
            row[s] = i - (len(members) - 1) / 2
    leaves = [s for s in column if column[s] == 0]
    users = {s: [row[n] for n in graph.nodes if s in graph.deps(n)] for s in leaves}
    order = sorted(leaves, key=lambda s: (sum(users[s]) / len(users[s]) if users[s] else 0,
                                          s.name))
    for i, s in enumerate(order):
        row[s] = (i - (len(order) - 1) / 2) * 0.9
    return row


@cache
def _parser() -> Any:
    from matplotlib.mathtext import MathTextParser

    return MathTextParser("path")


def _label(graph: Graph, sym: Symbol) -> str:
    return _text(graph.latex.get(sym, sym.name), str(sym.name))


def graph_svg(graph: Graph, wrt: list[Symbol], fmt: str = "svg") -> Any:
    """The computation graph with the chain-rule paths from `wrt` to the loss in red."""
    column = _columns(graph)
    row = _rows(graph, column)
    hot = _on_paths(graph, wrt)
    height = max(3.0, 0.42 * max(sum(1 for s in column if column[s] == c)
                                 for c in set(column.values())))
    with _figure(1.6 * (max(column.values()) + 1), height) as figure:
        axes = figure.add_axes((0, 0, 1, 1))
        axes.set_axis_off()
        for node in graph.nodes:
            for dep in graph.deps(node):
                if dep not in column:
                    continue
                lit = node in hot and dep in hot
                axes.plot([column[dep], column[node]], [row[dep], row[node]],
                          color=PATH if lit else PLAIN, linewidth=1.8 if lit else 0.6,
                          zorder=2 if lit else 1)
        for sym in column:
            kind = graph.roles.get(sym, "node")
            axes.text(column[sym], row[sym], _label(graph, sym), ha="center", va="center",
                      zorder=3, bbox={"boxstyle": "round,pad=0.3",
                                      "facecolor": COLOURS.get(kind, COLOURS["node"]),
                                      "edgecolor": PATH if sym in hot else PLAIN})
        axes.set_xlim(-0.5, max(column.values()) + 0.5)
        spread = max(abs(v) for v in row.values()) if row else 1
        axes.set_ylim(spread + 0.6, -spread - 0.6)
        return _save(figure, fmt)


def _point(evaluate: Any, x: float) -> float:
    """One value of a curve; NaN (a gap in the line) where it is undefined, complex or huge."""
    try:
        y = complex(evaluate(x))
    except (ArithmeticError, ValueError, TypeError):
        return math.nan
    if y.imag != 0 or not math.isfinite(y.real) or abs(y.real) >= 1e6:
        return math.nan
    return y.real


def _values(curve: sympy.Expr, variable: Symbol, xs: list[float]) -> list[float]:
    """`curve` at each x. A custom function may hold what Python's math module lacks:
    then sympy evaluates it (slower)."""
    evaluate = sympy.lambdify(variable, curve, "math")
    try:
        evaluate(xs[0])
    except NameError:
        evaluate = lambda x: curve.subs(variable, x).evalf()  # noqa: E731
    except (ArithmeticError, ValueError, TypeError):
        pass
    return [_point(evaluate, x) for x in xs]


def function_svg(definition: sympy.Expr, variable: Symbol, name: str, kind: str,
                 order: int, fmt: str = "svg") -> Any:
    """f and its derivatives f′ … up to the third, on one axis."""
    low, high = RANGES.get(kind, (-6.0, 6.0))
    xs = [low + (high - low) * i / 400 for i in range(401)]
    curves = [definition]
    for _ in range(min(order, MAX_ORDER_PLOTTED)):
        curves.append(sympy.diff(curves[-1], variable))
    with _figure(6.0, 3.6) as figure:
        axes = figure.add_subplot()
        for k, curve in enumerate(curves):
            label = _text(f"{name}" + "'" * k + f"({variable.name})",
                          f"{name}" + "'" * k + f"({variable.name})")
            axes.plot(xs, _values(curve, variable, xs), label=label, linewidth=1.4)
        axes.axhline(0, color="#999999", linewidth=0.5)
        axes.axvline(0, color="#999999", linewidth=0.5)
        axes.set_xlabel(_text(variable.name, variable.name))
        axes.legend(loc="best", frameon=False)
        return _save(figure, fmt)


def picture(item: Any) -> str | None:
    """The SVG for a solved problem (None for kinds without one, or without matplotlib)."""
    drawn = draw(item, "svg")
    return drawn if isinstance(drawn, str) else None


def _wanted(item: Any) -> Any:
    """What the problem's kind would have drawn, when matplotlib is there to draw it."""
    return wanted(item) if available() else None


def wanted(item: Any) -> Any:
    """What the problem's kind would have drawn (a GraphFigure or PlotFigure), or None."""
    from generator.solvers.kind import GraphFigure
    from generator.solvers.problem import Problem
    from generator.solvers.registry import kind

    if not isinstance(item, Problem):
        return None
    figure = kind(item.spec).figure(item.spec, item.graph)
    if isinstance(figure, GraphFigure) and len({*item.graph.roles, *item.graph.nodes}
                                               ) > MAX_SYMBOLS:
        return None
    return figure


def _drawn(item: Any, wanted: Any, fmt: str) -> Any:
    from generator.solvers.kind import GraphFigure

    if isinstance(wanted, GraphFigure):
        return graph_svg(item.graph, list(wanted.wrt), fmt)
    return function_svg(wanted.definition, wanted.variable, wanted.name, wanted.label,
                        wanted.order, fmt)


def draw(item: Any, fmt: str) -> str | bytes | None:
    """The picture of a solved problem as SVG text or PDF bytes (None: it has none)."""
    wanted = _wanted(item)
    return None if wanted is None else _drawn(item, wanted, fmt)


@dataclass(frozen=True)
class Drawing:
    """A problem's picture, drawn once for all its documents (every language, format)."""

    name: str  # the files' name without extension: <id>.picture (ids hold no dot)
    message: str  # the key of its caption in messages/<lang>.yaml
    svg: str
    pdf: bytes  # empty unless asked for (only LaTeX needs it)

    def width(self) -> int:
        """Percent of the text width: a tall graph narrower than a wide plot."""
        found = re.search(r'<svg[^>]* width="([\d.]+)pt" height="([\d.]+)pt"', self.svg)
        if not found:
            return 80
        return round(min(80.0, 60 * float(found.group(1)) / float(found.group(2))))


def drawing(item: Any, pdf: bool = False) -> Drawing | None:
    """The problem's picture as SVG (and PDF when `pdf`), or None when it has none."""
    from generator.solvers.kind import GraphFigure

    wanted = _wanted(item)
    if wanted is None:
        return None
    svg, vector = _drawn(item, wanted, "svg+pdf") if pdf else (_drawn(item, wanted, "svg"), b"")
    assert isinstance(svg, str) and isinstance(vector, bytes)
    message = "picture_graph" if isinstance(wanted, GraphFigure) else "picture_plot"
    return Drawing(f"{item.spec.id}.picture", message, svg, vector)


def key(item: Any) -> tuple[str, ...]:
    """What a picture depends on (not titles or text), to redraw only when it changes."""
    spec = getattr(item, "spec", None)
    graph = getattr(item, "graph", None)
    nodes = [f"{s}={e}" for s, e in graph.nodes.items()] if graph else []
    shown = [str(getattr(spec, name, "")) for name in ("kind", "wrt", "function", "order",
                                                       "variable")]
    return (*shown, *nodes)


def with_picture(html: str, svg: str | None) -> str:
    """An HTML document (the HTML output) with the picture right after its title block."""
    if svg is None:
        return html
    figure = f'<figure class="solgen-picture">{svg[svg.index("<svg"):]}</figure>\n'
    head, mark, rest = html.partition("</header>\n")
    return head + mark + figure + rest if mark else figure + html
