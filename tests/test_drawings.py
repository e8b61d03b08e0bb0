"""Issue 16, fifth pass: a problem's picture is kept on disk (build/drawings.py), named by
what it is drawn from whatever Python's hash seed; the typst child starts without sympy."""

from __future__ import annotations

import copy
import os
import subprocess
import sys

import pytest
from conftest import ROOT

from generator import api
from generator.build import drawings, solved
from generator.build.picture_files import problem_drawing
from generator.view import pictures

pytest.importorskip("matplotlib")

HW = ROOT / "problems" / "hw1-3-conv-w11.yaml"


def test_a_drawing_is_drawn_once_and_read_back_equal(monkeypatch: pytest.MonkeyPatch) -> None:
    item = api.load(HW).item
    first = problem_drawing(item, ["pdf"], "typst")
    assert first is not None and first == pictures.drawing(item)
    kept = list(solved.folder().glob("*.drawing.json"))  # type: ignore[union-attr]
    assert len(kept) == 1

    def refuse(*_: object) -> None:
        raise AssertionError("drawn again")

    with monkeypatch.context() as patch:
        patch.setattr(pictures, "drawing", refuse)
        assert problem_drawing(item, ["pdf"], "typst") == first
    kept[0].write_bytes(b"{not json")  # a broken file is drawn again and replaced
    assert problem_drawing(item, ["pdf"], "typst") == first
    assert kept[0].read_bytes().startswith(b'{"name": "hw1-3-conv-w11.picture"')


def test_the_vector_picture_is_kept_apart() -> None:
    item = api.load(HW).item
    plain = problem_drawing(item, ["pdf"], "typst")
    vector = problem_drawing(item, ["tex"], "typst")
    assert plain is not None and vector is not None
    assert plain.pdf == b"" and vector.pdf.startswith(b"%PDF")
    assert problem_drawing(item, ["tex"], "typst") == vector


def test_the_name_follows_the_graph_and_not_the_hash_seed() -> None:
    item = api.load(HW).item
    named = drawings._key(item, False)
    script = ("from generator import api; from generator.build import drawings; "
              f"print(drawings._key(api.load({str(HW)!r}).item, False))")
    for seed in ("1", "2"):
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}, check=True,
                              timeout=120)
        assert done.stdout.strip() == named
    relabelled = copy.deepcopy(item)
    w11 = relabelled.graph.names["w11"]
    relabelled.graph.latex[w11] = "W_{11}"
    assert drawings._key(relabelled, False) not in (named, None)
    assert drawings._key(item, True) != named


def test_the_typst_child_imports_no_sympy() -> None:
    script = ("import sys, generator.formats.typst_server, generator.formats.pdf; "
              "print('sympy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, timeout=60)
    assert done.stdout.strip() == "False"
