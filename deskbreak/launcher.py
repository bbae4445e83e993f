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

from deskbreak.autostart.files import FileProblem, remove, write_atomic
from deskbreak.desktopfile import escape_string, exec_line, render_entry

FILE_NAME = "deskbreak.desktop"
HINT = "run `deskbreak install-desktop` again"
WHAT = "an application launcher"
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


def install_icons(data_home: Path) -> list[Path]:
    """deskbreak's icon in the user's hicolor theme; FileProblem when it cannot be."""
    from deskbreak import appicon

    try:
        written = appicon.install_icons(data_home)
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        raise FileProblem(f"cannot install the icon{where}: {exc.strerror or exc}") from None
    refresh_caches(data_home)
    return written


def launcher_text(argv: Sequence[str]) -> str:
    """The application-menu entry that runs ``argv run``."""
    return render_entry([
        ("Type", "Application"),
        ("Name", "deskbreak"),
        ("GenericName", "Break reminder"),
        ("Comment", escape_string(COMMENT)),
        ("Exec", exec_line([*argv, "run"])),
        ("Icon", "deskbreak"),
        ("Terminal", "false"),
        ("Categories", "Utility;"),
        ("Keywords", "break;stretch;posture;reminder;back;"),
        ("StartupNotify", "false"),
    ])


def launcher_path(data_home: Path) -> Path:
    return data_home / "applications" / FILE_NAME


def install(data_home: Path, argv: Sequence[str]) -> str:
    """Write the launcher and the icons; what was done, in one line (FileProblem)."""
    try:
        text = launcher_text(argv)
    except ValueError as exc:
        raise FileProblem(f"cannot write a launcher for {argv[0]}: {exc}") from None
    path = launcher_path(data_home)
    write_atomic(path, text.encode("utf-8"), WHAT, HINT)
    install_icons(data_home)
    return (f"Installed {path} (deskbreak in the application menu) and its icon in "
            f"{data_home / 'icons' / 'hicolor'}")


def uninstall(data_home: Path, *, keep_icons: bool) -> str:
    """Remove the launcher, and the icons unless ``keep_icons`` (an autostart entry
    still names them); what was done, in one line."""
    from deskbreak import appicon

    path = launcher_path(data_home)
    removed = remove(path, WHAT, HINT)
    done = [f"removed {path}" if removed else f"there was no {path}"]
    if keep_icons:
        done.append("kept the icon (the autostart entry uses it)")
    else:
        try:
            appicon.remove_icons(data_home)
        except OSError as exc:
            raise FileProblem(f"cannot remove the icon: {exc.strerror or exc}") from None
        done.append("removed its icon")
    refresh_caches(data_home)
    text = "; ".join(done)
    return text[0].upper() + text[1:]
