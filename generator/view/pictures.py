"""Pictures where people would rather look than read, as deterministic SVG (matplotlib).

- A gradient problem's computation graph, drawn as on the board: leaves on the left
  (parameters in orange, data in grey), one column per depth, the loss on the right, and
  the chain-rule paths from each `wrt` parameter to the loss in red.
- A `self_derivatives` problem's function and its first derivatives (up to the third),
  plotted from sympy's own derivatives of the definition.

matplotlib is optional (`pip install solgen[pictures]`): without it `picture()` returns
None and nothing else changes. The SVG's bytes depend only on the problem (fixed hash
salt, no date; text drawn as paths with matplotlib's bundled DejaVu fonts).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
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
             "mathtext.fontset": "dejavusans"}
    with matplotlib.rc_context(style):
        figure = pyplot.figure(figsize=(width, height))
        try:
            yield figure
        finally:
            pyplot.close(figure)


def _svg(figure: Any) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None},
                   bbox_inches="tight")
    return buffer.getvalue()


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
    text = graph.latex.get(sym, sym.name)
    try:  # mathtext reads most of LaTeX; a name it cannot read is shown as written
        _parser().parse(f"${text}$")
    except ValueError:
        return str(sym.name)
    return f"${text}$"


def graph_svg(graph: Graph, wrt: list[Symbol]) -> str:
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
        return _svg(figure)


def function_svg(definition: sympy.Expr, variable: Symbol, name: str, kind: str,
                 order: int) -> str:
    """f and its derivatives f′ … up to the third, on one axis."""
    low, high = RANGES.get(kind, (-6.0, 6.0))
    xs = [low + (high - low) * i / 400 for i in range(401)]
    curves = [definition]
    for _ in range(min(order, MAX_ORDER_PLOTTED)):
        curves.append(sympy.diff(curves[-1], variable))
    with _figure(6.0, 3.6) as figure:
        axes = figure.add_subplot()
        for k, curve in enumerate(curves):
            values = sympy.lambdify(variable, curve, "math")
            label = f"${name}" + "'" * k + f"({variable.name})$"
            axes.plot(xs, [float(values(x)) for x in xs], label=label, linewidth=1.4)
        axes.axhline(0, color="#999999", linewidth=0.5)
        axes.axvline(0, color="#999999", linewidth=0.5)
        axes.set_xlabel(f"${variable.name}$")
        axes.legend(loc="best", frameon=False)
        return _svg(figure)


def picture(item: Any) -> str | None:
    """The SVG for a solved problem (None for kinds without one, or without matplotlib)."""
    if not available():
        return None
    from generator.solvers.kind import GraphFigure
    from generator.solvers.problem import Problem
    from generator.solvers.registry import kind

    if not isinstance(item, Problem):
        return None
    wanted = kind(item.spec).figure(item.spec, item.graph)
    if wanted is None:
        return None
    if isinstance(wanted, GraphFigure):
        return graph_svg(item.graph, list(wanted.wrt))
    return function_svg(wanted.definition, wanted.variable, wanted.name, wanted.label,
                        wanted.order)


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
