"""docs/reference.md is the text generated from the models, and it covers every key."""

from __future__ import annotations

import json
import re
from typing import Any

from conftest import ROOT

from generator.spec.layers import Conv2d
from generator.spec.models import KIND_NAMES, GradientSpec, SheetSpec, TrainingSpec, json_schema
from generator.spec.reference import _anchor, reference_markdown
from generator.spec.vary import Draw

REFERENCE = ROOT / "docs" / "reference.md"


def test_reference_is_current() -> None:
    committed = REFERENCE.read_text(encoding="utf-8")
    assert committed == reference_markdown(), (
        "docs/reference.md is out of date: run `make reference` "
        "(or `.venv/bin/python -m generator.spec.reference`) and commit the result")


def _section(text: str, heading: str) -> str:
    start = text.index(heading + "\n")
    end = text.find("\n#", start + len(heading))
    return text[start:end if end >= 0 else None]


def test_every_key_of_every_model_has_a_row() -> None:
    text = reference_markdown()
    for heading, model in [("## kind: gradient", GradientSpec), ("## kind: training", TrainingSpec),
                           ("## kind: sheet", SheetSpec), ("### Conv2d", Conv2d),
                           ("### Draw", Draw)]:
        section = _section(text, heading)
        for name, field in model.model_fields.items():
            key = field.alias or name
            assert f"\n| `{key}` |" in section, f"{heading}: no row for {key}"
    for kind in (*KIND_NAMES, "sheet"):
        assert f"\n## kind: {kind}\n" in text


def test_rows_state_type_default_and_requirement() -> None:
    text = reference_markdown()
    gradient = _section(text, "## kind: gradient")
    assert ("| `precision` | integer 1 to 30 | no | `6` | Decimal places of the decimals. |"
            in gradient)
    assert "| `loss` | string | yes |  | The node at the top of the graph. |" in gradient
    conv = _section(text, "### Conv2d")
    assert "| `padding` | one of `valid`, `same` or integer 0 to 8 | no | `valid` |" in conv
    training = _section(text, "## kind: training")
    assert "| `momentum` | number (≥ 0, < 1) | no | `0` |" in training


def test_every_link_in_the_reference_has_its_heading() -> None:
    text = reference_markdown()
    anchors = {_anchor(h) for h in re.findall(r"^#+ (.+)$", text, re.MULTILINE)}
    links = set(re.findall(r"\]\(#([^)]+)\)", text))
    assert links and links <= anchors, links - anchors


def _resolves(path: list[str], definition: dict[str, object], defs: dict[str, Any]) -> bool:
    node = definition.get("properties", {}).get(path[0])  # type: ignore[union-attr]
    if node is None:
        return False
    if len(path) == 1:
        return True
    refs = re.findall(r"#/\$defs/(\w+)", json.dumps(node))
    return any(_resolves(path[1:], defs[r], defs) for r in refs)


def test_the_guide_names_only_keys_the_schema_has() -> None:
    # docs/yaml-reference.md is written by hand: every key in the first column of its
    # tables must exist, so the guide cannot drift into keys the models refuse.
    defs = json_schema()["$defs"]
    guide = (ROOT / "docs" / "yaml-reference.md").read_text(encoding="utf-8")
    keys = re.findall(r"^\| `([\w.]+)` \|", guide, re.MULTILINE)
    assert len(keys) > 30
    missing = [k for k in keys
               if not any(_resolves(k.split("."), d, defs) for d in defs.values())]
    assert missing == []
