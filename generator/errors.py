"""Every error solgen reports to a user. The CLI turns them into exit code 1."""

from __future__ import annotations

from dataclasses import dataclass


class SolgenError(Exception):
    """Base class: an error in the user's input or environment, never a bug."""

    def render(self) -> str:
        return str(self)


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

    def __init__(self, where: Location, message: str, hint: str = "") -> None:
        self.where = where
        self.message = message
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        text = f"{self.where}: {self.message}"
        return f"{text}\n  hint: {self.hint}" if self.hint else text


class SpecErrors(SolgenError):
    """Several spec errors, collected before aborting so the author sees them all."""

    def __init__(self, errors: list[SpecError]) -> None:
        self.errors = errors
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(e.render() for e in self.errors)


class StepCheckError(SolgenError):
    """A step that does not follow: the build of that problem stops."""


class TemplateError(SolgenError):
    """A template that fails to render."""


class ToolMissing(SolgenError):
    """An external program or font that is needed and not installed."""


class PdfError(SolgenError):
    """A PDF engine that failed on a document: shows the first error lines, not the log."""
