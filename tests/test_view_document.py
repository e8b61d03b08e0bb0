"""The typed view model: the docs are generated from its types, the built-in templates read
only its names, every document is made of its types, and a theme is passed, not global."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, fields, is_dataclass
from pathlib import Path

import pytest
from conftest import PROBLEMS, ROOT
from jinja2 import meta, nodes

from generator.formats.text import TEMPLATE_OF, render
from generator.solvers.problem import prepare
from generator.theme.jinja import environment, syntax_of
from generator.theme.templates import TemplateSet
from generator.theme.theme import Theme
from generator.variants.sampler import Sampler, numbered
from generator.variants.solution import Template
from generator.view import document
from generator.view.document import Block, Document, Section
from generator.view.model import document_view
from generator.view.sheets import Sheets

SGD = ROOT / "problems" / "week1-sgd-step.yaml"
VARIED = ROOT / "problems" / "hw1-3-conv-w11-variants.yaml"


@pytest.mark.parametrize("name", sorted(document.GENERATED))
def test_docs_describe_the_types(name: str) -> None:
    text = (ROOT / "docs" / name).read_text(encoding="utf-8")
    assert text == document.with_generated(text, document.GENERATED[name]()), (
        f"docs/{name} is out of date: run `make reference`")


def test_the_table_names_every_field_once() -> None:
    table = document.template_table()
    for prefix, cls in (("", Document), ("section.", Section), ("block.", Block)):
        for f in fields(cls):
            assert table.count(f"| `{prefix}{f.name}` |") == 1


def _read_names(name: str) -> tuple[set[str], dict[str, set[str]]]:
    """The top-level names a built-in template reads, and the attributes it reads of the
    loop variables `section` and `block`."""
    env = environment(syntax_of(name), TemplateSet())
    assert env.loader is not None
    source = env.loader.get_source(env, name)[0]
    tree = env.parse(source)
    attributes: dict[str, set[str]] = {"section": set(), "block": set()}
    for node in tree.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name) and node.node.name in attributes:
            attributes[node.node.name].add(node.attr)
    # A scoped block reads the loop variable and `set` names of the block around it.
    stored = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    return set(meta.find_undeclared_variables(tree)) - stored, attributes


@pytest.mark.parametrize("name", sorted(TEMPLATE_OF.values()))
def test_builtin_templates_read_the_names_of_the_types(name: str) -> None:
    top, attributes = _read_names(name)
    assert top == {f.name for f in fields(Document)}
    assert attributes["section"] == {f.name for f in fields(Section)}
    assert attributes["block"] == {f.name for f in fields(Block)}


def _only_types(model: Document) -> None:
    """Every part of `model` is a view-model type or a string: no dict or list leaks in."""
    assert isinstance(model, Document) and isinstance(model.sections, tuple)
    for section in model.sections:
        assert type(section) is Section and isinstance(section.blocks, tuple)
        assert isinstance(section.heading, str) and type(section.level) is int
        for block in section.blocks:
            assert type(block) is Block
            assert isinstance(block.text, str) and isinstance(block.math, str)
            assert isinstance(block.bullets, tuple)
            assert all(isinstance(b, str) for b in block.bullets)
            assert isinstance(block.table, tuple)
            assert all(isinstance(row, tuple) and all(isinstance(c, str) for c in row)
                       for row in block.table)


@pytest.mark.parametrize("path", PROBLEMS[:4], ids=[p.stem for p in PROBLEMS[:4]])
def test_a_problem_view_is_made_of_the_types(path: Path) -> None:
    model = document_view(prepare(path), Theme().voice("en"))
    _only_types(model)
    with pytest.raises(FrozenInstanceError):
        model.sections[0].level = 9  # type: ignore[misc]


def test_variant_sheets_are_made_of_the_types() -> None:
    problem = prepare(VARIED)
    sampler = Sampler(problem)
    template = Template(problem, sampler)
    solved = [template.solve(v) for v in numbered(sampler, 7, 2)]
    sheets = Sheets(problem, template, Theme().voice("zh-TW"))
    questions = [sheets.question(s) for s in solved]
    answers = [sheets.answer(s) for s in solved]
    for model in [*questions, *answers, sheets.combined(answers, True, 7)]:
        _only_types(model)
        assert model.lang == "zh-TW"
    assert is_dataclass(questions[0])


def _course(tmp_path: Path, therefore: str, header: str) -> Theme:
    folder = tmp_path / header
    (folder / "messages").mkdir(parents=True)
    (folder / "messages" / "en.yaml").write_text(f"blocks:\n  therefore: {therefore}\n",
                                                  encoding="utf-8")
    (folder / "markdown").mkdir()
    (folder / "markdown" / "document.md.j2").write_text(
        '{% extends "default:markdown/document.md.j2" %}\n'
        "{% block header %}\n{{ super() }}\n" + header + "\n{% endblock %}\n", encoding="utf-8")
    return Theme(TemplateSet((folder,)))


def test_two_themes_render_side_by_side(tmp_path: Path) -> None:
    """Nothing is process-wide: each document gets the sentences and template of its own
    theme, in whatever order they are rendered."""
    problem = prepare(SGD)
    default = Theme()
    first, second = _course(tmp_path, "Thus", "FIRST"), _course(tmp_path, "So", "SECOND")
    plain = render(document_view(problem, default.voice("en")), "md", default)
    title = "# One SGD step (substitute, do not simplify)\n"
    assert plain.count(title) == 1 and plain.count("\nHence\n") == 1
    for theme, word, header in ((first, "Thus", "FIRST"), (second, "So", "SECOND"),
                                (first, "Thus", "FIRST")):
        made = render(document_view(problem, theme.voice("en")), "md", theme)
        assert made == plain.replace(title, f"{title}\n{header}\n").replace(
            "\nHence\n", f"\n{word}\n")
    assert render(document_view(problem, default.voice("en")), "md", default) == plain


def test_a_user_template_written_for_dicts_still_works(tmp_path: Path) -> None:
    """Templates written before the view model was typed index it like a dict and test
    `block.table is defined`: both still give the built-in text."""
    folder = tmp_path / "course" / "markdown"
    folder.mkdir(parents=True)
    source = (ROOT / "templates" / "markdown" / "document.md.j2").read_text(encoding="utf-8")
    old = (source.replace("{% if block.table %}", "{% if block.table is defined and "
                          "block.table %}")
           .replace("section.heading", "section['heading']")
           .replace("block.math", "block['math']"))
    assert old.count("['") >= 4 and "is defined" in old
    (folder / "document.md.j2").write_text(old, encoding="utf-8")
    problem = prepare(ROOT / "problems" / "minibatch-sgd.yaml")  # has a table
    model = document_view(problem, Theme().voice("en"))
    assert any(b.table for s in model.sections for b in s.blocks)
    user = Theme(TemplateSet((tmp_path / "course",)))
    assert render(model, "md", user) == render(model, "md", Theme())
