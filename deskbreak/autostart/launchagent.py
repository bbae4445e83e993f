"""macOS: a LaunchAgent, ``~/Library/LaunchAgents/io.github.deskbreak.plist``.

launchd loads every property list in the user's LaunchAgents folder at login and, with
``RunAtLoad``, starts its ``ProgramArguments`` once. ``Disabled`` set to true (or no
``RunAtLoad``) means it starts nothing: that is off. The file is written with
``plistlib`` through a temporary file, so a full disk never leaves launchd half a plist.
It takes effect at the next login; deskbreak does not call ``launchctl`` to start a
second copy of itself now.

Not reported here: a LaunchAgent the user switched off under System Settings > General >
Login Items (macOS 13+) is recorded in a database only the system reads; status says
"on" for it, and the system does not start it.
"""

from __future__ import annotations

import os
import plistlib
import shlex
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Any

from deskbreak.autostart.base import (
    AGAIN,
    Autostart,
    AutostartError,
    AutostartState,
    missing_program,
)
from deskbreak.autostart.files import FileProblem, read_small, remove, write_atomic

LABEL = "io.github.deskbreak"  # the reverse-DNS id launchd knows deskbreak by
WHAT = "a LaunchAgent property list"


def executable(program: str) -> bool:
    return os.path.isfile(program) and os.access(program, os.X_OK)


def agent(argv: Sequence[str]) -> dict[str, Any]:
    """The property list that starts ``argv run`` at login."""
    return {"Label": LABEL, "ProgramArguments": [*argv, "run"], "RunAtLoad": True}


class LaunchAgent(Autostart):
    """The user's LaunchAgent for deskbreak."""

    name = "launchagent"

    def __init__(self, home: Path, *,
                 is_runnable: Callable[[str], bool] = executable) -> None:
        """``home``: the user's home folder; ``is_runnable``: a seam for tests."""
        self.path = home / "Library" / "LaunchAgents" / f"{LABEL}.plist"
        self._runnable = is_runnable

    @classmethod
    def from_environment(cls) -> LaunchAgent:
        return cls(Path.home())

    def _read(self) -> AutostartState | None:
        data = read_small(self.path, WHAT, AGAIN)
        if data is None:
            return None
        where = str(self.path)
        try:
            plist = plistlib.loads(data)
        except Exception as exc:  # InvalidFileException, ExpatError, ValueError, ...
            return AutostartState("error", where, f"{self.path} is not a property list "
                                  f"({type(exc).__name__}); move it away and {AGAIN}")
        if not isinstance(plist, dict):
            return AutostartState("error", where, f"{self.path} is not a LaunchAgent (no "
                                  f"dictionary at the top); move it away and {AGAIN}")
        if plist.get("Disabled") is True:
            return AutostartState("off", where, f"turned off in {self.path} (Disabled)")
        if plist.get("RunAtLoad") is not True:
            return AutostartState("off", where, f"{self.path} does not start deskbreak "
                                  "at login (no RunAtLoad)")
        argv = plist.get("ProgramArguments")
        if not isinstance(argv, list) or not argv or not all(isinstance(a, str) for a in argv):
            program = plist.get("Program")
            if not isinstance(program, str):
                return AutostartState("broken", where, f"on, but {self.path} names no "
                                      f"program to start; {AGAIN}")
            argv = [program]
        if not self._runnable(argv[0]):
            return AutostartState("broken", where, missing_program(argv[0]), tuple(argv))
        return AutostartState("on", where, None, tuple(argv))

    def status(self) -> AutostartState:
        try:
            state = self._read()
        except FileProblem as exc:
            return AutostartState("error", str(self.path), str(exc))
        return state or AutostartState("off", str(self.path), f"there is no {self.path}")

    def fingerprint(self) -> Hashable:
        try:
            info = self.path.stat()
        except (OSError, ValueError):
            return None
        return info.st_ino, info.st_dev, info.st_mtime_ns, info.st_size

    def enable(self, argv: Sequence[str]) -> str:
        """Write the LaunchAgent for ``argv run`` unless it already starts exactly that;
        one that starts another program (an old installation that still exists) is
        rewritten, saying what it started before."""
        state = self._read()
        if state is not None and state.state == "error":
            raise AutostartError(state.why or f"{self.path} cannot be read")
        wanted = (*argv, "run")
        if state is not None and state.on and state.command == wanted:
            return f"Start at login is already on: {self.path} starts {shlex.join(wanted)}"
        try:
            data = plistlib.dumps(agent(argv))
        except ValueError as exc:  # a path that is not UTF-8
            raise AutostartError(f"cannot write a LaunchAgent for {argv[0]!r}: {exc}") \
                from None
        write_atomic(self.path, data, WHAT, AGAIN)
        if state is not None and state.state in ("on", "broken") and state.command:
            return (f"Start at login: on ({self.path} now starts {shlex.join(wanted)} "
                    f"instead of {shlex.join(state.command)})")
        return f"Start at login: on ({self.path} starts {shlex.join(wanted)})"

    def disable(self) -> str:
        state = self._read()
        if state is not None and state.state == "error":
            raise AutostartError(state.why or f"{self.path} cannot be read")
        if not remove(self.path, WHAT, AGAIN):
            return f"Start at login is already off (there is no {self.path})"
        return f"Start at login: off (removed {self.path})"
