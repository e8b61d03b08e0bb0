"""Every built-in problem as .tex, PDF (typst and xelatex), HTML and DOCX, looked at.

The tools (TeX Live, poppler, node katex, CJK fonts) are installed by
`scripts/system-deps.sh test`, which `make test` runs; without them these tests skip
locally and FAIL under CI, so CI cannot pass by skipping them.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import PROBLEMS, ROOT, SHEETS

from generator.build.outputs import outputs, prepare_all, write
from generator.formats.pdf import latexmk_command, tex_environment
from generator.theme.theme import Theme

LANGS = ["en", "zh-TW"]
IDS = [p.stem for p in PROBLEMS + SHEETS]
# Headings a zh-TW reader must find in the PDF text, per built-in problem.
ZH_HEADINGS = {"week1-sgd-step": ["模型：", "所以，由 SGD 一步更新"],
               "hw1-3-conv-w11": ["Step.1 定義模型參數", "Step.3 計算偏微分"],
               "week1": ["(1) 一步 SGD 的參數更新（只代入、不需化簡）", "(3) 課後延伸思考"]}


def need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        message = f"missing {', '.join(missing)}: run scripts/system-deps.sh test"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """output/ for every problem (md, tex, typst PDF, html, docx)."""
    problems = prepare_all(PROBLEMS + SHEETS)
    typst = tmp_path_factory.mktemp("typst")
    write(outputs(problems, typst, LANGS, ["md", "tex", "pdf", "html", "docx"], Theme()))
    return {"typst": typst}


@pytest.fixture(scope="session")
def xelatex_built(built: dict[str, Path],
                  tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """xelatex PDFs of every built .tex (slow: only the `slow` tests ask for them).

    Compiled here, once, with the command and environment `pdf.xelatex_pdf` uses, keeping
    each folder so the logs can be read; `test_same_input_same_xelatex_bytes` checks that
    `xelatex_pdf` gives the same bytes.
    """
    need("latexmk", "xelatex")
    xelatex = tmp_path_factory.mktemp("xelatex")
    logs = tmp_path_factory.mktemp("texlogs")
    for tex in sorted(built["typst"].rglob("*.tex")):
        folder = logs / tex.parent.name / tex.stem
        folder.mkdir(parents=True)
        shutil.copy(tex, folder / tex.name)
        picture = tex.with_name(f"{tex.stem}.picture.pdf")  # what the .tex includes
        if picture.exists():
            shutil.copy(picture, folder / picture.name)
        subprocess.run(latexmk_command(tex.name), cwd=folder, env=tex_environment(),
                       capture_output=True, check=False)
        pdf = folder / f"{tex.stem}.pdf"
        if pdf.exists():
            (xelatex / tex.parent.name).mkdir(exist_ok=True)
            shutil.copy(pdf, xelatex / tex.parent.name / pdf.name)
    return {"xelatex": xelatex, "logs": logs}


ENGINES = ["typst", pytest.param("xelatex", marks=pytest.mark.slow)]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def pdf_root(request: pytest.FixtureRequest, engine: str) -> Path:
    """The folder of `engine`'s PDFs of every problem (xelatex's compiled on first use)."""
    fixture = "xelatex_built" if engine == "xelatex" else "built"
    folders: dict[str, Path] = request.getfixturevalue(fixture)
    return folders[engine]


def pdfs(root: Path) -> list[Path]:
    """Every PDF document built (globbed, so variants and new kinds are covered as they
    come); not the pictures beside the .tex files (`<id>.picture.pdf`), which are figures."""
    found = sorted(p for p in root.rglob("*.pdf") if not p.name.endswith(".picture.pdf"))
    assert len(found) >= len(IDS) * len(LANGS), f"too few PDFs in {root}"
    return found


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_tex_compiles_without_missing_glyphs(built: dict[str, Path],
                                             xelatex_built: dict[str, Path],
                                             lang: str) -> None:
    sources = sorted((built["typst"] / lang).glob("*.tex"))
    assert len(sources) >= len(IDS)
    for tex in sources:
        log_file = xelatex_built["logs"] / lang / tex.stem / f"{tex.stem}.log"
        log = log_file.read_text(encoding="utf-8", errors="replace")
        assert (xelatex_built["xelatex"] / lang / f"{tex.stem}.pdf").exists(), \
            f"{tex}: {log[-3000:]}"
        assert "Missing character" not in log, tex.name
        assert "write18 enabled" not in log  # TeX Live's default: "restricted \\write18 enabled"
        assert "Overfull \\hbox" not in log, (tex.name, re.findall(r"Overfull \\hbox.*", log))


def test_page_one_is_not_blank(pdf_root: Path, engine: str, tmp_path: Path) -> None:
    need("pdftoppm", *(["latexmk"] if engine == "xelatex" else []))
    for pdf in pdfs(pdf_root):
        subprocess.run(["pdftoppm", "-gray", "-r", "40", "-f", "1", "-l", "1", str(pdf),
                        str(tmp_path / "page")], check=True)
        _, _, pixels = pgm(next(tmp_path.glob("page*.pgm")))
        ink = sum(1 for p in pixels if p < 200) / len(pixels)
        assert 0.005 < ink < 0.4, f"{pdf}: {ink:.3%} of page 1 is ink"
        for f in tmp_path.glob("page*.pgm"):
            f.unlink()


MARGIN_MM = 22  # both templates: A4 with 22 mm margins


def test_nothing_sticks_out_into_the_side_margins(pdf_root: Path, engine: str,
                                                  tmp_path: Path) -> None:
    """Overfull lines, in either engine: no ink in the left or right margin of any page."""
    need("pdftoppm", *(["latexmk"] if engine == "xelatex" else []))
    dpi = 50
    for pdf in pdfs(pdf_root):
        out = tmp_path / pdf.parent.name / pdf.stem
        out.parent.mkdir(exist_ok=True)
        subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), str(pdf), str(out)], check=True)
        for page in sorted(out.parent.glob(f"{pdf.stem}*.pgm")):
            width, height, pixels = pgm(page)
            margin = int((MARGIN_MM - 2) / 25.4 * dpi)  # 2 mm of slack for glyph overhang
            stray = [x for y in range(height) for x in (*range(margin),
                                                         *range(width - margin, width))
                     if pixels[y * width + x] < 160]
            assert not stray, f"{page.name}: ink in a side margin at x = {sorted(set(stray))}"


def pgm(path: Path) -> tuple[int, int, bytes]:
    """Width, height and pixel bytes of a binary PGM (P5) as pdftoppm -gray writes it."""
    data = path.read_bytes()
    fields = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    assert fields, f"{path} is not a binary PGM"
    width, height = int(fields.group(1)), int(fields.group(2))
    return width, height, data[fields.end():fields.end() + width * height]


def test_zh_tw_pdf_embeds_cjk_font_and_has_headings(pdf_root: Path, engine: str) -> None:
    need("pdffonts", "pdftotext", *(["latexmk"] if engine == "xelatex" else []))
    seen = set()
    for pdf in pdfs(pdf_root):
        if pdf.parent.name != "zh-TW":
            continue
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                               check=True).stdout.splitlines()[2:]
        cjk = [f for f in fonts if "CJK" in f.split()[0]]
        assert cjk and all(f.split()[-5] == "yes" for f in cjk), fonts
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        seen.add(pdf.stem.split("--")[0])
        for heading in ZH_HEADINGS.get(pdf.stem.split("--")[0], []):
            assert heading in text, f"{pdf}: no {heading!r}"
    assert set(ZH_HEADINGS) <= seen


def test_pdf_metadata_title_and_language(pdf_root: Path, engine: str) -> None:
    need("pdfinfo", *(["latexmk"] if engine == "xelatex" else []))
    pdf = pdf_root / "zh-TW" / "week1-sgd-step.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"^Title:\s+一步 SGD 的參數更新（只代入、不需化簡）$", info, re.M), info
    assert re.search(rb"/Lang\s*\((zh-TW|zh)\)", uncompressed(pdf)), "no /Lang in the PDF"


def uncompressed(pdf: Path) -> bytes:
    """The catalog's /Lang may sit in a compressed object stream: search inflated too."""
    import zlib

    data = pdf.read_bytes()
    parts = [data]
    for m in re.finditer(rb"stream\r?\n", data):
        try:
            parts.append(zlib.decompressobj().decompress(data[m.end():m.end() + 200000]))
        except zlib.error:
            continue
    return b"".join(parts)


def test_same_input_same_pdf_bytes(built: dict[str, Path], tmp_path: Path) -> None:
    problems = prepare_all(PROBLEMS[:1])
    again = outputs(problems, tmp_path, ["zh-TW"], ["pdf", "docx", "html"], Theme())
    for out in again:
        first = built["typst"] / out.path.relative_to(tmp_path)
        data = out.text.encode("utf-8") if isinstance(out.text, str) else out.text
        assert first.read_bytes() == data, f"{first} changed between two builds"


@pytest.mark.slow
def test_same_input_same_xelatex_bytes(xelatex_built: dict[str, Path], tmp_path: Path) -> None:
    problems = prepare_all(PROBLEMS[:1])
    for out in outputs(problems, tmp_path, ["zh-TW"], ["pdf"], Theme(),
                       pdf_engine="xelatex"):
        first = xelatex_built["xelatex"] / out.path.relative_to(tmp_path)
        assert first.read_bytes() == out.text, f"{first} changed between two builds"


def math_fragments(built: dict[str, Path]) -> list[dict[str, object]]:
    """Every $$…$$ and $…$ of the Markdown, every TeX annotation of the HTML."""
    found: list[dict[str, object]] = []
    for path in sorted(built["typst"].rglob("*.md")) + sorted(built["typst"].rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".html":
            # KaTeX's MathML (or pandoc's, without node): each formula keeps its TeX.
            for m in re.finditer(r'<math([^>]*)>.*?<annotation '
                                 r'encoding="application/x-tex">(.*?)</annotation>', text, re.S):
                tex = html.unescape(m.group(2))
                found.append({"tex": tex, "display": 'display="block"' in m.group(1),
                              "where": str(path)})
            continue
        body = text.split("\n---\n", 1)[1]  # after the front matter
        for m in re.finditer(r"\$\$\n(.*?)\n\$\$|\$([^$\n]+)\$", body, re.S):
            found.append({"tex": m.group(1) or m.group(2), "display": bool(m.group(1)),
                          "where": str(path)})
    return found


def test_every_math_fragment_renders_in_katex(built: dict[str, Path]) -> None:
    need("node")
    script = ROOT / "tests" / "katex_check.js"
    if not (ROOT / "node_modules" / "katex").is_dir():
        need("katex-in-node_modules")
    fragments = math_fragments(built)
    assert len(fragments) > 40 and any(f["display"] for f in fragments)
    assert sum(1 for f in fragments if str(f["where"]).endswith(".html")) > 20
    done = subprocess.run(["node", str(script)], input=json.dumps(fragments), text=True,
                          capture_output=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_katex_catches_an_ampersand_outside_aligned() -> None:
    need("node")
    if not (ROOT / "node_modules" / "katex").is_dir():
        need("katex-in-node_modules")
    seed = [{"tex": r"a &= b \\ &= c", "display": True, "where": "seed"}]
    done = subprocess.run(["node", str(ROOT / "tests" / "katex_check.js")],
                          input=json.dumps(seed), text=True, capture_output=True, cwd=ROOT,
                          check=False)
    assert done.returncode == 1 and done.stdout.startswith("seed: ")


def test_html_is_standalone_with_lang_and_mathml(built: dict[str, Path]) -> None:
    page = (built["typst"] / "zh-TW" / "hw1-3-conv-w11.html").read_text(encoding="utf-8")
    assert '<html xmlns="http://www.w3.org/1999/xhtml" lang="zh-TW"' in page
    assert "<title>HW 1-3</title>" in page and "<math" in page
    # url(#id) is a reference inside the page (the picture's clip paths); anything else
    # would be fetched.
    assert not re.search(r"<script|<link|src=|url\((?!data:|#)", page), \
        "the page must work offline"
    assert page.count('<h1 class="title">') == 1
    assert "math-style: normal" in page  # fractions in aligned rows at display size


def test_docx_has_word_equations(built: dict[str, Path]) -> None:
    with zipfile.ZipFile(built["typst"] / "en" / "hw1-3-conv-w11.docx") as docx:
        body = docx.read("word/document.xml").decode("utf-8")
        core = docx.read("docProps/core.xml").decode("utf-8")
    assert body.count("<m:oMathPara>") >= 5
    assert "Compute the partial derivatives" in body
    assert "<dc:title>HW 1-3</dc:title>" in core
