"""Windows: the ``deskbreak`` value of ``HKCU\\...\\CurrentVersion\\Run`` in the registry.

Explorer starts every command line under that key at login, unless the user switched
the entry off in Task Manager's Startup tab (or Settings > Apps > Startup). That choice
is kept apart, as a binary value of the same name under
``...\\Explorer\\StartupApproved\\Run`` whose first byte is odd when disabled. deskbreak
reads it and never writes it: a disabled entry is reported as off, and ``enable``
refuses, saying where to turn it back on. (If the Run value itself is missing, ``enable``
writes it so the entry is there to switch on in Task Manager, and still refuses.)

The registry sits behind the small ``Registry`` seam, so this module imports ``winreg``
only on Windows and is tested anywhere with a dictionary.
"""

from __future__ import annotations

import ntpath
import os
import subprocess
from collections.abc import Callable, Sequence
from typing import Protocol

from deskbreak.autostart.base import (
    AGAIN,
    Autostart,
    AutostartError,
    AutostartState,
    missing_program,
)

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
APPROVED_KEY = r"Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"
VALUE = "deskbreak"
WHERE = f"HKCU\\{RUN_KEY}\\{VALUE}"
TASK_MANAGER = "disabled in Task Manager's Startup tab"
REENABLE = ("start at login is disabled in Task Manager's Startup tab; turn deskbreak on "
            "there (Task Manager > Startup apps), deskbreak does not override it")


class Registry(Protocol):
    """The few registry operations used, on HKEY_CURRENT_USER."""

    def read(self, key: str, name: str) -> object | None:
        """The value's data (str for text, bytes for binary), None when absent."""

    def write_string(self, key: str, name: str, value: str) -> None: ...

    def delete(self, key: str, name: str) -> bool:
        """Remove the value; False when there was none."""


class CurrentUserRegistry:
    """``Registry`` on the real HKEY_CURRENT_USER (Windows only)."""

    def __init__(self) -> None:
        import winreg  # only exists on Windows

        self._winreg = winreg

    def read(self, key: str, name: str) -> object | None:
        winreg = self._winreg
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key) as handle:
                value, kind = winreg.QueryValueEx(handle, name)
        except FileNotFoundError:
            return None
        if kind == winreg.REG_EXPAND_SZ and isinstance(value, str):
            value = winreg.ExpandEnvironmentStrings(value)
        return value

    def write_string(self, key: str, name: str, value: str) -> None:
        winreg = self._winreg
        with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, key, 0,
                                winreg.KEY_SET_VALUE) as handle:
            winreg.SetValueEx(handle, name, 0, winreg.REG_SZ, value)

    def delete(self, key: str, name: str) -> bool:
        winreg = self._winreg
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key, 0,
                                winreg.KEY_SET_VALUE) as handle:
                winreg.DeleteValue(handle, name)
        except FileNotFoundError:
            return False
        return True


def split_command_line(line: str) -> list[str]:
    """The argv Windows programs see for ``line`` (the C runtime's rules: quotes group,
    2n backslashes before a quote are n, 2n+1 escape the quote)."""
    args: list[str] = []
    current: list[str] = []
    started = quoted = False
    index = 0
    while index < len(line):
        char = line[index]
        if char == "\\":
            end = index
            while end < len(line) and line[end] == "\\":
                end += 1
            count = end - index
            if end < len(line) and line[end] == '"':
                current.append("\\" * (count // 2))
                if count % 2:
                    current.append('"')
                    end += 1
                index, started = end, True
                continue
            current.append("\\" * count)
            index, started = end, True
            continue
        if char == '"':
            quoted, started = not quoted, True
        elif char in " \t" and not quoted:
            if started:
                args.append("".join(current))
            current, started = [], False
        else:
            current.append(char)
            started = True
        index += 1
    if started:
        args.append("".join(current))
    return args


def _same_command(command: Sequence[str], wanted: Sequence[str]) -> bool:
    """The same command line, the program's path compared as Windows does (any case)."""
    return len(command) == len(wanted) and len(wanted) > 0 \
        and ntpath.normcase(command[0]) == ntpath.normcase(wanted[0]) \
        and list(command[1:]) == list(wanted[1:])


def disabled_by_user(approved: object) -> bool:
    """Task Manager's record: a binary value whose first byte is odd means disabled."""
    return isinstance(approved, bytes | bytearray) and len(approved) > 0 \
        and approved[0] % 2 == 1


class WindowsRun(Autostart):
    """The Run value for deskbreak in the current user's registry."""

    name = "windows-run"

    def __init__(self, registry: Registry, *,
                 is_runnable: Callable[[str], bool] = os.path.isfile) -> None:
        self.registry = registry
        self._runnable = is_runnable

    @classmethod
    def from_environment(cls) -> WindowsRun:
        return cls(CurrentUserRegistry())

    def windowless(self, argv: Sequence[str]) -> list[str]:
        """``deskbreakw.exe`` (the GUI-subsystem script pip installs beside it) for
        ``deskbreak.exe``: a console script would open a console window at every login."""
        head, name = ntpath.split(argv[0]) if argv else ("", "")
        quiet = ntpath.join(head, "deskbreakw.exe")
        if name.lower() == "deskbreak.exe" and self._runnable(quiet):
            return [quiet, *argv[1:]]
        return list(argv)

    def _problem(self, exc: OSError, doing: str) -> AutostartError:
        return AutostartError(f"cannot {doing} {WHERE}: {exc.strerror or exc}")

    def status(self) -> AutostartState:
        try:
            value = self.registry.read(RUN_KEY, VALUE)
            approved = self.registry.read(APPROVED_KEY, VALUE)
        except OSError as exc:
            return AutostartState("error", WHERE, str(self._problem(exc, "read")))
        if value is None:
            return AutostartState("off", WHERE, f"there is no {WHERE}")
        if not isinstance(value, str) or not value.strip():
            return AutostartState("error", WHERE, f"{WHERE} is not a command line; delete "
                                  f"it in the Registry Editor and {AGAIN}")
        argv = split_command_line(value.strip())
        if disabled_by_user(approved):
            return AutostartState("off", WHERE, TASK_MANAGER, tuple(argv))
        if not self._runnable(argv[0]):
            return AutostartState("broken", WHERE, missing_program(argv[0]), tuple(argv))
        return AutostartState("on", WHERE, None, tuple(argv))

    def enable(self, argv: Sequence[str]) -> str:
        """Write the Run value for ``argv run`` unless it already starts exactly that; a
        value that starts another program (an old installation that still exists) is
        rewritten, saying what it started before. Task Manager's "disabled" is never
        overridden: then nothing is written (but a missing value, see the module)."""
        state = self.status()
        if state.state == "error":
            raise AutostartError(state.why or f"{WHERE} cannot be read")
        wanted = [*self.windowless(argv), "run"]
        line = subprocess.list2cmdline(wanted)
        if state.on and _same_command(state.command or (), wanted):
            return f"Start at login is already on: {WHERE} starts {line}"
        if state.why == TASK_MANAGER:  # the user's own "off": listed there, never overridden
            raise AutostartError(REENABLE)
        try:
            self.registry.write_string(RUN_KEY, VALUE, line)
            if disabled_by_user(self.registry.read(APPROVED_KEY, VALUE)):
                raise AutostartError(REENABLE)  # now listed in Task Manager, still off
        except OSError as exc:
            raise self._problem(exc, "write") from None
        if state.state in ("on", "broken") and state.command:
            return (f"Start at login: on ({WHERE} now starts {line} instead of "
                    f"{subprocess.list2cmdline(state.command)})")
        return f"Start at login: on ({WHERE} starts {line})"

    def disable(self) -> str:
        try:
            removed = self.registry.delete(RUN_KEY, VALUE)
        except OSError as exc:
            raise self._problem(exc, "remove") from None
        if not removed:
            return f"Start at login is already off (there is no {WHERE})"
        return f"Start at login: off (removed {WHERE})"
