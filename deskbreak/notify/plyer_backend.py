"""Notifications through plyer, the design's named notifier, kept as the text-only fallback.

plyer blocks and has no buttons or notification ids, so it runs in a worker thread with
a time limit and the user answers from the tray or the command line.
"""

from __future__ import annotations

import asyncio
import shutil
import sys

from deskbreak.notify.base import INFO_S, SHOW_S, BreakNotice, Notifier, NotifierUnavailable

TIMEOUT_S = 10.0


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
            notification.notify(title=title, message=message, app_name="deskbreak",
                                timeout=timeout)

        try:
            await asyncio.wait_for(asyncio.to_thread(call), TIMEOUT_S)
        except Exception as exc:
            raise NotifierUnavailable(f"plyer failed: {exc or type(exc).__name__}") from None

    async def show(self, notice: BreakNotice) -> None:
        await self._send(notice.title, notice.body, SHOW_S)

    async def inform(self, title: str, body: str, seconds: int = INFO_S) -> None:
        await self._send(title, body, seconds)
