"""Choosing and falling back between notification backends.

Order for ``notifier = "auto"``: desktop-notifier (buttons; on Linux our own
freedesktop client under the same name), plyer (text only), the terminal. A backend
that fails at run time is logged once and the next one takes the break; the preferred
ones are tried again at the next break, so a notification server that restarts is
picked up again.

The backends import ``deskbreak.appicon`` only when they first send an icon: a module
the daemon needs at the first break, not while it waits for it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Awaitable, Callable

from deskbreak.notify.base import (
    ActionHandler,
    BreakNotice,
    Notifier,
    NotifierUnavailable,
)

log = logging.getLogger(__name__)
__all__ = ["ActionHandler", "BreakNotice", "Notifier", "NotifierChain"]


def _make(name: str, on_action: ActionHandler) -> Notifier:
    if name == "desktop-notifier" and sys.platform.startswith("linux"):
        # The same notifications, spoken over dbus-fast directly: desktop-notifier would
        # only wrap these calls, for 1.6 MiB of the idle daemon's memory.
        from deskbreak.notify.freedesktop import FreedesktopNotifier
        return FreedesktopNotifier(on_action)
    if name == "desktop-notifier":  # Windows and macOS: their native centres
        from deskbreak.notify.desktop import DesktopNotifierBackend
        return DesktopNotifierBackend(on_action)
    if name == "plyer":
        from deskbreak.notify.plyer_backend import PlyerNotifier
        return PlyerNotifier(on_action)
    from deskbreak.notify.terminal import TerminalNotifier
    return TerminalNotifier(on_action)


ORDER = ("desktop-notifier", "plyer", "terminal")


class NotifierChain:
    """Presents the chosen backends as one; ``current`` is the one that last worked."""

    def __init__(self, choice: str, on_action: ActionHandler) -> None:
        names = ORDER if choice == "auto" else (choice, "terminal") if choice != "terminal" \
            else ("terminal",)
        self._backends = [_make(name, on_action) for name in names]
        self._started: set[str] = set()
        self._failing: dict[str, str] = {}
        self.current: Notifier = self._backends[-1]

    @property
    def name(self) -> str:
        return self.current.name

    @property
    def notes(self) -> list[str]:
        """Why preferred backends are not in use, for ``deskbreak status``."""
        return [f"{name} unavailable: {why}" for name, why in self._failing.items()]

    def _failed(self, backend: Notifier, why: str) -> None:
        if self._failing.get(backend.name) != why:
            log.warning("notifier %s unavailable: %s; falling back", backend.name, why)
        self._failing[backend.name] = why
        self._started.discard(backend.name)

    def _recovered(self, backend: Notifier) -> None:
        if backend.name in self._failing:
            log.info("notifier %s works again", backend.name)
            del self._failing[backend.name]
        if backend is not self.current:
            log.info("notifications now go through %s", backend.name)
        self.current = backend

    async def _ensure(self, backend: Notifier) -> None:
        if backend.name not in self._started:
            await backend.start()
            self._started.add(backend.name)

    async def start(self) -> str:
        """Pick the first backend that can work here; returns its name for the log."""
        for backend in self._backends:
            try:
                await self._ensure(backend)
            except NotifierUnavailable as exc:
                self._failed(backend, str(exc))
                continue
            self._recovered(backend)
            return backend.name
        return self.current.name

    async def _each(self, show: Callable[[Notifier], Awaitable[None]]) -> None:
        for backend in self._backends:
            try:
                await self._ensure(backend)
                await show(backend)
            except NotifierUnavailable as exc:
                self._failed(backend, str(exc))
                continue
            except Exception as exc:  # a library bug must not take the daemon down
                self._failed(backend, f"{type(exc).__name__}: {exc}")
                continue
            self._recovered(backend)
            return

    async def show(self, notice: BreakNotice) -> None:
        await self._each(lambda backend: backend.show(notice))

    async def show_steps(self, notice: BreakNotice) -> None:
        await self._each(lambda backend: backend.show_steps(notice))

    async def inform(self, title: str, body: str) -> None:
        await self._each(lambda backend: backend.inform(title, body))

    async def withdraw(self) -> None:
        try:
            await self.current.withdraw()
        except Exception as exc:
            log.debug("withdraw failed: %s", exc)

    async def close(self) -> None:
        for backend in self._backends:
            try:
                await backend.close()
            except Exception as exc:
                log.debug("closing %s: %s", backend.name, exc)
