"""Titles from YAML in the Markdown: escaped in the body, quoted in the front matter."""

from __future__ import annotations

import yaml

from generator.markdown_text import escape, yaml_string


def test_ordinary_titles_are_unchanged() -> None:
    for title in ("HW 1-3", "一步 SGD 的參數更新（只代入、不需化簡）", "Week 1 (2a)"):
        assert escape(title) == title
        assert yaml_string(title) == title


def test_markup_characters_are_escaped() -> None:
    assert escape(r"HW #1: *a* $x$ \n") == r"HW \#1: \*a\* \$x\$ \\n"


def test_front_matter_reads_back_exactly() -> None:
    for title in ['HW #1: 50% & more_{x} ~ $5 \\ok', "- list?", 'say "hi"', "a: b", "x "]:
        assert yaml.safe_load(f"title: {yaml_string(title)}\n") == {"title": title}
