"""Opening a file in the user's editor of choice, per platform, without blocking the daemon."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path


def open_file(path: Path) -> str | None:
    """Hand ``path`` to the desktop's opener; returns a problem to report, or None."""
    try:
        if sys.platform == "win32":
            os.startfile(path)  # type: ignore[attr-defined]
            return None
        opener = "open" if sys.platform == "darwin" else "xdg-open"
        if shutil.which(opener) is None:
            return f"no {opener} to open {path}; open it by hand"
        child = subprocess.Popen([opener, str(path)], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 start_new_session=True)
        # Reaped when it exits (xdg-open hands over to the editor and quits), so no
        # zombie waits for the next "Open settings".
        threading.Thread(target=child.wait, name="opener-reaper", daemon=True).start()
    except OSError as exc:
        return f"cannot open {path}: {exc}"
    return None


def run_detached(argv: list[str], what: str) -> str | None:
    """Start a short-lived helper process; its failure, if any, is logged when it exits.

    Returns a problem when it cannot even start.
    """
    log = logging.getLogger("deskbreak")
    try:
        child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, start_new_session=True)
    except OSError as exc:
        return f"{what} failed: {exc.strerror or exc}"

    def reap() -> None:
        _, err = child.communicate()
        if child.returncode:
            message = err.decode("utf-8", "replace").strip().splitlines()
            log.warning("%s failed: %s", what, message[-1] if message else
                        f"exit status {child.returncode}")

    threading.Thread(target=reap, name="helper-reaper", daemon=True).start()
    return None


def open_settings(path: Path, defaults: str) -> tuple[str, bool]:
    """Open the user's config file, writing the annotated defaults first if it is missing.

    Returns what to tell the user, and whether it worked.
    """
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(defaults, encoding="utf-8")
    except OSError as exc:
        return f"cannot create {path}: {exc.strerror or exc}", False
    problem = open_file(path)
    return (problem, False) if problem else (f"Opened {path}", True)
