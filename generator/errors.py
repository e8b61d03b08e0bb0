"""Every error solgen reports to a user. The CLI turns them into exit code 1."""

from __future__ import annotations

from dataclasses import dataclass


class SolgenError(Exception):
    """Base class: an error in the user's input or environment, never a bug.

    Every error carries `where` (a file, `file:line` or `file:line: key`; None when no file
    is to blame), `message` and `hint`, so the CLI, the JSON outputs and tests read them as
    fields rather than parsing text. `render()` is the one way they are shown.
    """

    def __init__(self, message: str = "", *, where: Location | str | None = None,
                 hint: str = "") -> None:
        self.message = message
        self.where = where
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"{text}\n  hint: {self.hint}" if self.hint else text


@dataclass
class Location:
    path: str
    line: int | None = None
    key: str = ""

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.key}" if self.key else where


class SpecError(SolgenError):
    """A problem file that cannot be read: names file, line and key, with a hint."""

    where: Location

    def __init__(self, where: Location, message: str, hint: str = "") -> None:
        super().__init__(message, where=where, hint=hint)


class SpecErrors(SolgenError):
    """Several spec errors, collected before aborting so the author sees them all."""

    def __init__(self, errors: list[SpecError]) -> None:
        self.errors = errors
        super().__init__("\n".join(e.render() for e in errors))

    def render(self) -> str:
        return "\n".join(e.render() for e in self.errors)


class StepCheckError(SolgenError):
    """A step that does not follow: the build of that problem stops. `trace` is the checked
    solution with the failing steps marked (`solgen show --format trace` prints it)."""

    def __init__(self, message: str = "", *, where: Location | str | None = None,
                 hint: str = "", trace: str = "") -> None:
        super().__init__(message, where=where, hint=hint)
        self.trace = trace


class TemplateError(SolgenError):
    """A template that fails to render."""


class ToolMissing(SolgenError):
    """An external program or font that is needed and not installed."""


class PdfError(SolgenError):
    """A PDF engine that failed on a document: shows the first error lines, not the log."""
