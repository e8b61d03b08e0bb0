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


# --- pictures in built outputs -------------------------------------------------------------

def _build(out: Path, *extra: str, files: tuple[Path, ...] = (HW, SIGMA)) -> dict[str, bytes]:
    from click.testing import CliRunner

    from generator.cli import main

    args = ["build", *map(str, files), "--out", str(out), "--lang", "en", *extra]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def _red_pixels(pdf: Path) -> int:
    """Pixels of page 1 in the paths' red (#d62828), at 40 dpi."""
    import io
    import shutil
    import subprocess

    import numpy as np
    from PIL import Image

    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils missing")
    png = subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf)],
                         capture_output=True, check=True).stdout
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)
    near = (abs(rgb[..., 0] - 0xD6) < 40) & (rgb[..., 1] < 90) & (rgb[..., 2] < 90)
    return int(near.sum())


def _raster_images(pdf: Path) -> list[str]:
    import subprocess

    listed = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                            check=True).stdout.splitlines()
    return listed[2:]  # after the two header lines


FORMATS = ["--format=md", "--format=tex", "--format=html", "--format=pdf"]


def test_built_sheets_show_their_pictures_in_every_format(tmp_path: Path) -> None:
    built = _build(tmp_path / "a", *FORMATS)
    svg = api.load(HW).picture()
    # Markdown: the SVG beside it, linked relatively, with the caption as alt text.
    md = built["en/hw1-3-conv-w11.md"].decode()
    assert ("\n![The computation graph: the paths of the chain rule in red.]"
            "(hw1-3-conv-w11.picture.svg)\n") in md
    assert md.index("# HW 1-3") < md.index("![") < md.index("### Step 1.")
    assert built["en/hw1-3-conv-w11.picture.svg"].decode() == svg
    assert "](week1-sigmoid-derivatives.picture.svg)" in built[
        "en/week1-sigmoid-derivatives.md"].decode()
    # LaTeX: the same figure as vector PDF beside the .tex, included by name.
    tex = built["en/hw1-3-conv-w11.tex"].decode()
    assert r"]{hw1-3-conv-w11.picture.pdf}" in tex and r"\usepackage{graphicx}" in tex
    assert built["en/hw1-3-conv-w11.picture.pdf"].startswith(b"%PDF-")
    # HTML: the SVG itself, once, right under the title, with the 13 + 11 red strokes.
    page = built["en/hw1-3-conv-w11.html"].decode()
    assert page.count("<svg") == 1 and page.count(f"stroke: {RED}") == 13 + 11
    assert page.index("</header>") < page.index('<figure class="solgen-picture"')
    assert "<figcaption>The computation graph: the paths of the chain rule in red." in page
    # typst PDF: drawn in vector (no raster image) and red where the paths are.
    assert _raster_images(tmp_path / "a" / "en" / "hw1-3-conv-w11.pdf") == []
    assert _red_pixels(tmp_path / "a" / "en" / "hw1-3-conv-w11.pdf") > 100
    # A second build gives the same bytes, every file.
    assert _build(tmp_path / "b", *FORMATS) == built


def test_no_pictures_leaves_them_out(tmp_path: Path) -> None:
    plain = _build(tmp_path / "a", *FORMATS, "--no-pictures")
    assert not [name for name in plain if ".picture." in name]
    assert "![" not in plain["en/hw1-3-conv-w11.md"].decode()
    assert "graphicx" not in plain["en/hw1-3-conv-w11.tex"].decode()
    assert "<svg" not in plain["en/hw1-3-conv-w11.html"].decode()
    assert _red_pixels(tmp_path / "a" / "en" / "hw1-3-conv-w11.pdf") == 0
    # Kinds without a picture are built as before, with or without the option.
    sgd = (ROOT / "problems" / "week1-sgd-step.yaml",)
    assert _build(tmp_path / "b", "--format=md", files=sgd) == _build(
        tmp_path / "c", "--format=md", "--no-pictures", files=sgd)


def test_pictures_are_the_same_bytes_under_another_hash_seed(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    made = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "generator", "build", str(HW), "--out",
                        str(out), "--lang", "en", "--format=md", "--format=tex"], env=env,
                       check=True, capture_output=True)
        made.append({p.name: p.read_bytes() for p in (out / "en").glob("*.picture.*")})
    assert made[0] == made[1] and set(made[0]) == {"hw1-3-conv-w11.picture.svg",
                                                   "hw1-3-conv-w11.picture.pdf"}


def test_labels_from_the_problem_reach_the_svg_only_as_outlines(tmp_path: Path) -> None:
    """issue 20: a label is drawn as glyph paths; matplotlib's comments (which hold the
    text) are removed, so no text of the problem file is in the SVG or the HTML figure."""
    text = HW.read_text(encoding="utf-8").replace('wa: {latex: "w_a"}',
                                                  r'wa: {latex: "\\mathrm{PWNEDLABEL}"}')
    text = text.replace('wb: {latex: "w_b"}', r'wb: {latex: "\\bm{PWNEDPLAIN}"}')
    assert "PWNEDLABEL" in text and "PWNEDPLAIN" in text
    source = tmp_path / "hostile.yaml"
    source.write_text(text.replace("id: hw1-3-conv-w11", "id: hostile"), encoding="utf-8")
    built = _build(tmp_path / "out", "--format=md", "--format=html", files=(source,))
    svg = built["en/hostile.picture.svg"].decode()
    assert "<!--" not in svg and "PWNED" not in svg
    page = built["en/hostile.html"].decode()
    figure = page[page.index("<figure"):page.index("</figure>")]
    assert "PWNED" not in figure and "<!--" not in figure
    assert svg != api.load(HW).picture()  # the labels were drawn, differently


def test_a_label_mathtext_cannot_read_is_plain_text_with_its_dollars_escaped() -> None:
    from generator.view.pictures import _text

    assert _text(r"\bm{q}", "q$x") == r"q\$x"
    assert _text(r"w_{11}", "w11") == "$w_{11}$"


def test_caption_escapes_for_html_and_typst() -> None:
    from generator.formats.picture_blocks import html_block, typst_block, typst_string
    from generator.view.pictures import Drawing

    drawing = Drawing("x.picture", "picture_graph", '<?xml version="1.0"?>\n<svg width="10pt" '
                      'height="20pt"></svg>\n', b"")
    caption = '"]) #read("/etc/passwd") <script>\\'
    block = html_block(drawing, caption)["c"]
    assert block[0] == "html" and "<?xml" not in block[1]
    assert "&lt;script&gt;" in block[1] and "<script>" not in block[1]
    raw = typst_block(drawing, caption)["c"][1]
    assert raw.endswith(r'caption: [#"\"]) #read(\"/etc/passwd\") <script>\\"])')
    assert "width: 30%" in raw  # a tall picture: 60 % × 10/20
    assert typst_string("a\nb\x01") == r'"a\nb\u{1}"'


def test_a_custom_function_undefined_on_part_of_the_axis_still_plots() -> None:
    from generator.view.pictures import function_svg

    x = sympy.Symbol("x")
    svg = function_svg(sympy.log(x) + 1 / x, x, "f", "custom", 2)
    assert isinstance(svg, str) and svg.count("<g id=\"line2d_") >= 3


@pytest.mark.slow
def test_xelatex_pdf_includes_the_vector_picture(tmp_path: Path) -> None:
    import shutil

    if shutil.which("latexmk") is None:
        pytest.skip("TeX Live missing")
    _build(tmp_path / "x", "--format=pdf", "--pdf-engine=xelatex", files=(HW,))
    pdf = tmp_path / "x" / "en" / "hw1-3-conv-w11.pdf"
    assert _raster_images(pdf) == [] and _red_pixels(pdf) > 100
    _build(tmp_path / "y", "--format=pdf", "--pdf-engine=xelatex", "--no-pictures", files=(HW,))
    assert _red_pixels(tmp_path / "y" / "en" / "hw1-3-conv-w11.pdf") == 0


def test_curve_values_leave_gaps_where_the_function_is_undefined_or_complex() -> None:
    import math

    import mpmath

    from generator.view.pictures import _values

    x = sympy.Symbol("x")
    # LambertW is not in Python's math module (sympy evaluates it); below -1/e it is complex.
    lambert = _values(sympy.LambertW(x), x, [-0.5, 0.0, 0.5, 2.0])
    assert math.isnan(lambert[0]) and lambert[1] == 0
    for value, at in zip(lambert[2:], (0.5, 2.0), strict=True):
        assert abs(value - float(mpmath.lambertw(at).real)) < 1e-12
    logs = _values(sympy.log(x) + 1 / x, x, [-1.0, 0.0, 2.0])
    assert math.isnan(logs[0]) and math.isnan(logs[1])
    assert abs(logs[2] - (math.log(2) + 0.5)) < 1e-15
