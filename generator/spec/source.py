"""Safe YAML reading that remembers the line of every key.

Problem files come from other people, so no YAML tag may build a Python object,
aliases may not multiply the document (alias bombs), and every value keeps the
line it came from so errors can say `file:line: key`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import Location, SpecError

MAX_BYTES = 1_000_000
MAX_VALUES = 200_000

_COLLECTIONS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_PLAIN = "problem files hold plain text, numbers, lists and mappings only"

KeyPath = tuple[str | int, ...]


@dataclass
class Source:
    """A parsed YAML document plus the line of each key path (1-based)."""

    path: str
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line(self, keys: KeyPath) -> int | None:
        """Line of the deepest known prefix of `keys`: an error inside a value points at it."""
        for end in range(len(keys), -1, -1):
            if keys[:end] in self.lines:
                return self.lines[keys[:end]]
        return None

    def at(self, keys: KeyPath) -> Location:
        return Location(self.path, self.line(keys), dotted(keys))


def dotted(keys: KeyPath) -> str:
    out = ""
    for k in keys:
        out += f"[{k}]" if isinstance(k, int) else (f".{k}" if out else str(k))
    return out


class _Builder:
    def __init__(self, path: str, loader: yaml.SafeLoader) -> None:
        self.path = path
        self.loader = loader
        self.lines: dict[KeyPath, int] = {}
        self.count = 0

    def error(self, node: yaml.Node, keys: KeyPath, message: str, hint: str = "") -> SpecError:
        return SpecError(Location(self.path, node.start_mark.line + 1, dotted(keys)), message, hint)

    def build(self, node: yaml.Node, keys: KeyPath) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise self.error(node, keys, f"document expands to more than {MAX_VALUES} values",
                             "YAML aliases (*name) that repeat large blocks are not allowed here")
        self.lines.setdefault(keys, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _COLLECTIONS:
            raise self.error(node, keys, f"YAML tag {node.tag!r} is not allowed", _PLAIN)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, keys)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*keys, i)) for i, item in enumerate(node.value)]
        return self.scalar(node, keys)

    def mapping(self, node: yaml.MappingNode, keys: KeyPath) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.error(key_node, keys, "keys must be plain text")
            key = str(self.scalar(key_node, keys))
            if key == "<<":
                raise self.error(key_node, keys, "YAML merge keys (<<) are not supported")
            if key in out:
                first = self.lines.get((*keys, key))
                raise self.error(key_node, (*keys, key), "duplicate key",
                                 f"first defined on line {first}; keep one of them")
            self.lines[(*keys, key)] = key_node.start_mark.line + 1
            out[key] = self.build(value_node, (*keys, key))
        return out

    def scalar(self, node: yaml.Node, keys: KeyPath) -> Any:
        if node.tag.startswith("tag:yaml.org,2002:") and node.tag.rsplit(":", 1)[1] in {
            "str", "int", "float", "bool", "null"
        }:
            return self.loader.construct_object(node)
        raise self.error(node, keys, f"YAML tag {node.tag!r} is not allowed", _PLAIN)


def read_source(path: Path, display: str | None = None) -> Source:
    """Read one YAML file; raise SpecError with a line number on any problem."""
    name = display or str(path)
    try:
        # Size first, then a bounded read: a 5 GB (or sparse) file costs nothing to refuse.
        with open(path, "rb") as handle:
            if os.fstat(handle.fileno()).st_size > MAX_BYTES:
                raise SpecError(Location(name), f"file is larger than {MAX_BYTES} bytes")
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise SpecError(Location(name), f"cannot read file: {exc.strerror}") from None
    return parse_source(raw, name)


def parse_source(raw: bytes, name: str) -> Source:
    if len(raw) > MAX_BYTES:
        raise SpecError(Location(name), f"file is larger than {MAX_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = Location(name, raw[: exc.start].count(b"\n") + 1)
        raise SpecError(where, "file is not valid UTF-8", "save the file as UTF-8") from None
    try:
        loader = yaml.SafeLoader(text)  # the reader already rejects control characters
    except yaml.YAMLError as exc:
        raise SpecError(Location(name, 1), f"YAML syntax: {exc}".splitlines()[0]) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise SpecError(Location(name, 1), "file is empty",
                            "start from `solgen show` of a built-in problem")
        builder = _Builder(name, loader)
        data = builder.build(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context
        raise SpecError(Location(name, line), f"YAML syntax: {problem}") from None
    except yaml.YAMLError as exc:
        raise SpecError(Location(name), f"YAML syntax: {exc}") from None
    finally:
        loader.dispose()
    return Source(name, data, builder.lines)
