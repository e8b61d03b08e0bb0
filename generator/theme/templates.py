"""Where every template comes from: the user's template folders first, then the built-in ones.

A course keeps its own templates in a folder (`--templates DIR`, repeatable) that holds
files under the same names as the built-in `templates/` folder: the first folder that has
a name wins, and a name no folder has comes from the built-in folder. A user template can
still extend the one it replaces as `default:NAME`.

A run's set is chosen once by the CLI and passed down inside a `theme.Theme`; nothing here
is process-wide. This module imports no Jinja at import time, so `solgen --help` stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from generator import TEMPLATES
from generator.errors import TemplateError
from generator.spec.file_safety import inside

if TYPE_CHECKING:
    from jinja2 import BaseLoader

BUILTIN = TEMPLATES  # inside the package when installed from a wheel, beside it in a clone
# `solgen new` starters: templates like the others, read by `solgen new`, never by a build.
STARTERS = "scaffold/"
# Sentences are merged key by key over the built-in file rather than replacing it.
MESSAGES = "messages/"
ORIGIN_BUILTIN = "built-in"


@dataclass(frozen=True)
class Entry:
    """One template name as it resolves: the file used and where it comes from."""

    name: str
    path: Path
    origin: str  # ORIGIN_BUILTIN, or the user folder (as given) that holds the file
    shadows: Path | None  # the built-in file this one replaces (for messages: merges over)

    @property
    def note(self) -> str:
        if self.name.startswith(STARTERS):
            starter = "starter for solgen new"
            if self.origin == ORIGIN_BUILTIN:
                return starter
            return f"{starter}, shadows built-in" if self.shadows else starter
        if self.origin == ORIGIN_BUILTIN:
            return ""
        if self.shadows is None:
            return "extra: used where a template includes it"
        return "merged over built-in" if self.name.startswith(MESSAGES) else "shadows built-in"


def files(folder: Path) -> list[str]:
    """Names (relative POSIX paths) of the files under `folder`; hidden files do not count."""
    names = (p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
    return sorted(n.as_posix() for n in names if not any(part.startswith(".") for part in n.parts))


@cache
def builtin_names() -> tuple[str, ...]:
    # Read once: the built-in folder does not change while solgen runs, and a PDF per
    # variant resolves the typst template each time.
    return tuple(files(BUILTIN))


def builtin(name: str) -> Path:
    """The built-in file called `name`; an unknown name lists the valid ones."""
    if name not in builtin_names():
        raise TemplateError(f"no built-in template named {name!r}",
                            hint="templates are " + ", ".join(builtin_names()))
    return BUILTIN / name


@dataclass(frozen=True)
class TemplateSet:
    """User folders in the order given (first wins), then the built-in folder. Hashable, so
    a Jinja environment or merged messages can be cached per set."""

    folders: tuple[Path, ...] = ()

    def resolve(self, name: str) -> Path:
        """The file a build uses for `name`: from the first user folder that has it."""
        for folder in self.folders:
            if (folder / name).is_file():
                return contained(folder, folder / name)
        if name in builtin_names():
            return BUILTIN / name
        raise TemplateError(f"no template named {name!r} in "
                            + ", ".join([*map(str, self.folders), "the built-in templates"]),
                            hint="templates are " + ", ".join(builtin_names()))

    def overrides(self, name: str) -> list[Path]:
        """Every user file called `name`, first folder first (messages merge all of them)."""
        return [contained(folder, folder / name) for folder in self.folders
                if (folder / name).is_file()]

    def entries(self) -> list[Entry]:
        """Every name a folder of the set holds, with the file it resolves to."""
        known = set(builtin_names())
        user = {name: folder for folder in reversed(self.folders) for name in files(folder)}
        rows = []
        for name in sorted(known | set(user)):
            folder = user.get(name)
            shadows = BUILTIN / name if name in known else None
            if folder is None:
                rows.append(Entry(name, BUILTIN / name, ORIGIN_BUILTIN, None))
                continue
            rows.append(Entry(name, folder / name, str(folder), shadows))
        return rows

    def loader(self) -> BaseLoader:
        """Names resolve through the user folders first; `default:NAME` is always built-in,
        so a user template can extend the one it replaces without extending itself."""
        from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader

        from generator.theme.loader import ContainedLoader

        return ChoiceLoader([
            ContainedLoader([*map(str, self.folders), str(BUILTIN)]),
            PrefixLoader({"default": FileSystemLoader(str(BUILTIN))}, delimiter=":"),
        ])


def contained(folder: Path, path: Path) -> Path:
    """`path` when it resolves inside `folder`; a link out of the folder is an error."""
    if not inside(folder, path):
        raise TemplateError(f"resolves outside the template folder {folder}", where=str(path),
                            hint="templates are read only from inside their own folder")
    return path
