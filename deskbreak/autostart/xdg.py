"""Linux and the BSDs: an XDG autostart entry, ``$XDG_CONFIG_HOME/autostart/deskbreak.desktop``.

Desktop Application Autostart spec: the session starts every entry in the user's
autostart directory and in each ``$XDG_CONFIG_DIRS/autostart`` (``/etc/xdg``); a user
entry with the same file name replaces a system-wide one, which is how a user turns a
system-wide entry off (``Hidden=true``). GNOME's and others' "Startup Applications"
settings switch an entry off with ``X-GNOME-Autostart-enabled=false``. So the effective
state is read from the entry that wins, and both switches count as off.

``disable`` deletes the user entry, or, when a system-wide entry exists, writes one with
``Hidden=true`` over it; ``enable`` writes a fresh entry unless the one that counts
already starts this deskbreak (which also turns a switched-off one back on, and points
one that starts an older installation at this one: the user asked) and installs
deskbreak's icon so ``Icon=deskbreak`` resolves. ``disable`` removes the icon again
when nothing shows it any more: no entry the desktop lists, no application-menu
launcher (``deskbreak install-desktop``).
"""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path

from deskbreak import paths
from deskbreak.autostart.base import (
    AGAIN,
    Autostart,
    AutostartError,
    AutostartState,
    missing_program,
)
from deskbreak.autostart.files import FileProblem, read_small, remove, write_atomic
from deskbreak.desktopfile import (
    DesktopEntryError,
    boolean,
    command_of,
    escape_string,
    exec_keys,
    read_entry,
    render_entry,
    unescape_string,
)

FILE_NAME = "deskbreak.desktop"
NAME = "deskbreak"
COMMENT = "Reminds you to get up and stretch your lower back every 30 minutes of work"
WHAT = "an autostart entry"
HIDDEN = "(Hidden=true)"  # how a hidden entry's "off" ends
AGAIN_OFF = "run `deskbreak autostart off` again"


def runnable(program: str, which: Callable[[str], str | None] = shutil.which) -> bool:
    """Whether the session could start ``program``: an executable file, or a name on PATH."""
    if os.sep in program:
        return os.path.isfile(program) and os.access(program, os.X_OK)
    return which(program) is not None


def entry_text(argv: Sequence[str], *, hidden: bool = False) -> str:
    """The autostart entry that runs ``argv run`` (ValueError: argv cannot be written)."""
    return render_entry([
        ("Type", "Application"),
        ("Name", NAME),
        ("Comment", escape_string(COMMENT)),
        *exec_keys([*argv, "run"]),
        ("Icon", NAME),
        ("Terminal", "false"),
        ("X-GNOME-Autostart-enabled", "false" if hidden else "true"),
        *([("Hidden", "true")] if hidden else []),
    ])


def shown(argv: Sequence[str]) -> str:
    """A command as a person would type it in a shell."""
    return shlex.join(argv)


class XdgAutostart(Autostart):
    """The autostart entry in the user's config directory, above the system-wide ones."""

    name = "xdg"

    def __init__(self, config_home: Path, config_dirs: Sequence[Path],
                 data_home: Path | None = None, *,
                 install_icons: Callable[[Path, str], object] | None = None,
                 is_runnable: Callable[[str], bool] = runnable) -> None:
        """``install_icons`` and ``is_runnable`` are seams for tests."""
        self.path = config_home / "autostart" / FILE_NAME
        self.system_paths = [d / "autostart" / FILE_NAME for d in config_dirs]
        self.data_home = data_home
        self._install_icons = install_icons
        self._runnable = is_runnable

    @classmethod
    def from_environment(cls) -> XdgAutostart:
        return cls(paths.xdg_config_home(), paths.xdg_config_dirs(), paths.xdg_data_home())

    # --- reading -------------------------------------------------------------------------
    def system_path(self) -> Path | None:
        """The system-wide entry the session would use if the user had none."""
        return next((p for p in self.system_paths if p.exists()), None)

    def read(self, path: Path) -> AutostartState | None:
        """The state one entry file describes, None when absent (FileProblem: unreadable)."""
        data = read_small(path, WHAT, AGAIN)
        if data is None:
            return None
        where = str(path)
        try:
            keys = read_entry(data.decode("utf-8"))
        except UnicodeDecodeError:
            return AutostartState("error", where, f"{path} is not a desktop entry (not "
                                  f"UTF-8 text); move it away and {AGAIN}")
        except DesktopEntryError as exc:
            return AutostartState("error", where, f"{path} is not a valid desktop entry "
                                  f"({exc}); move it away and {AGAIN}")
        if boolean(keys.get("Hidden")) is True:
            system = self.system_path() if path == self.path else None
            why = f"{path} hides the system-wide entry {system} {HIDDEN}" if system \
                else f"turned off in {path} {HIDDEN}"
            return AutostartState("off", where, why)
        if boolean(keys.get("X-GNOME-Autostart-enabled")) is False:
            return AutostartState("off", where, f"turned off in {path} "
                                  "(X-GNOME-Autostart-enabled=false)")
        try:
            argv = command_of([("Exec", keys.get("Exec", "").strip())])
        except ValueError as exc:
            return AutostartState("broken", where, f"on, but {path} has an Exec line "
                                  f"that cannot be read ({exc}); {AGAIN}")
        if not argv:
            return AutostartState("broken", where, f"on, but {path} has no Exec line; {AGAIN}")
        try_exec = unescape_string(keys.get("TryExec", "").strip())
        for program in (try_exec, argv[0]):
            if program and not self._runnable(program):
                return AutostartState("broken", where, missing_program(program), tuple(argv))
        return AutostartState("on", where, None, tuple(argv))

    def status(self) -> AutostartState:
        try:
            state = self.read(self.path)
            if state is not None:
                return state
            system = self.system_path()
            state = self.read(system) if system is not None else None
        except FileProblem as exc:
            return AutostartState("error", str(self.path), str(exc))
        return state or AutostartState("off", str(self.path), f"there is no {self.path}")

    def fingerprint(self) -> Hashable:
        def stat(path: Path) -> tuple[int, int, int, int] | None:
            try:
                info = path.stat()
            except (OSError, ValueError):
                return None
            return info.st_ino, info.st_dev, info.st_mtime_ns, info.st_size
        return tuple(stat(p) for p in (self.path, *self.system_paths))

    # --- changing ------------------------------------------------------------------------
    def _readable(self, path: Path) -> AutostartState | None:
        """Like ``read``, but an entry deskbreak cannot read is an error to refuse on:
        what cannot be read is not replaced or deleted."""
        state = self.read(path)
        if state is not None and state.state == "error":
            raise AutostartError(state.why or f"{path} cannot be read")
        return state

    def _system_state(self) -> AutostartState | None:
        """The system-wide entry's state; one deskbreak cannot read counts as none, since
        the user's entry replaces it anyway."""
        system = self.system_path()
        try:
            return self.read(system) if system is not None else None
        except FileProblem:
            return None

    def enable(self, argv: Sequence[str]) -> str:
        """Write the user's entry to start ``argv run``, unless the entry that counts
        already starts exactly that: an entry that is on but starts another program (an
        old virtual environment that still exists, something else entirely) is rewritten,
        and the message says what it started before. A system-wide entry is left alone;
        one that starts another program is overridden by the user's entry."""
        user = self._readable(self.path)
        system = self._system_state() if user is None else None
        try:
            text = entry_text(argv)
            wanted = command_of(exec_keys([*argv, "run"]))
        except ValueError as exc:
            raise AutostartError(f"cannot write an autostart entry for {argv[0]}: "
                                 f"{exc}") from None
        if user is not None and user.on and user.command == wanted:
            message = f"Start at login is already on: {self.path} starts {shown(wanted)}"
        elif system is not None and system.on and self._same(system.command, wanted):
            message = f"Start at login is already on: the system-wide {system.where} " \
                      f"starts {shown(system.command or ())}"
        else:
            write_atomic(self.path, text.encode("utf-8"), WHAT, AGAIN)
            before = user if user is not None else system
            if before is not None and before.state in ("on", "broken") and before.command:
                whose = "" if before is user else f" (the system-wide {before.where})"
                message = f"Start at login: on ({self.path} now starts {shown(wanted)} " \
                          f"instead of {shown(before.command)}{whose})"
            else:
                message = f"Start at login: on ({self.path} starts {shown(wanted)})"
        return message + self._icon_note(install=True)

    def _same(self, command: Sequence[str] | None, wanted: Sequence[str]) -> bool:
        """Whether a system-wide entry's command starts the same program as ``wanted``:
        the same arguments, and a program name (looked up on PATH when bare) that is the
        same file, so a distribution's ``deskbreak run`` is not overridden needlessly."""
        if not command or len(command) != len(wanted) or command[1:] != wanted[1:]:
            return False
        program = command[0] if os.sep in command[0] else shutil.which(command[0])
        try:
            return program is not None and os.path.samefile(program, wanted[0])
        except OSError:
            return False

    def disable(self) -> str:
        return self._switch_off() + self._icon_note(install=False)

    def _switch_off(self) -> str:
        user = self._readable(self.path)
        if user is not None and user.state == "off":  # switched off already: theirs to keep
            return f"Start at login is already off ({user.why})"
        system = self.system_path()
        if system is None:
            if user is None:
                return f"Start at login is already off (there is no {self.path})"
            remove(self.path, WHAT, AGAIN)
            return f"Start at login: off (removed {self.path})"
        if user is None:
            state = self._system_state()
            if state is not None and state.state == "off":
                return f"Start at login is already off ({state.why})"
        write_atomic(self.path, entry_text([NAME], hidden=True).encode("utf-8"), WHAT, AGAIN)
        return f"Start at login: off ({self.path} hides the system-wide entry {system})"

    def uses_icon(self) -> bool:
        """Whether an autostart entry may show deskbreak's icon: one that starts (or
        tries to start) deskbreak, or the user's own switched off in their desktop's
        startup settings, which still list it with its icon; not a hidden one, which
        nothing lists. One that cannot be read may: its icon is kept."""
        state = self.status()
        if state.state != "off":
            return True
        return state.where == str(self.path) and os.path.lexists(self.path) \
            and not (state.why or "").endswith(HIDDEN)

    def _icon_note(self, *, install: bool) -> str:
        """After ``on``: install the icon ``Icon=deskbreak`` names. After ``off``: remove
        it when neither an autostart entry nor the application-menu launcher uses it any
        more. Either way a failure is said, never fatal (``launcher.icon_note``)."""
        from deskbreak import launcher

        data_home = self.data_home or paths.xdg_data_home()
        if install:
            put = self._install_icons or launcher.install_icons
            return launcher.icon_note(lambda: put(data_home, AGAIN), "installed")
        if os.path.lexists(launcher.launcher_path(data_home)) or self.uses_icon():
            return ""
        return launcher.icon_note(lambda: launcher.remove_icons(data_home, AGAIN_OFF),
                                  "removed", launcher.REMOVED)
