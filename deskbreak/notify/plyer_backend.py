"""Notifications through plyer, the design's named notifier, kept as the text-only fallback.

plyer blocks and has no buttons or notification ids, so it runs in a worker thread with
a time limit and the user answers from the tray or the command line. Its notifications
name the app "deskbreak" and carry deskbreak's icon, as desktop-notifier's do.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import sys
from typing import Any

from deskbreak.notify.base import INFO_S, SHOW_S, BreakNotice, Notifier, NotifierUnavailable

log = logging.getLogger(__name__)

TIMEOUT_S = 10.0
APP_NAME = "deskbreak"
ICON_SIZE = 128  # as desktop-notifier's: sharp on HiDPI, scaled down by the server


def icon_file() -> str:
    """The icon file plyer passes on, or "" for none (then never Python's logo either).

    Windows balloon tips load only .ico files; everywhere else a PNG is what every
    notification server can show.
    """
    from deskbreak import appicon  # here, not at the top: see notify/__init__.py

    try:
        return str(appicon.ico() if sys.platform == "win32" else appicon.png(ICON_SIZE))
    except OSError as exc:
        log.warning("plyer notifications go without deskbreak's icon: %s", exc)
        return ""


def notify(notification: Any, title: str, message: str, timeout: int) -> None:
    """Call plyer's ``notification`` facade with deskbreak's name and icon.

    plyer 2.1's notify-send implementation (Linux without dbus-python, the usual case
    with pip) ignores the facade's ``app_icon`` and ``timeout``: it reads ``icon`` and
    ``expire_time`` instead, so its bubbles had no icon and never expired. That one
    implementation is given what it reads; every other one gets the public call.
    """
    icon = icon_file()
    send = notification._notify  # plyer's proxy hands out the platform implementation's
    if type(getattr(send, "__self__", None)).__name__ == "NotifySendNotification":
        send(title=title, message=message, app_name=APP_NAME, icon=icon,
             expire_time=str(timeout * 1000))
        return
    notification.notify(title=title, message=message, app_name=APP_NAME, app_icon=icon,
                        timeout=timeout)


class PlyerNotifier(Notifier):
    name = "plyer"

    async def start(self) -> None:
        if sys.platform.startswith("linux"):
            # notify-send "succeeds" with no server to show anything: ask the bus first.
            from deskbreak.notify.desktop import linux_service_present

            await linux_service_present()
            try:
                import dbus  # type: ignore[import-not-found]  # noqa: F401
            except ImportError:
                if shutil.which("notify-send") is None:
                    raise NotifierUnavailable(
                        "plyer needs dbus-python or notify-send (Debian: libnotify-bin)"
                    ) from None
        try:
            from plyer import notification  # noqa: F401
        except Exception as exc:  # plyer raises assorted errors on unsupported platforms
            raise NotifierUnavailable(f"plyer cannot load: {exc}") from None

    async def _send(self, title: str, message: str, timeout: int) -> None:
        from plyer import notification

        def call() -> None:
            notify(notification, title, message, timeout)

        try:
            await asyncio.wait_for(asyncio.to_thread(call), TIMEOUT_S)
        except Exception as exc:
            raise NotifierUnavailable(f"plyer failed: {exc or type(exc).__name__}") from None

    async def show(self, notice: BreakNotice) -> None:
        await self._send(notice.title, notice.body, SHOW_S)

    async def inform(self, title: str, body: str, seconds: int = INFO_S) -> None:
        await self._send(title, body, seconds)
