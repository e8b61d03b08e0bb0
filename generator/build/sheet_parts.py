"""The files a sheet pulls in, found without solving anything (for the build cache).

A sheet names problem files anywhere in its folder tree (`parts/a.yaml`, `week1/b.yaml`),
so the build fingerprint cannot stop at the YAML files beside it: an edit of one part must
rebuild the sheet (issue 20). This module reads the sheet's YAML only; it imports no sympy,
so a no-op build stays fast. A sheet that does not parse names no parts here; the build
itself then reports it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.errors import SolgenError
from generator.spec.file_safety import inside
from generator.spec.source import read_source


def _named(parts: Any) -> list[str]:
    found: list[str] = []
    for part in parts if isinstance(parts, list) else []:
        if isinstance(part, dict):
            if isinstance(part.get("problem"), str):
                found.append(part["problem"])
            found += _named(part.get("parts"))
    return found


def sheet_parts(sheet: Path) -> list[Path]:
    """The resolved problem files `sheet` names that lie in its folder tree and exist."""
    try:
        data = read_source(sheet).data
    except SolgenError:
        return []
    if not isinstance(data, dict) or data.get("kind") != "sheet":
        return []
    files = [(sheet.parent / name).resolve() for name in _named(data.get("parts"))]
    return sorted({f for f in files if inside(sheet.parent, f) and f.is_file()})
