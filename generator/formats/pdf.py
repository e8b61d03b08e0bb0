"""PDF engines: typst (embedded, the default: no TeX needed) and xelatex (latexmk).

typst compiles with an empty folder of solgen's own as its root and package folders, and
with the network pointed nowhere, so a document can read no file and download no package.

typst reads the typst source pandoc makes from solgen's Markdown; xelatex compiles
solgen's own .tex. Both give byte-identical PDFs for the same input: typst gets a fixed
timestamp, xelatex a fixed SOURCE_DATE_EPOCH. TeX runs hardened: no shell escape, and
openin_any/openout_any=p so a document cannot read or write outside its folder.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.errors import PdfError, ToolMissing
from generator.formats import child
from generator.formats.fonts import cjk_font_dirs
from generator.formats.typst_math import polish
from generator.theme.theme import Theme

if TYPE_CHECKING:  # the typst child imports this module: no sympy for it (view/pictures)
    from generator.view.pictures import Drawing

Shown = tuple["Drawing", str]  # a picture and its caption in the document's language

ENGINES = ("auto", "typst", "xelatex")
EPOCH = 0  # the date written into every PDF (1970-01-01): no build date, same bytes
# Latin face first, so CJK falls back glyph by glyph; typst ships New Computer Modern and
# its math face, one family (issue 15); headings are the same serif faces, bold.
TYPST_FONTS = {"zh-TW": (["New Computer Modern", "Noto Serif CJK TC"],
                         ["New Computer Modern", "Noto Serif CJK TC"]),
               "en": (["New Computer Modern"], ["New Computer Modern"])}
TEX_ERROR_LINES = 12


def compile_pdf(markdown: str, tex: str, lang: str, engine: str, name: str, theme: Theme,
                class_file: bool = False, picture: Shown | None = None) -> bytes:
    """The PDF of one document; `name` is used for the files xelatex leaves on failure,
    `theme` gives typst's template; a class file starts each student on a new page.
    `picture` (drawing, caption): typst sets its SVG; xelatex includes its PDF, which
    the .tex names (`tex` was rendered with the picture's name)."""
    if engine in ("auto", "typst"):
        return typst_pdfs([markdown], lang, theme, [class_file], [picture])[0]
    if engine == "xelatex":
        if lang == "zh-TW":
            cjk_font_dirs()  # xeCJK's own error for a missing font names no package
        files = {} if picture is None else {f"{picture[0].name}.pdf": picture[0].pdf}
        return xelatex_pdf(tex, name, theme.seconds, files)
    raise PdfError(f"unknown PDF engine {engine!r}; choose one of {', '.join(ENGINES)}")


def typst_pdf(markdown: str, lang: str, theme: Theme) -> bytes:
    return typst_pdfs([markdown], lang, theme)[0]


def typst_pdfs(markdowns: list[str], lang: str, theme: Theme,
               class_files: list[bool] | None = None,
               pictures: list[Shown | None] | None = None) -> list[bytes]:
    """PDFs of many documents: one pandoc run converts them all, one compiler sets them
    (or `compilers()` of them, side by side)."""
    from generator.formats import pandoc
    from generator.formats.picture_blocks import typst_block

    fonts, heading = TYPST_FONTS.get(lang, TYPST_FONTS["en"])
    blocks = [None if p is None else typst_block(*p) for p in pictures or [None] * len(markdowns)]
    sources = pandoc.typst_many([(m, fonts, heading) for m in markdowns], theme, class_files,
                                blocks)
    font_dirs = cjk_font_dirs() if lang == "zh-TW" else ()
    jobs = [(polish(binary_continuations(s)), font_dirs, theme.seconds, pandoc.title(m))
            for s, m in zip(sources, markdowns, strict=True)]
    side = min(_compilers, len(jobs))
    if side <= 1:
        return [typst_compile(*job) for job in jobs]
    from generator.formats.typst_child import warm as start

    for number in range(side):
        start(font_dirs, number)  # owned by this thread, not by the pool's, which ends
    with ThreadPoolExecutor(side, thread_name_prefix="solgen-typst") as pool:
        return list(pool.map(lambda at: typst_compile(*jobs[at], at % side),
                             range(len(jobs))))


_compilers = 1


def compilers(count: int) -> None:
    """How many typst compilers a class's PDFs are shared among (`--jobs`; 1 by default):
    each is a child process with its own fonts and memo, so this costs their start-ups
    (≈ 0.1 s each) and some layout memoised twice, for the wall time of a class."""
    global _compilers
    _compilers = max(1, count)


def warm(langs: list[str], engine: str) -> None:
    """Start the typst compilers a build of PDFs in `langs` will use (formats/typst_child.py):
    they load their fonts while the build solves. A missing font is reported by the
    compile that needs it, not here."""
    from generator.formats.typst_child import warm as start

    if engine not in ("auto", "typst"):
        return
    for lang in dict.fromkeys(langs):
        try:
            start(cjk_font_dirs() if lang == "zh-TW" else ())
        except (ToolMissing, OSError):
            return


def typst_compile(source: str, font_dirs: tuple[str, ...], seconds: float,
                  where: str | None = None, number: int = 0) -> bytes:
    """The PDF of a typst source, compiled in a child process under the run's time limit
    (issue 22: a runaway or crashing compile is a PdfError naming `where`,
    formats/typst_child.py)."""
    from generator.formats.typst_child import compile_pdf

    return compile_pdf(source.encode("utf-8"), font_dirs, seconds, where, number)


@cache
def compiler(font_dirs: tuple[str, ...]) -> Any:
    """One typst compiler per set of font folders, kept for the process (typst_child's).

    `typst.compile` loads and indexes every font anew (the Noto CJK files are ~100 MB):
    ~0.3 s of a zh-TW PDF. A kept Compiler has them loaded already and compiles a page
    in ~20 ms; its PDFs are byte-identical to `typst.compile`'s (the input is passed
    per call, the timestamp is fixed).
    """
    import typst

    # The stub binds `input` and `font_paths` to one TypeVar (bytes vs str): build untyped.
    engine: Any = typst
    # issue 20: the project root (all `read`/`image`/`include` can reach) and the package
    # folders are an empty folder of solgen's own, not the working directory.
    root = empty_root()
    return engine.Compiler(font_paths=list(font_dirs), ignore_system_fonts=True, root=root,
                           package_path=root, package_cache_path=root)


@cache
def empty_root() -> str:
    """A private, empty folder (mode 0700) for the typst compiler's root; removed at exit."""
    root = tempfile.mkdtemp(prefix="solgen-typst-")
    atexit.register(shutil.rmtree, root, True)
    return root


# A proxy nobody listens on: typst would download `@preview` packages through it, and the
# connection is refused on this machine instead of reaching the network.
_NO_NETWORK = {name: "http://127.0.0.1:9" for name in (
    "http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")}


@contextmanager
def offline() -> Iterator[None]:
    """typst reads its proxy from the environment when it would download: point it nowhere."""
    saved = {k: os.environ.get(k) for k in [*_NO_NETWORK, "no_proxy", "NO_PROXY"]}
    os.environ.update(_NO_NETWORK)
    os.environ.pop("no_proxy", None)
    os.environ.pop("NO_PROXY", None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# A continued sum row, `&\qquad + t` in TeX, is `& #h(2em) + t` in typst, where a `+`
# after spacing is unary (no space around it); an empty text before it makes it binary,
# as amsmath's `{}` does in TeX.
_CONTINUATION = re.compile(r"(& #h\([^)]*\))\s+([+-]) ")


def binary_continuations(source: str) -> str:
    return _CONTINUATION.sub(r'\1 "" \2 ', source)


def latexmk_command(tex_name: str) -> list[str]:
    # latexmk starts xelatex and xdvipdfmx itself; through `setpriv --pdeathsig` (when
    # present) they too die with latexmk, which dies with solgen (formats/child.py).
    guard = " ".join(child.command([]))
    tools = [f"-xelatex={guard} xelatex %O %S",
             "-e", f"$xdvipdfmx = '{guard} xdvipdfmx -E -o %D %O %S'"] if guard else []
    return ["latexmk", "-xelatex", *tools, "-interaction=nonstopmode", "-halt-on-error",
            "-file-line-error", "-no-shell-escape", "-quiet", tex_name]


def tex_environment() -> dict[str, str]:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", str(EPOCH))
    return {**os.environ, "openin_any": "p", "openout_any": "p", "shell_escape": "f",
            "SOURCE_DATE_EPOCH": epoch, "FORCE_SOURCE_DATE": "1"}


def xelatex_pdf(tex: str, name: str, seconds: float = 300.0,
                files: dict[str, bytes] | None = None) -> bytes:
    """Compile in a fresh folder (with `files` beside the .tex, as the build writes them
    beside it); on failure keep it and report the .tex and first errors.
    latexmk and the xelatex runs it starts are one process group, killed together after
    `seconds` (the run's --time-limit; 0: no limit)."""
    if shutil.which("latexmk") is None or shutil.which("xelatex") is None:
        raise ToolMissing("the xelatex engine needs TeX Live",
                          hint="apt-get install texlive-xetex texlive-lang-chinese latexmk, "
                          "or use --pdf-engine typst")
    folder = Path(tempfile.mkdtemp(prefix="solgen-tex-"))
    source = folder / f"{name}.tex"
    source.write_text(tex, encoding="utf-8")
    for file_name, data in (files or {}).items():
        (folder / file_name).write_bytes(data)
    try:
        done = child.run(latexmk_command(source.name), None, seconds=seconds, cwd=folder,
                         env=tex_environment(), group=True)
    except child.Overtime as late:
        raise PdfError(f"xelatex {late}", where=str(source),
                       hint="a TeX loop, or a very long document: look at the .tex, or "
                       "raise the budget with --time-limit SECONDS") from None
    pdf = folder / f"{name}.pdf"
    if done.returncode != 0 or not pdf.exists():
        raise PdfError(f"{source}: xelatex failed\n{first_errors(folder / f'{name}.log')}")
    data = pdf.read_bytes()
    shutil.rmtree(folder, ignore_errors=True)
    return data


def first_errors(log: Path) -> str:
    """The first `!` error of a TeX log (or file:line:error), with the lines after it."""
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return f"  (no log at {log})"
    for i, line in enumerate(lines):
        if line.startswith("!") or ":error:" in line or ": ==> Fatal error" in line or (
                line.count(":") >= 2 and line.split(":")[1].isdigit()):
            return "\n".join("  " + s for s in lines[i:i + TEX_ERROR_LINES])
    return "\n".join("  " + s for s in lines[-TEX_ERROR_LINES:])

