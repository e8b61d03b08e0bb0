"""Titles in the Markdown front matter: quoted only when YAML would misread them."""

from __future__ import annotations

import yaml

from generator.algebra.markdown_text import yaml_string


def test_ordinary_titles_are_unchanged() -> None:
    for title in ("HW 1-3", "一步 SGD 的參數更新（只代入、不需化簡）",
                  r"Higher derivatives, $\tanh^{(k)}(x)$, $k=1,\dots,4$"):
        assert yaml_string(title) == title


def test_front_matter_reads_back_exactly() -> None:
    for title in ['HW #1: 50% & more_{x} ~ $5 \\ok', "- list?", '"quoted" title', "a: b",
                  "x ", "[draft] x", r"Higher derivatives, $\tanh^{(k)}(x)$"]:
        assert yaml.safe_load(f"title: {yaml_string(title)}\n") == {"title": title}
