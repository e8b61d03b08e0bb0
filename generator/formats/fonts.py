"""Where the CJK fonts are: fontconfig first, then the paths Debian and others use.

Both PDF engines need Noto Serif/Sans CJK TC for zh-TW: xelatex finds them through
fontconfig by name; typst is given the folders that hold the files.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path

from generator.errors import ToolMissing

CJK_FAMILIES = ("Noto Serif CJK TC", "Noto Sans CJK TC")
KNOWN_DIRS = (
    "/usr/share/fonts/opentype/noto",          # Debian, Ubuntu: fonts-noto-cjk
    "/usr/share/fonts/noto-cjk",               # Fedora, Arch
    "/usr/share/fonts/google-noto-cjk",
    "/Library/Fonts",
    "~/.local/share/fonts",
    "~/.fonts",
)
INSTALL_HINT = "install the Noto CJK fonts: apt-get install fonts-noto-cjk (as root)"


def _fc_file(family: str) -> Path | None:
    """The file fontconfig has for exactly this family (fc-match falls back to others)."""
    if shutil.which("fc-list") is None:
        return None
    found = subprocess.run(["fc-list", f"{family}:style=Regular", "file"], capture_output=True,
                           text=True, check=False).stdout.splitlines()
    files = sorted(Path(f.strip().removesuffix(":")) for f in found if f.strip())
    return files[0] if files else None


def _known_file(family: str) -> Path | None:
    stem = family.replace(" TC", "").replace(" ", "")   # "NotoSerifCJK"
    for folder in KNOWN_DIRS:
        for path in sorted(Path(folder).expanduser().glob(f"{stem}*-Regular.*")):
            return path
    return None


@cache
def cjk_font_dirs() -> tuple[str, ...]:
    """Folders holding every CJK family solgen uses; ToolMissing when one is not there."""
    dirs: list[str] = []
    for family in CJK_FAMILIES:
        path = _fc_file(family) or _known_file(family)
        if path is None:
            raise ToolMissing(f"font {family!r} not found (needed for zh-TW PDFs)",
                              hint=INSTALL_HINT)
        if str(path.parent) not in dirs:
            dirs.append(str(path.parent))
    return tuple(dirs)
