"""Notifications with Start / Snooze / Skip buttons through desktop-notifier.

The primary backend: over D-Bus on Linux (dbus-fast, no compiled code), native centres on
Windows and macOS. desktop-notifier logs and swallows send failures, so success is
judged by its ``on_dispatched`` callback, which only fires once the server took it.

Every notification names the app "deskbreak" and carries deskbreak's own icon:
desktop-notifier's default is the Python logo, which tells a user nothing about who is
asking them to stand up.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deskbreak.core.commands import Command, Done, Skip, Snooze, Start
from deskbreak.notify.base import (
    INFO_S,
    SHOW_S,
    STEPS_S,
    ActionHandler,
    BreakNotice,
    Notifier,
    NotifierUnavailable,
)

if TYPE_CHECKING:
    from desktop_notifier import Icon

log = logging.getLogger(__name__)

APP_NAME = "deskbreak"
#: The icon sent with notifications: a PNG, which every server (and Windows, which
#: registers it as the app's icon) can show; 128 pixels stays sharp on a HiDPI screen,
#: and servers scale it down to the size they draw.
ICON_SIZE = 128


def app_icon() -> Icon | None:
    """deskbreak's icon as a desktop-notifier ``Icon``, or None (never the Python logo).

    A package installed without its data files still notifies, only without an icon: a
    missing picture is no reason to miss a break.
    """
    from desktop_notifier import Icon

    from deskbreak import appicon  # here, not at the top: see notify/__init__.py

    try:
        return Icon(path=appicon.png(ICON_SIZE))
    except OSError as exc:
        log.warning("notifications go without deskbreak's icon: %s", exc)
        return None


async def linux_service_present() -> None:
    """Refuse early when no notification server owns (or can start) the D-Bus name."""
    from dbus_fast import BusType, Message, MessageType
    from dbus_fast.aio import MessageBus

    name = "org.freedesktop.Notifications"
    try:
        bus = await MessageBus(bus_type=BusType.SESSION).connect()
    except Exception as exc:
        raise NotifierUnavailable(f"no D-Bus session bus ({exc})") from None
    try:
        for member, body in (("NameHasOwner", [name]), ("ListActivatableNames", [])):
            reply = await bus.call(Message(
                destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
                interface="org.freedesktop.DBus", member=member,
                signature="s" if body else "", body=body))
            if reply is None or reply.message_type != MessageType.METHOD_RETURN:
                continue
            value = reply.body[0]
            if value is True or (isinstance(value, list) and name in value):
                return
        raise NotifierUnavailable("no notification server on the session bus")
    finally:
        bus.disconnect()


class DesktopNotifierBackend(Notifier):
    name = "desktop-notifier"
    has_actions = True

    def __init__(self, on_action: ActionHandler) -> None:
        super().__init__(on_action)
        self._notifier: Any = None
        self._shown: str | None = None

    async def start(self) -> None:
        try:
            from desktop_notifier import DesktopNotifier
            from desktop_notifier.main import get_backend_class
        except Exception as exc:
            raise NotifierUnavailable(f"desktop-notifier cannot load: {exc}") from None
        if get_backend_class().__name__ == "DummyNotificationCenter":
            raise NotifierUnavailable("desktop-notifier has no backend on this system "
                                      "(macOS needs an app bundle)")
        if sys.platform.startswith("linux"):
            await linux_service_present()
        self._notifier = DesktopNotifier(app_name=APP_NAME, app_icon=app_icon())

    async def _send(self, title: str, message: str, timeout: int,
                    buttons: Sequence[tuple[str, Command]] = (),
                    on_click: Command | None = None, *, sound: bool = False,
                    picture: str = "") -> str:
        """Send one notification; each button (label, command) answers with its command.

        ``sound``: the desktop's default notification sound (on Linux the freedesktop
        ``sound-name`` hint "default"; servers without sounds ignore it).
        """
        from desktop_notifier import DEFAULT_SOUND, Button

        if self._notifier is None:
            await self.start()
        dispatched: list[bool] = []
        kwargs: dict[str, Any] = {}
        if buttons:
            kwargs["buttons"] = [
                Button(title=label, on_pressed=lambda command=command: self._answer(command))
                for label, command in buttons]
        if on_click is not None:
            kwargs["on_clicked"] = lambda: self._answer(on_click)
        if sound:
            kwargs["sound"] = DEFAULT_SOUND
        if picture:  # macOS and Windows show it as the notification's attachment
            from desktop_notifier import Attachment

            kwargs["attachment"] = Attachment(path=Path(picture))
        ident = await self._notifier.send(
            title=title, message=message, timeout=timeout,
            on_dispatched=lambda: dispatched.append(True), **kwargs)
        if not dispatched:
            self._notifier = None  # reconnect next time: the server may come back
            raise NotifierUnavailable("the notification server did not take the notification")
        return str(ident)

    def _answer(self, command: Command) -> None:
        self._shown = None
        self.on_action(command)

    async def show(self, notice: BreakNotice) -> None:
        await self.withdraw()
        start = [("Start", Start())] if notice.startable else []
        snooze = [("Snooze", Snooze())] if notice.snoozable else []
        buttons = [*start, *snooze, ("Skip", Skip())]
        self._shown = await self._send(notice.title, notice.body, SHOW_S, buttons,
                                       on_click=Start() if notice.startable else None,
                                       sound=notice.sound)

    async def show_steps(self, notice: BreakNotice) -> None:
        """The steps, with Done to say the stretch was done (history counts it)."""
        await self.withdraw()
        self._shown = await self._send(notice.title, notice.steps, STEPS_S,
                                       [("Done", Done())], picture=notice.picture)

    async def inform(self, title: str, body: str, seconds: int = INFO_S) -> None:
        await self._send(title, body, seconds)

    async def withdraw(self) -> None:
        if self._shown is not None and self._notifier is not None:
            ident, self._shown = self._shown, None
            try:
                await self._notifier.clear(ident)
            except Exception as exc:  # already closed, or the server went away
                log.debug("could not withdraw notification: %s", exc)
