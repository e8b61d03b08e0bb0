"""The PDF engines' failures: a broken .tex, a hardened TeX, a missing CJK font."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator.errors import PdfError, SolgenError, ToolMissing
from generator.formats import fonts
from generator.formats.pdf import xelatex_pdf
from generator.theme.theme import Theme


def need_tex() -> None:
    if shutil.which("latexmk") is None or shutil.which("xelatex") is None:
        if os.environ.get("CI"):
            pytest.fail("missing latexmk/xelatex: run scripts/system-deps.sh test")
        pytest.skip("missing latexmk/xelatex")


def test_failed_compile_shows_first_error_and_tex_path() -> None:
    need_tex()
    tex = "\\documentclass{article}\n\\begin{document}\nok\n\\nosuchmacro\n\\end{document}\n"
    with pytest.raises(PdfError) as info:
        xelatex_pdf(tex, "broken")
    message = info.value.render()
    first = message.splitlines()[0]
    assert first.startswith("/") and first.endswith("broken.tex: xelatex failed")
    assert Path(first.split(": ")[0]).read_text(encoding="utf-8") == tex
    assert "Undefined control sequence" in message and "\\nosuchmacro" in message
    assert len(message.splitlines()) <= 14  # the first error lines, not the whole log
    shutil.rmtree(Path(first.split(": ")[0]).parent)


def test_shell_escape_is_off_and_files_outside_stay_unwritten(tmp_path: Path) -> None:
    need_tex()
    target = tmp_path / "pwned"
    tex = ("\\documentclass{article}\n\\begin{document}\n"
           f"\\immediate\\write18{{touch {target}}}\n"
           "\\newwrite\\out\\immediate\\openout\\out=" + str(tmp_path / "written.txt") + "\n"
           "\\immediate\\write\\out{x}\\immediate\\closeout\\out\nok\n\\end{document}\n")
    with pytest.raises(PdfError, match="I can't write on file") as info:
        xelatex_pdf(tex, "hostile")
    shutil.rmtree(Path(info.value.render().split(": ")[0]).parent)
    assert not target.exists()
    assert not (tmp_path / "written.txt").exists()


def test_missing_cjk_font_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "_fc_file", lambda family: None)
    monkeypatch.setattr(fonts, "_known_file", lambda family: None)
    fonts.cjk_font_dirs.cache_clear()
    try:
        with pytest.raises(ToolMissing, match="apt-get install fonts-noto-cjk"):
            fonts.cjk_font_dirs()
    finally:
        fonts.cjk_font_dirs.cache_clear()


def test_typst_font_warning_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.formats import pdf

    monkeypatch.setitem(pdf.TYPST_FONTS, "en", (["No Such Font"], ["No Such Font"]))
    with pytest.raises(PdfError, match="typst warned: unknown font family: no such font"):
        pdf.typst_pdf("# Title\n\ntext\n", "en", Theme())


def test_pandoc_server_refusal_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """pandoc-server.cgi's timeout answers 503 with an empty body: the status is the message
    (it was once an empty "pandoc failed (--to=typst): " on a busy machine)."""
    from generator.formats import pandoc

    monkeypatch.setattr(pandoc, "SERVER_SECONDS", "0")
    with pytest.raises(SolgenError, match=r"^pandoc failed \(--to=typst\): Status: 503 "
                                          r"Service Unavailable$"):
        pandoc.typst_many([("# hi", ["Noto Serif CJK TC"], ["Noto Sans CJK TC"])], Theme())
