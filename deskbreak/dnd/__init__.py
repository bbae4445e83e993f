"""Gather the do-not-disturb sources that work here into one ``DndMonitor``.

Source modules are imported only when tried (Linux never loads shell32 code, Windows
never python-xlib). Linux: a fullscreen window (X11, or a wlroots compositor's), dunst
paused, the notification server's Inhibited property (KDE Plasma), GNOME banners off,
idle inhibited. Windows: the shell's notification state. macOS has no source yet (Focus
modes have no public query without PyObjC), so breaks are never held back there; the
chooser says so in its notes.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import sys
from collections.abc import Iterable

from deskbreak.dnd.base import DndSource, DndUnavailable

log = logging.getLogger(__name__)

ASK_TIMEOUT_S = 2.0
START_TIMEOUT_S = 5.0
MACOS_NOTE = "macOS has no do-not-disturb source yet: breaks are not held back for Focus"
WAYLAND_NOTE = "fullscreen: on Wayland only X11 (XWayland) windows are seen"
_SOURCES: dict[str, tuple[str, ...]] = {
    "linux": (
        "deskbreak.dnd.fullscreen_wayland:FullscreenWayland",
        "deskbreak.dnd.fullscreen_x11:FullscreenX11",
        "deskbreak.dnd.server_flag:DunstPaused",
        "deskbreak.dnd.server_flag:NotificationsInhibited",
        "deskbreak.dnd.gnome:GnomeBanners",
        "deskbreak.dnd.inhibit:IdleInhibited",
    ),
    "win32": ("deskbreak.dnd.windows:WindowsNotificationState",),
    "darwin": (),
}


class DndMonitor:
    """Asks every live source at once; each gets ``timeout`` seconds to answer.

    A source that raises is dropped for good (one log line): a broken D-Bus connection
    or a vanished display will not come back by asking again. A source that is merely
    slow is kept and skipped this time, logged once, so a briefly stalled desktop
    service does not lose its source for the rest of the session.
    """

    def __init__(self, sources: Iterable[DndSource], timeout: float = ASK_TIMEOUT_S) -> None:
        self._sources = list(sources)
        self._timeout = timeout
        self._slow_logged: set[str] = set()

    @property
    def names(self) -> tuple[str, ...]:
        """Names of the sources still in use."""
        return tuple(source.name for source in self._sources)

    async def reasons(self) -> tuple[str, ...]:
        """Every current reason to hold a break back, without duplicates; () means go."""
        answers = await asyncio.gather(*(self._ask(s) for s in list(self._sources)))
        return tuple(dict.fromkeys(answer for answer in answers if answer))

    async def _ask(self, source: DndSource) -> str | None:
        try:
            return await asyncio.wait_for(source.reason(), self._timeout)
        except TimeoutError:
            if source.name not in self._slow_logged:
                self._slow_logged.add(source.name)
                log.warning("do-not-disturb source %s did not answer within %gs; skipped",
                            source.name, self._timeout)
            return None
        except Exception as exc:
            log.warning("do-not-disturb source %s failed and is dropped: %s", source.name, exc)
            if source in self._sources:
                self._sources.remove(source)
            await _close_quietly(source)
            return None

    async def close(self) -> None:
        sources, self._sources = self._sources, []
        for source in sources:
            await _close_quietly(source)


async def _close_quietly(source: DndSource) -> None:
    with contextlib.suppress(Exception):
        await source.close()


def _load(spec: str) -> DndSource:
    """Import one source module and build its source (tests replace this)."""
    module_name, _, class_name = spec.partition(":")
    return getattr(importlib.import_module(module_name), class_name)()


def source_specs(platform: str) -> tuple[str, ...]:
    """"module:Class" of every source to try on this platform (other Unixes as Linux)."""
    return _SOURCES.get(platform, _SOURCES["linux"])


async def choose_dnd() -> tuple[DndMonitor, list[str]]:
    """A monitor over every source whose start() works, and why the others are missing."""
    notes: list[str] = []
    if sys.platform == "darwin":
        notes.append(MACOS_NOTE)
    started: list[DndSource] = []
    for spec in source_specs(sys.platform):
        label = spec.rpartition(":")[2]
        source: DndSource | None = None
        try:
            source = _load(spec)
            label = source.name
            await asyncio.wait_for(source.start(), START_TIMEOUT_S)
        except DndUnavailable as exc:
            notes.append(f"{label}: {exc}")
        except TimeoutError:
            notes.append(f"{label}: no answer within {START_TIMEOUT_S:g}s")
        except Exception as exc:
            log.warning("do-not-disturb source %s failed to start", label, exc_info=True)
            notes.append(f"{label}: {type(exc).__name__}: {exc}")
        else:
            started.append(source)
            if source.name == "fullscreen" and os.environ.get("WAYLAND_DISPLAY") \
                    and "fullscreen-wayland" not in [s.name for s in started]:
                notes.append(WAYLAND_NOTE)
            continue
        if source is not None:
            await _close_quietly(source)
    return DndMonitor(started), notes


__all__ = ["DndMonitor", "DndSource", "DndUnavailable", "choose_dnd"]
