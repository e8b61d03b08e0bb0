"""Names that become file names must work on every system a course's files travel to.

Windows refuses the device names CON, PRN, AUX, NUL, COM1-9 and LPT1-9 as file names, with
any extension and in any case (`con.md`, `Nul.question.pdf`); Windows and macOS file systems
ignore case, so `Alice` and `alice` would be one file there and one student's sheets would
overwrite the other's.
"""

from __future__ import annotations

_DEVICES = {"con", "prn", "aux", "nul",
            *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}

DEVICE_HINT = ("Windows reserves CON, PRN, AUX, NUL, COM1-9 and LPT1-9 as device names; "
               "choose another name")


def is_device(name: str) -> bool:
    """Whether a file named `name` (or `name.anything`) is a reserved device on Windows."""
    return name.split(".", 1)[0].strip().lower() in _DEVICES


def fold(name: str) -> str:
    """The form two names share when a case-insensitive file system would mix them up."""
    return name.casefold()
