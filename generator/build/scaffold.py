"""`solgen new KIND NAME`: a commented starting problem of each kind.

Starters live in templates/scaffold/<kind>.yaml; each is a problem that verifies as it is,
so an author edits something that works. Worked examples of one kind live beside it in
templates/scaffold/<kind>/<example>.yaml (`solgen new gradient NAME --example rnn`): they
are problems of that kind, not kinds of their own, so KIND stays what `solgen help KIND`
explains. A course's template folder (`--templates`) may replace a starter or add its own
(`scaffold/conv-homework.yaml` → `solgen new conv-homework`, `scaffold/gradient/lstm.yaml`
→ `solgen new gradient NAME --example lstm`).
"""

from __future__ import annotations

import re
from pathlib import Path

from generator.build.outputs import Output, write
from generator.errors import SolgenError, TemplateError
from generator.theme.templates import STARTERS, builtin
from generator.theme.theme import Theme


def _starter_names(theme: Theme) -> list[str]:
    """Every starter of `theme` as a path under scaffold/ without .yaml: `gradient`,
    `gradient/rnn`."""
    names = (e.name.removeprefix(STARTERS) for e in theme.templates.entries()
             if e.name.startswith(STARTERS) and e.name.endswith(".yaml"))
    return sorted({n.removesuffix(".yaml") for n in names})


def kinds(theme: Theme) -> list[str]:
    """The starter names of `theme` (built-in kinds and a course's own)."""
    return [n for n in _starter_names(theme) if "/" not in n]


def examples(theme: Theme) -> dict[str, list[str]]:
    """The worked examples of each kind that has any: {"gradient": ["attention", …]}."""
    found: dict[str, list[str]] = {}
    for name in _starter_names(theme):
        kind, _, example = name.partition("/")
        if example and "/" not in example:
            found.setdefault(kind, []).append(example)
    return found


def _starter(kind: str, example: str | None, theme: Theme) -> str:
    """The template name of the starter asked for; an unknown one lists the choices."""
    if kind not in kinds(theme):
        raise SolgenError(f"no starter for kind {kind!r}; kinds: {', '.join(kinds(theme))}")
    if example is None:
        return f"{STARTERS}{kind}.yaml"
    known = examples(theme).get(kind, [])
    if example not in known:
        hint = (f"examples of {kind}: {', '.join(known)}" if known else
                f"kind {kind} has no examples; leave out --example")
        raise SolgenError(f"no example {example!r} of kind {kind}", hint=hint)
    return f"{STARTERS}{kind}/{example}.yaml"


def new_problem(kind: str, name: str, folder: Path, theme: Theme,
                example: str | None = None) -> Path:
    """Write folder/<name>.yaml from the starter of `kind` (or its worked `example`); never
    overwrite a file."""
    starter = _starter(kind, example, theme)
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", name):
        raise SolgenError(f"{name!r} is not a problem id",
                          hint="use lower-case letters, digits, '-' and '_'")
    target = folder / f"{name}.yaml"
    if target.exists():
        raise SolgenError(f"{target} exists already; choose another name")
    text = theme.resolve(starter).read_text(encoding="utf-8")
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
