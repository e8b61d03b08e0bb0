"""docs/reference.md, generated from the JSON Schema of problem files (`solgen schema`).

One table per kind and per nested object: every key with its type and allowed values,
whether it is required, its default and its description (from generator/spec/models.py). The
text depends only on the schema, so it is byte-identical from run to run, and
tests/test_reference.py fails when the committed file falls behind the models.
Run `make reference` (or `python -m generator.spec.reference`) after changing a model.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from generator.spec.models import json_schema

OUTPUT = Path(__file__).resolve().parents[2] / "docs" / "reference.md"
_REF = "#/$defs/"

_INTRO = """\
# Problem file reference

<!-- Generated from generator/spec/models.py by `make reference`; do not edit by hand. -->

Every key of every kind of problem file, generated from the JSON Schema that
`solgen schema` prints. For a guided tour with examples see
[yaml-reference.md](yaml-reference.md) (graph kinds), [week1-kinds.md](week1-kinds.md)
(self_derivatives, identity, discussion, sheets), [layers.md](layers.md) and
[variants.md](variants.md); to start from nothing, [tutorial.md](tutorial.md).

A problem file is a YAML mapping; `kind:` chooses the table below. Unknown keys are
errors. "name" in a type is a name you choose (a symbol, a node, a language).
"""


def _anchor(title: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces → '-'."""
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


def _literal(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return f"`{text}`"


def _link(ref: str) -> str:
    name = ref.removeprefix(_REF)
    return f"[{name}](#{_anchor(name)})"


def _bounds(node: dict[str, Any]) -> str:
    low, high = node.get("minimum"), node.get("maximum")
    if low is not None and high is not None:
        return f" {low} to {high}"
    parts = [f"≥ {low}" if low is not None else "",
             f"> {node['exclusiveMinimum']}" if "exclusiveMinimum" in node else "",
             f"≤ {high}" if high is not None else "",
             f"< {node['exclusiveMaximum']}" if "exclusiveMaximum" in node else ""]
    shown = [p for p in parts if p]
    return f" ({', '.join(shown)})" if shown else ""


def _items(node: dict[str, Any]) -> str:
    low, high = node.get("minItems"), node.get("maxItems")
    if low is not None and high is not None:
        return f" ({low} to {high} items)"
    if low is not None:
        return f" (at least {low} items)" if low > 1 else " (at least 1 item)"
    return f" (at most {high} items)" if high is not None else ""


def _array(node: dict[str, Any]) -> str:
    if "prefixItems" in node:
        return "[" + ", ".join(_type(p) for p in node["prefixItems"]) + "]"
    return "list of " + _type(node.get("items", {})) + _items(node)


def _object(node: dict[str, Any]) -> str:
    keys = "name"
    if "propertyNames" in node:
        keys = " or ".join(_literal(v) for v in node["propertyNames"].get("enum", []))
    return f"map: {keys} → {_type(node.get('additionalProperties', {}))}"


def _type(node: dict[str, Any]) -> str:
    """A schema node as a short phrase: `string`, `list of integer`, `one of a, b`, …."""
    if "$ref" in node:
        return _link(node["$ref"])
    if "anyOf" in node:
        kinds = [_type(n) for n in node["anyOf"] if n.get("type") != "null"]
        if "integer" in kinds and "number" in kinds:  # int | float: any number
            kinds.remove("integer")
        return " or ".join(kinds)
    if "const" in node:
        return _literal(node["const"])
    if "enum" in node:
        return "one of " + ", ".join(_literal(v) for v in node["enum"])
    kind = node.get("type")
    if kind == "array":
        return _array(node)
    if kind == "object":
        return _object(node)
    if kind in ("integer", "number"):
        return str(kind) + _bounds(node)
    if kind == "string" and "pattern" in node:
        return f"string matching `{node['pattern']}`"
    return str(kind) if kind else "any value"


def _default(node: dict[str, Any], required: bool) -> str:
    if required:
        return ""
    if "default" not in node:
        return "see description"
    value = node["default"]
    if isinstance(value, dict) and value and "$ref" in node:
        return "every key's default"
    return "`null` (none)" if value is None else _literal(value)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _table(definition: dict[str, Any]) -> list[str]:
    rows = ["| key | type | required | default | description |", "|---|---|---|---|---|"]
    required = set(definition.get("required", []))
    properties: dict[str, Any] = definition.get("properties", {})
    # Base-class keys come first in the schema; `kind` reads best right after id and title.
    keys = sorted(properties, key=lambda k: (k != "id", k != "title", k != "kind"))
    for key, node in ((k, properties[k]) for k in keys):
        needed = key in required
        rows.append("| " + " | ".join([
            f"`{key}`", _cell(_type(node)), "yes" if needed else "no",
            _cell(_default(node, needed)), _cell(node.get("description", ""))]) + " |")
    return rows


def _refs(node: Any) -> list[str]:
    """Every `$ref` under a node, in document order."""
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _used_by(defs: dict[str, Any], kinds: dict[str, str]) -> dict[str, list[str]]:
    """For each nested object, the places that hold it: `[gradient](…) (`inputs`, `params`)`."""
    keys: dict[str, dict[str, list[str]]] = {}
    for parent, definition in defs.items():
        for key, node in definition.get("properties", {}).items():
            for ref in dict.fromkeys(_refs(node)):
                keys.setdefault(ref.removeprefix(_REF), {}).setdefault(parent, []).append(key)
    users: dict[str, list[str]] = {}
    for name, parents in keys.items():
        for parent, held in parents.items():
            title = f"kind: {kinds[parent]}" if parent in kinds else parent
            place = f"[{kinds.get(parent, parent)}](#{_anchor(title)})"
            users.setdefault(name, []).append(
                place + " (" + ", ".join(f"`{k}`" for k in held) + ")")
    return users


def reference_markdown() -> str:
    """The whole of docs/reference.md."""
    schema = json_schema()
    defs: dict[str, Any] = schema["$defs"]
    kinds = {ref.removeprefix(_REF): kind
             for kind, ref in schema["discriminator"]["mapping"].items()}
    order = [m["$ref"].removeprefix(_REF) for m in schema["oneOf"]]
    nested = sorted(name for name in defs if name not in kinds)
    lines = [_INTRO,
             "Kinds: " + ", ".join(f"[{kinds[n]}](#{_anchor('kind: ' + kinds[n])})"
                                   for n in order) + ".",
             "", "Nested objects: " + ", ".join(_link(n) for n in nested) + ".", ""]
    for name in order:
        lines += [f"## kind: {kinds[name]}", ""]
        if "description" in defs[name]:
            lines += [defs[name]["description"], ""]
        lines += [*_table(defs[name]), ""]
    lines += ["## Nested objects", ""]
    users = _used_by(defs, kinds)
    for name in nested:
        lines += [f"### {name}", ""]
        if "description" in defs[name]:
            lines += [defs[name]["description"], ""]
        lines += ["Used in: " + ", ".join(users.get(name, [])) + ".", ""]
        lines += [*_table(defs[name]), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str]) -> int:
    """`python -m generator.spec.reference [FILE]`: write docs/reference.md (or FILE)."""
    target = Path(argv[0]) if argv else OUTPUT
    target.write_text(reference_markdown(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
