"""`solgen new KIND NAME`: a commented starting problem of each kind.

Starters live in templates/scaffold/<kind>.yaml; each is a problem that verifies as it is,
so an author edits something that works. A course's template folder (`--templates`) may
replace a starter or add its own (`scaffold/conv-homework.yaml` → `solgen new conv-homework`).
"""

from __future__ import annotations

import re
from pathlib import Path

from generator.build.outputs import Output, write
from generator.errors import SolgenError, TemplateError
from generator.theme.templates import STARTERS, builtin
from generator.theme.theme import Theme


def kinds(theme: Theme) -> list[str]:
    """The starter names of `theme` (built-in kinds and a course's own)."""
    names = (e.name.removeprefix(STARTERS) for e in theme.templates.entries()
             if e.name.startswith(STARTERS) and e.name.endswith(".yaml"))
    return sorted({n.removesuffix(".yaml") for n in names})


def new_problem(kind: str, name: str, folder: Path, theme: Theme) -> Path:
    """Write folder/<name>.yaml from the starter of `kind`; never overwrite a file."""
    if kind not in kinds(theme):
        raise SolgenError(f"no starter for kind {kind!r}; kinds: {', '.join(kinds(theme))}")
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", name):
        raise SolgenError(f"{name!r} is not a problem id",
                          hint="use lower-case letters, digits, '-' and '_'")
    target = folder / f"{name}.yaml"
    if target.exists():
        raise SolgenError(f"{target} exists already; choose another name")
    text = theme.resolve(f"{STARTERS}{kind}.yaml").read_text(encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(text.replace("__ID__", name).replace("__FILE__", str(target)),
                      encoding="utf-8")
    return target


def copy_out(name: str, folder: Path, force: bool = False) -> Path:
    """Write the built-in template `name` to folder/NAME (keeping its sub-folder), so it can
    be edited and used with `--templates folder`. An existing file is kept unless `force`."""
    source = builtin(name)
    target = folder / name
    if target.is_dir() or (target.exists() and not force):
        raise TemplateError(f"{target} exists already",
                            hint="--force overwrites it (your changes to it are lost)")
    write([Output(target, source.read_bytes())])
    return target
