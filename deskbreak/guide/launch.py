"""Starting the guide window from the daemon, without loading a toolkit into it.

The window runs in a process of its own (``deskbreak guide ID --report``) that reports
back over the control channel and exits when closed, so the idle daemon pays nothing
for it. Whether it can open at all is judged here cheaply (a display to show it on, and
Tk present), without importing tkinter; where it cannot, the daemon shows the steps in
a notification instead and says why, once.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Sequence

from deskbreak.opener import run_detached


def why_no_window() -> str | None:
    """One line on why no guide window can be shown here, or None."""
    if sys.platform not in ("win32", "darwin") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return "no display to show the guide window on"
    if importlib.util.find_spec("_tkinter") is None:
        return "tkinter is missing (Debian: apt install python3-tk)"
    return None


def launch(exercise_id: str, *, sound: bool, routine: Sequence[str] = (),
           walk: bool = False) -> str | None:
    """Open the guide for ``exercise_id`` (or a trip's ``routine`` of several, and the
    walk); a problem to report, or None."""
    argv = [sys.executable, "-m", "deskbreak", "guide", *(routine or [exercise_id]),
            "--report"]
    if walk:
        argv.append("--walk")
    if sound:
        argv.append("--sound")
    return run_detached(argv, "the guide window")
