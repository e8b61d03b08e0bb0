"""A problem's picture kept on disk, so a rebuild of a class does not draw it again (issue 16).

Drawing HW 1-3's computation graph costs ≈ 1.2 s of a class build (importing pyplot,
matplotlib's mathtext for each label, writing the SVG): ≈ 20 ms of each of the class's 61
PDFs. The drawing depends on the solved problem and solgen's own code only (matplotlib's
output is made deterministic in view/pictures.py), so it is kept beside the solved
problems (build/solved.py: the user's private cache folder; SOLGEN_CACHE_DIR=off turns
both off), named by a hash of solgen's code and of what the drawing is made from (`_key`).
It is stored as JSON, not a pickle: reading it back runs no code. A file that cannot be
read back is ignored and written again.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from importlib import metadata
from typing import Any

import sympy

from generator.build import solved
from generator.build.cache import code_digest
from generator.view.pictures import Drawing


def kept(problem: Any, vector: bool, draw: Callable[[], Drawing | None]) -> Drawing | None:
    """The problem's drawing as `draw()` makes it, from the cache when it holds it."""
    place = solved.folder()
    name = _key(problem, vector) if place is not None else None
    if place is None or name is None:
        return draw()
    file = place / f"{name}.drawing.json"
    try:
        return _loaded(file.read_bytes())
    except Exception:  # missing, cut short, or not ours: draw again
        pass
    made = draw()
    if made is not None:
        try:
            with tempfile.NamedTemporaryFile(dir=place, delete=False, suffix=".tmp") as tmp:
                tmp.write(_dumped(made))
            os.replace(tmp.name, file)
        except OSError:  # a cache that cannot be written only costs the next build a drawing
            pass
    return made


def _key(problem: Any, vector: bool) -> str | None:
    """Names the drawing by all view/pictures.py reads to draw it: the figure the kind
    asks for, the graph's nodes, roles, labels and loss, the problem's id, and solgen's
    code and matplotlib's version. Expressions are written with `srepr`, which does not
    depend on Python's string hashing (a pickle of the problem does)."""
    from generator.view.pictures import wanted

    figure, graph = wanted(problem), getattr(problem, "graph", None)
    if figure is None or graph is None or not is_dataclass(figure):
        return None
    parts = [code_digest(), str(vector), _version(), str(problem.spec.id),
             type(figure).__name__, *(_shown(getattr(figure, f.name)) for f in fields(figure)),
             _shown(list(graph.roles.items())), _shown(list(graph.nodes.items())),
             _shown(list(graph.latex.items())), _shown(graph.loss)]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _shown(value: Any) -> str:
    if isinstance(value, sympy.Basic):
        return str(sympy.srepr(value))
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(_shown(v) for v in value) + ")"
    return repr(value)


def _version() -> str:
    try:
        return metadata.version("matplotlib")
    except metadata.PackageNotFoundError:
        return "none"


def _dumped(drawing: Drawing) -> bytes:
    return json.dumps({"name": drawing.name, "message": drawing.message, "svg": drawing.svg,
                       "pdf": base64.b64encode(drawing.pdf).decode("ascii")},
                      ensure_ascii=False).encode("utf-8")


def _loaded(data: bytes) -> Drawing:
    fields = json.loads(data)
    return Drawing(str(fields["name"]), str(fields["message"]), str(fields["svg"]),
                   base64.b64decode(fields["pdf"], validate=True))
