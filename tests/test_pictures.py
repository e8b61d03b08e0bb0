"""Pictures: HW 1-3's computation graph with the four chain-rule paths to w11 in red, the
Week 1 σ sheet's σ, σ′, σ″, σ‴; same bytes every time; shown by the API and `solgen serve`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sympy
from conftest import ROOT

from generator import api
from generator.preview import Preview
from generator.view.pictures import _on_paths

pytest.importorskip("matplotlib")

HW = ROOT / "problems" / "hw1-3-conv-w11.yaml"
SIGMA = ROOT / "problems" / "week1-sigmoid-derivatives.yaml"
RED = "#d62828"


def test_the_paths_to_w11_are_the_nodes_whose_value_depends_on_it() -> None:
    worked = api.load(HW)
    graph = worked.item.graph
    w11 = graph.names["w11"]
    hot = _on_paths(graph, [w11])
    # Independently: a node is on a path from w11 to the loss when its inlined value
    # contains w11 and the loss changes with it (sympy's derivative is not zero).
    loss = graph.inline(graph.loss)
    expected = {w11}
    for node in graph.nodes:
        stand_in = sympy.Symbol("stand_in")
        through = graph.inline_above(graph.loss, node).subs(node, stand_in)
        if w11 in graph.inline(node).free_symbols and sympy.diff(through, stand_in) != 0:
            expected.add(node)
    assert hot == expected
    assert {s.name for s in hot} == {"w11", "z00", "z01", "z10", "z11", "o00", "o01", "o10",
                                     "o11", "yhat", "MSE"}
    assert w11 in loss.free_symbols


def test_graph_svg_draws_every_path_edge_in_red_and_is_deterministic() -> None:
    worked = api.load(HW)
    svg = worked.picture()
    assert svg is not None and svg.startswith("<?xml") and "<svg" in svg
    assert svg == api.load(HW).picture()  # byte for byte
    assert not re.search(r"\d{4}-\d\d-\d\dT", svg)  # no date
    # 13 red edges (w11 → 4 z, 4 z → o, 4 o → ŷ, ŷ → MSE) and 11 red-bordered nodes.
    assert svg.count(f"stroke: {RED}") == 13 + 11


def test_sigmoid_sheet_plots_f_and_three_derivatives() -> None:
    svg = api.load(SIGMA).picture()
    assert svg is not None and svg == api.load(SIGMA).picture()
    curves = re.findall(r'<g id="line2d_\d+">\s*<path d="([^"]+)"', svg)
    long = [c for c in curves if c.count("L ") >= 20]  # curves, not axis or tick lines
    assert len(long) == 4  # σ, σ′, σ″, σ‴


def test_kinds_without_a_picture_and_where_pictures_show() -> None:
    sgd = api.load(ROOT / "problems" / "week1-sgd-step.yaml")
    # (KaTeX draws tall brackets as inline SVG: look for the picture's figure, not <svg.)
    assert sgd.picture() is None and "solgen-picture" not in sgd._repr_html_()
    html = api.load(SIGMA)._repr_html_()
    assert html.index("</header>") < html.index('<figure class="solgen-picture"><svg')


def test_serve_pages_carry_the_picture(tmp_path: Path) -> None:
    (tmp_path / SIGMA.name).write_text(SIGMA.read_text(encoding="utf-8"), encoding="utf-8")
    preview = Preview((tmp_path,))
    preview.refresh()
    entry = next(iter(preview.entries.values()))
    assert all('<figure class="solgen-picture"><svg' in page for page in entry.pages.values())


@pytest.mark.parametrize("name", ["minibatch-sgd", "week1-discussion", "week1-sgd-step"])
def test_picture_key_of_every_kind_is_hashable(name: str) -> None:
    from generator.view.pictures import key

    worked = api.load(ROOT / "problems" / f"{name}.yaml")
    assert hash(key(worked.item)) == hash(key(worked.item))


def test_picture_key_ignores_titles_but_not_the_graph() -> None:
    from generator.view.pictures import key

    text = HW.read_text(encoding="utf-8")
    assert 'en: "HW 1-3"}' in text and "fn: sigma" in text
    mark = key(api.loads(text).item)
    assert key(api.loads(text.replace('en: "HW 1-3"}', 'en: "Another"}')).item) == mark
    assert key(api.loads(text.replace("fn: sigma", "fn: tanh")).item) != mark
