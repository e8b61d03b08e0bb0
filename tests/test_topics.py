"""`solgen help TOPIC` prints the reference's sections; starters name topics, not repo paths."""

from __future__ import annotations

import re

from click.testing import CliRunner
from conftest import ROOT

from generator.build.scaffold import kinds
from generator.cli import main
from generator.spec.topics import topics
from generator.theme.theme import Theme


def test_help_prints_the_section_of_the_reference() -> None:
    result = CliRunner().invoke(main, ["help", "draw"])
    assert result.exit_code == 0
    reference = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    # The same rows as docs/reference.md, links written as the command that shows them.
    row = "| `nonzero` | boolean | no | `false` | Never draw 0. |\n"
    assert row in reference and row in result.output
    assert result.output.startswith("### Draw\n")
    assert "| `fraction` | FractionRange (`solgen help fractionrange`) |" in result.output
    assert "### FractionRange" not in result.output


def test_every_kind_and_nested_object_is_a_topic() -> None:
    headings = re.findall(r"^#{2,3} (?:kind: )?(\w+)$", (ROOT / "docs" / "reference.md")
                          .read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert topics() == [h.lower() for h in headings if h != "Nested"]
    assert set(kinds(Theme())) <= set(topics())


def test_unknown_topic_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["help", "integral"])
    assert result.exit_code == 2
    assert "no help topic 'integral'; topics are: gradient" in result.output


def test_starters_name_help_topics_not_repository_paths() -> None:
    # A worked example (scaffold/KIND/EXAMPLE.yaml) names its kind's topic.
    scaffold = ROOT / "templates" / "scaffold"
    for path in sorted(scaffold.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert "docs/" not in text and ".md" not in text, path.name
        named = re.findall(r"solgen help (\w+)", text)
        kind = path.stem if path.parent == scaffold else path.parent.name
        assert kind in named and set(named) <= set(topics()), path.name
