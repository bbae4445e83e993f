"""deskbreak in the desktop's application menu: a launcher and the icon it names.

``deskbreak install-desktop`` writes ``$XDG_DATA_HOME/applications/deskbreak.desktop``
(``~/.local/share``), which application menus and launchers (GNOME's overview, KDE's
menu, rofi...) list, and copies deskbreak's icon into the user's hicolor icon theme so
``Icon=deskbreak`` resolves there and in the autostart entry. Starting it while deskbreak
already runs is harmless: the second ``deskbreak run`` says so and exits.

The desktop's caches are refreshed only with tools that are there, and only where they
help: ``update-desktop-database`` for the applications folder, and
``gtk-update-icon-cache`` only when the user's theme already has a cache (writing a new
one would freeze that folder's list of icons for GTK until the next update).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

from deskbreak import appicon
from deskbreak.autostart.files import FileProblem, check_replaceable, remove, write_atomic
from deskbreak.desktopfile import escape_string, exec_keys, render_entry

FILE_NAME = "deskbreak.desktop"
HINT = "run `deskbreak install-desktop` again"
HINT_REMOVE = "run `deskbreak install-desktop --remove` again"
WHAT = "an application launcher"
ICON = "an icon"
REMOVED = "; removed its icon"
COMMENT = "Reminds you to get up and stretch your lower back every 30 minutes of work"
log = logging.getLogger("deskbreak")

Runner = Callable[[Sequence[str]], object]


def _run_quietly(argv: Sequence[str]) -> object:
    try:
        return subprocess.run(list(argv), stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=20, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        log.debug("%s failed: %s", argv[0], exc)
        return None


def refresh_caches(data_home: Path, *, which: Callable[[str], str | None] = shutil.which,
                   run: Runner = _run_quietly) -> list[str]:
    """Update the desktop's caches with the tools that exist; the tools run."""
    ran: list[str] = []
    applications = data_home / "applications"
    if applications.is_dir() and (tool := which("update-desktop-database")):
        run([tool, "-q", str(applications)])
        ran.append("update-desktop-database")
    theme = data_home / "icons" / "hicolor"
    if (theme / "icon-theme.cache").exists() and (tool := which("gtk-update-icon-cache")):
        run([tool, "-q", "-t", "-f", str(theme)])
        ran.append("gtk-update-icon-cache")
    return ran


def install_icons(data_home: Path, hint: str = HINT) -> list[Path]:
    """deskbreak's icon in the user's hicolor theme (every size); the files written.

    FileProblem naming the real path when it cannot be, with ``hint`` for what to run
    after fixing it. Every place is checked before anything is written, so a directory
    or a link in one of them leaves the theme as it was; a disk that fills up midway
    leaves the sizes already copied (the message says how many), each one whole.
    """
    places = appicon.theme_files(data_home)
    for _name, target in places:
        check_replaceable(target, ICON, hint)
    written: list[Path] = []
    for name, target in places:
        try:
            data = appicon.shipped(name).read_bytes()
        except OSError as exc:
            raise FileProblem(f"cannot read deskbreak's icon {exc.filename or name}: "
                              f"{exc.strerror or exc}; reinstall deskbreak") from None
        try:
            write_atomic(target, data, ICON, hint)
        except FileProblem as exc:
            done = f" ({len(written)} of its {len(places)} files were written)" if written \
                else ""
            raise FileProblem(f"{exc}{done}") from None
        written.append(target)
    appicon.touch_theme(data_home)
    refresh_caches(data_home)
    return written


def remove_icons(data_home: Path, hint: str) -> bool:
    """Delete the icons ``install_icons`` writes; whether there were any. FileProblem
    (naming the path) when one is a directory or a link: then none is removed."""
    places = [target for _name, target in appicon.theme_files(data_home)]
    present = [target for target in places if check_replaceable(target, ICON, hint)]
    removed = [target for target in present if remove(target, ICON, hint)]
    if removed:
        appicon.touch_theme(data_home)
        refresh_caches(data_home)
    return bool(removed)


def icons_present(data_home: Path) -> bool:
    """Whether any of the icon's files is in the theme, so "kept its icon" is only said
    of one that is there."""
    return any(target.is_file() for _name, target in appicon.theme_files(data_home))


def icon_note(change: Callable[[], object], failed: str, done: str = "") -> str:
    """Install or remove the icon after the entry that names it was changed; what to add
    to the command's line: ``done`` when ``change`` did something, "" when it had
    nothing to do, ``"; its icon was not <failed>: <why, naming the path>"``.

    The icon is an extra (an entry without it works, with a generic icon), so a failure
    neither fails the command nor undoes the entry; it is said after what was done.
    """
    try:
        changed = change()
    except FileProblem as exc:
        return f"; its icon was not {failed}: {exc}"
    return done if changed else ""


def launcher_text(argv: Sequence[str]) -> str:
    """The application-menu entry that runs ``argv run``."""
    return render_entry([
        ("Type", "Application"),
        ("Name", "deskbreak"),
        ("GenericName", "Break reminder"),
        ("Comment", escape_string(COMMENT)),
        *exec_keys([*argv, "run"]),
        ("Icon", "deskbreak"),
        ("Terminal", "false"),
        ("Categories", "Utility;"),
        ("Keywords", "break;stretch;posture;reminder;back;"),
        ("StartupNotify", "false"),
    ])


def launcher_path(data_home: Path) -> Path:
    return data_home / "applications" / FILE_NAME


def install(data_home: Path, argv: Sequence[str]) -> str:
    """Write the launcher, then the icons; what was done, in one line.

    FileProblem when the launcher cannot be written (nothing was changed then); an icon
    that cannot be installed is said in the line (``icon_note``).
    """
    try:
        text = launcher_text(argv)
    except ValueError as exc:
        raise FileProblem(f"cannot write a launcher for {argv[0]}: {exc}") from None
    path = launcher_path(data_home)
    write_atomic(path, text.encode("utf-8"), WHAT, HINT)
    done = f"Installed {path} (deskbreak in the application menu)"
    note = icon_note(lambda: install_icons(data_home, HINT), "installed")
    if note:
        return done + note
    return f"{done} and its icon in {data_home / 'icons' / 'hicolor'}"


def uninstall(data_home: Path, *, keep_icons: bool) -> str:
    """Remove the launcher, and the icons unless ``keep_icons`` (an autostart entry
    still shows them); what was done, in one line (FileProblem: the launcher cannot be
    removed, and nothing was)."""
    path = launcher_path(data_home)
    removed = remove(path, WHAT, HINT_REMOVE)
    done = f"Removed {path}" if removed else f"There was no {path}"
    if keep_icons:
        if icons_present(data_home):
            done += "; kept its icon (the autostart entry uses it)"
        note = ""
    else:
        note = icon_note(lambda: remove_icons(data_home, HINT_REMOVE), "removed", REMOVED)
    if note != REMOVED:  # remove_icons refreshed the caches when it removed something
        refresh_caches(data_home)
    return done + note
