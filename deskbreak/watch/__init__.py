"""Wake the daemon when something it must look at changes, so it can sleep for long.

Without this the loop looks every minute, just in case: a resume, a clock set, a new
time zone or an edited config would otherwise go unseen until the next break. Where the
kernel can say so (Linux: ``watch.linux``), those moments wake the loop themselves and
it sleeps until the next thing it has planned. Elsewhere there is no watch and the
minute-long look stays.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from deskbreak.watch.base import Watch, WatchUnavailable

log = logging.getLogger("deskbreak")

__all__ = ["Watch", "WatchUnavailable", "choose_watch"]


def choose_watch(loop: asyncio.AbstractEventLoop, files: Iterable[Path],
                 poke: Callable[[str], None]) -> tuple[Watch | None, str | None]:
    """The watch for this platform, started, or None and why not (for ``status``)."""
    if not sys.platform.startswith("linux"):
        return None, f"no change watch on {sys.platform}: the daemon looks every minute"
    from deskbreak.watch.linux import LinuxWatch

    try:
        watch = LinuxWatch(loop, poke)
    except WatchUnavailable as exc:
        return None, f"no change watch ({exc}): the daemon looks every minute"
    try:
        watch.watch_files(files)
    except Exception as exc:  # out of inotify watches, a directory we may not read...
        watch.close()
        return None, f"no change watch ({exc}): the daemon looks every minute"
    return watch, None
