"""The contract every "start at login" backend keeps, and the state they report.

Three platforms keep the setting in three very different places (an XDG autostart file,
a LaunchAgent property list, a registry value), and each has its own way for the user to
switch it off behind deskbreak's back (``Hidden=true``, ``Disabled``, Task Manager). The
command line, the tray and the first-run hint only need the answer to "would deskbreak
start at the next login, and if not, why", and two explicit actions: on and off.

The rule every backend keeps: the setting is written only by ``enable`` and ``disable``,
which are called only when the user asks (``deskbreak autostart on|off``, the tray's
checkbox); never at start, never on upgrade. A choice the user made in their system's
own settings that deskbreak must not override (Task Manager) makes ``enable`` refuse.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from deskbreak.errors import DeskbreakError

Kind = Literal["on", "off", "broken", "error"]
AGAIN = "run `deskbreak autostart on` again"


class AutostartError(DeskbreakError):
    """The setting cannot be read or changed; one line saying what and where to look."""

    exit_code = 1


@dataclass(frozen=True)
class AutostartState:
    """Whether deskbreak starts at login.

    ``state``: "on"; "off" (no entry, or switched off: ``why`` says how); "broken" (the
    entry is on but cannot work, e.g. the program it starts is gone: ``why``); "error"
    (the entry cannot be read: ``why``). ``where``: the file or registry value that
    decides; ``command``: what it starts, when known.
    """

    state: Kind
    where: str
    why: str | None = None
    command: tuple[str, ...] | None = None

    @property
    def on(self) -> bool:
        return self.state == "on"

    def to_json(self, backend: str) -> dict[str, Any]:
        """The stable object of ``deskbreak autostart status --json``."""
        return {"state": self.state, "enabled": self.on, "backend": backend,
                "where": self.where, "why": self.why,
                "command": list(self.command) if self.command is not None else None}


def missing_program(program: str) -> str:
    return (f"on, but the program it starts is missing: {program} (moved or uninstalled?); "
            f"{AGAIN}")


class Autostart(ABC):
    """One platform's "start at login" setting."""

    name: ClassVar[str] = "?"

    @abstractmethod
    def status(self) -> AutostartState:
        """The effective state; never raises (an unreadable entry is state "error")."""

    @abstractmethod
    def enable(self, argv: Sequence[str]) -> str:
        """Start ``argv`` + ``run`` at login; what was done, in one line.

        Nothing is written when the entry already starts exactly that. An entry that is
        on but starts another program (an older installation that still exists) is
        rewritten, and the line says what it started before: the user asked for this
        deskbreak. AutostartError when it cannot be done, or must not be (the user's own
        "off" in a place deskbreak does not own).
        """

    @abstractmethod
    def disable(self) -> str:
        """Do not start deskbreak at login; what was done, in one line (AutostartError)."""

    def fingerprint(self) -> Hashable | None:
        """A cheap token that changes when the setting may have changed (file stats), so
        a tray menu redrawn often re-reads it only then; None: no such token, re-read."""
        return None
