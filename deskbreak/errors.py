"""Errors a user can act on, rendered as the one line the CLI prints.

Every problem with user input ends up as ``PATH:LINE: key: problem`` so an editor or a
terminal can jump straight to it; the CLI turns these into exit status 2 and never
shows a traceback.
"""

from __future__ import annotations

from pathlib import Path


class DeskbreakError(Exception):
    """A failure that is the user's to fix, with the exit status the CLI should use."""

    exit_code = 2


class InputError(DeskbreakError):
    """A problem located in a file the user wrote (config, catalogue, state)."""

    def __init__(
        self,
        path: Path | str,
        problem: str,
        *,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        self.path = str(path)
        self.problem = problem
        self.line = line
        self.key = key
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        parts = [where]
        if self.key:
            parts.append(self.key)
        parts.append(self.problem)
        return ": ".join(parts)


class ConfigError(InputError):
    """The user's config file cannot be used as it stands."""


class CatalogueError(InputError):
    """An exercise catalogue entry is invalid."""


class NotRunningError(DeskbreakError):
    """A control command found no daemon to talk to."""

    exit_code = 1
