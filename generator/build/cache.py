"""Skip a build whose inputs, code, templates and options are all unchanged.

The fingerprint covers every byte that can change an output: solgen's own source and
templates, the user's template folders (`--templates`, in their order), the problem files
(every YAML beside them, and every part a sheet names), and the options. The record in
OUT/.solgen-build.json lists each output with its hash, so a deleted or edited output file
also triggers a rebuild. Only whole successful builds are recorded; this module imports no
sympy, so a no-op build stays fast.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from generator import __version__
from generator.build.sheet_parts import sheet_parts
from generator.spec.file_safety import write_atomic
from generator.theme.templates import BUILTIN, files

RECORD = ".solgen-build.json"
PACKAGE = Path(__file__).resolve().parents[1]  # the whole generator/ package


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@functools.cache
def code_digest() -> str:
    """solgen's own source and built-in templates, the part of every fingerprint that is
    the same for all problems of a build (read once per process)."""
    code = sorted(PACKAGE.rglob("*.py")) + sorted(p for p in BUILTIN.rglob("*") if p.is_file())
    h = hashlib.sha256()
    for path in code:
        h.update(f"\n{path}\n{_digest(path)}".encode())
    return h.hexdigest()


def fingerprint(problems: Iterable[Path], options: dict[str, object],
                templates: Sequence[Path] = ()) -> str:
    inputs: set[Path] = set()
    for file in problems:
        inputs.add(file.resolve())
        inputs.update(p.resolve() for p in file.resolve().parent.glob("*.yaml"))
        inputs.update(sheet_parts(file))  # issue 20: parts in sub-folders too
    h = hashlib.sha256(f"solgen {__version__}\n".encode())
    h.update(json.dumps(options, sort_keys=True, default=str).encode())
    h.update(code_digest().encode())
    for path in sorted(inputs):
        h.update(f"\n{path}\n{_digest(path)}".encode())
    # Order matters (the first folder wins), so each folder is hashed in turn, with its name.
    for number, folder in enumerate(templates):
        h.update(f"\ntemplates {number} {folder.resolve()}".encode())
        for name in files(folder):
            h.update(f"\n{name}\n{_digest(folder / name)}".encode())
    return h.hexdigest()


def up_to_date(out: Path, key: str) -> int | None:
    """Number of outputs when the last build had this key and its files are intact."""
    try:
        record = json.loads((out / RECORD).read_text(encoding="utf-8"))
        files: dict[str, str] = record["files"]
        if record["fingerprint"] != key:
            return None
        for name, digest in files.items():
            if _digest(out / name) != digest:
                return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return len(files)


def remember(out: Path, key: str, paths: Iterable[Path]) -> None:
    files = {str(p.relative_to(out)): _digest(p) for p in sorted(paths)}
    out.mkdir(parents=True, exist_ok=True)
    # issue 20: never through a link planted in the output folder (generator/file_safety.py)
    record = json.dumps({"fingerprint": key, "files": files}, indent=1, sort_keys=True)
    write_atomic(out / RECORD, record.encode("utf-8"), levels=0)
