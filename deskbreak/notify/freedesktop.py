"""Notifications with Start / Snooze / Skip buttons, spoken straight to the desktop's server.

On Linux, desktop-notifier did nothing but wrap the freedesktop ``org.freedesktop.Notifications``
D-Bus interface in dbus-fast, which the daemon already loads for its tray; the wrapper
(its bidict, its generic notification model, introspection proxies) cost about 1.6 MiB of
the idle daemon's memory. This backend makes the same calls itself, with the same
result for the user: app name "deskbreak" and its icon, Start / Snooze / Skip as actions,
a click on the body (the "default" action) as Start, Done beside the steps, the desktop's
sound for trip breaks, and failures that let the chain fall back and try again at the
next break, so a notification server that starts late or restarts is picked up.

It keeps the backend's name "desktop-notifier": that is what ``notifier`` in the config
and ``deskbreak status`` have always called "the notifier with buttons", on every system.
Windows and macOS still use desktop-notifier itself (notify/desktop.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dbus_fast import BusType, Message, MessageType, Variant
from dbus_fast.aio import MessageBus

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

log = logging.getLogger(__name__)

APP_NAME = "deskbreak"
ICON_SIZE = 128  # as desktop-notifier's: sharp on HiDPI, scaled down by the server
SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
_DBUS = ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus")
#: A server that takes longer than this to answer is as good as absent for this break
#: (the daemon waits for the notifier before it does anything else).
CALL_TIMEOUT_S = 10.0
DEFAULT_ACTION = "default"  # the spec's key for a click on the notification's body
NORMAL_URGENCY = Variant("y", 1)
#: xfce4-notifyd shows a "default" action as a button labelled with its (empty) text
#: instead of running it on a click, so desktop-notifier left it out there; so do we.
NO_DEFAULT_ACTION = frozenset({"Xfce Notify Daemon"})
#: Tells us when the server leaves or is replaced (a restart): ids and capabilities
#: belong to one server process, so everything is asked again of the next one.
_OWNER_RULE = ("type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
               f"member='NameOwnerChanged',arg0='{SERVICE}'")


def _signal_rule(server: str) -> str:
    """ActionInvoked / NotificationClosed from this server process only: another program
    on the bus can send signals named alike, and must not press our buttons. (Match rules
    cannot filter on a uint32 argument, so our ids are checked on arrival.)"""
    return f"type='signal',sender='{server}',interface='{SERVICE}',path='{PATH}'"


def icon_uri() -> str:
    """deskbreak's icon as the ``app_icon`` argument (a file URI), or "" for none.

    A package installed without its data files still notifies, only without an icon: a
    missing picture is no reason to miss a break (and "" is never the Python logo).
    """
    from deskbreak import appicon  # here, not at the top: see notify/__init__.py

    try:
        return appicon.png(ICON_SIZE).as_uri()
    except OSError as exc:
        log.warning("notifications go without deskbreak's icon: %s", exc)
        return ""


def escape_markup(text: str) -> str:
    """Text shown as itself by a server that reads the body as markup ("body-markup").

    desktop-notifier passed bodies through untouched, which reads the same for every
    exercise deskbreak ships (none has ``&``, ``<`` or ``>``); a user's own exercise with
    "Sit & breathe" would otherwise show a markup error or vanish from the bubble.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cli_hint(buttons: Sequence[tuple[str, Command]]) -> str:
    """What to type instead of the buttons a server without actions cannot show."""
    if [command for _, command in buttons] == [Done()]:
        return "(when it is done: deskbreak done)"
    return "(answer with: deskbreak " + " | ".join(c.name for _, c in buttons) + ")"


async def _call(bus: MessageBus, dest: str, path: str, iface: str, member: str,
                signature: str = "", body: Sequence[Any] = ()) -> list[Any]:
    """One method call with a time limit; any failure is NotifierUnavailable."""
    message = Message(destination=dest, path=path, interface=iface, member=member,
                      signature=signature, body=list(body))
    try:
        reply = await asyncio.wait_for(bus.call(message), CALL_TIMEOUT_S)
    except Exception as exc:
        raise NotifierUnavailable(f"{member} failed: {exc or type(exc).__name__}") from None
    if reply is None or reply.message_type == MessageType.ERROR:
        detail = reply.body[0] if reply is not None and reply.body else ""
        name = reply.error_name if reply is not None else "no reply"
        raise NotifierUnavailable(f"{member}: {name} {detail}".rstrip())
    return list(reply.body)


class FreedesktopNotifier(Notifier):
    """The ``org.freedesktop.Notifications`` client: one session-bus connection of its own.

    Its own connection rather than the tray's: the tray is optional (``--no-tray``, an
    XEmbed tray) and restarts on its own schedule, and a second connection to the same
    bus costs a socket, not a library.
    """

    name = "desktop-notifier"
    has_actions = True

    def __init__(self, on_action: ActionHandler) -> None:
        super().__init__(on_action)
        self._bus: MessageBus | None = None
        self._server: str | None = None  # the unique name of the server we talk to
        self._rule: str | None = None
        self._caps: frozenset[str] = frozenset()
        self._default_action = True
        self._answers: dict[int, dict[str, Command]] = {}  # id -> action key -> command
        self._shown: int | None = None  # the unanswered break (or steps) on screen

    # -- connection ----------------------------------------------------------------------

    async def start(self) -> None:
        """Connect and find a server (starting an activatable one); NotifierUnavailable
        if there is none. Called again at each break until it works."""
        await self._ensure()

    async def _connect(self) -> MessageBus:
        if self._bus is not None and self._bus.connected:
            return self._bus
        self._forget_server()
        try:
            bus = await MessageBus(bus_type=BusType.SESSION).connect()
        except Exception as exc:
            raise NotifierUnavailable(f"no D-Bus session bus ({exc})") from None
        bus.add_message_handler(self._on_message)
        try:
            await _call(bus, *_DBUS, "AddMatch", "s", [_OWNER_RULE])
        except NotifierUnavailable:
            bus.disconnect()
            raise
        self._bus = bus
        return bus

    async def _ensure(self) -> tuple[MessageBus, str]:
        """The connection and the server's unique name, asked for once per server."""
        bus = await self._connect()
        if self._server is not None:
            return bus, self._server
        activatable = (await _call(bus, *_DBUS, "ListActivatableNames"))[0]
        if SERVICE not in activatable and not (
                await _call(bus, *_DBUS, "NameHasOwner", "s", [SERVICE]))[0]:
            raise NotifierUnavailable("no notification server on the session bus")
        # GetCapabilities first: it starts an activatable server, which then has an owner.
        caps = (await _call(bus, SERVICE, PATH, SERVICE, "GetCapabilities"))[0]
        server = (await _call(bus, *_DBUS, "GetNameOwner", "s", [SERVICE]))[0]
        info = await _call(bus, server, PATH, SERVICE, "GetServerInformation")
        rule = _signal_rule(server)
        await _call(bus, *_DBUS, "AddMatch", "s", [rule])
        self._server, self._rule, self._caps = server, rule, frozenset(caps)
        self._default_action = info[0] not in NO_DEFAULT_ACTION
        self.has_actions = "actions" in self._caps
        log.debug("notification server %s (%s), capabilities %s", info[0], server,
                  sorted(self._caps))
        return bus, server

    def _forget_server(self) -> None:
        """The server went away (or was replaced): its ids and answers go with it."""
        if self._rule is not None and self._bus is not None and self._bus.connected:
            self._bus.send(Message(destination=_DBUS[0], path=_DBUS[1], interface=_DBUS[2],
                                   member="RemoveMatch", signature="s", body=[self._rule]))
        self._server = self._rule = None
        self._answers.clear()
        self._shown = None

    # -- signals -------------------------------------------------------------------------

    def _on_message(self, msg: Message) -> None:
        if msg.message_type != MessageType.SIGNAL:
            return
        if msg.member == "NameOwnerChanged" and msg.sender == _DBUS[0]:
            name, old, _new = msg.body
            if name == SERVICE and old and old == self._server:
                log.info("the notification server left the bus")
                self._forget_server()
            return
        if self._server is None or msg.sender != self._server or msg.path != PATH \
                or msg.interface != SERVICE:
            return
        if msg.member == "ActionInvoked" and msg.signature == "us":
            nid, key = msg.body
            answers = self._answers.pop(nid, None)
            if answers is None:
                return  # not ours, or already answered (some servers say it twice)
            if nid == self._shown:
                self._shown = None
            command = answers.get(key)
            if command is not None:
                self.on_action(command)
        elif msg.member == "NotificationClosed" and msg.signature == "uu":
            nid = msg.body[0]
            self._answers.pop(nid, None)
            if nid == self._shown:
                self._shown = None

    # -- sending -------------------------------------------------------------------------

    async def _send(self, title: str, message: str, timeout: int,
                    buttons: Sequence[tuple[str, Command]] = (),
                    on_click: Command | None = None, *, sound: bool = False,
                    replaces: int | None = None, picture: str = "") -> int:
        """Send one notification; each button (label, command) answers with its command.
        ``picture``: a PNG shown beside the text (the ``image-path`` hint).

        A server that restarted since the last call is found again once; any other
        failure is NotifierUnavailable and the chain falls back for this break.
        """
        try:
            return await self._notify(title, message, timeout, buttons, on_click,
                                      sound=sound, replaces=replaces, picture=picture)
        except NotifierUnavailable:
            if self._server is None:
                raise
            self._forget_server()  # perhaps a new server took the name: ask it
            return await self._notify(title, message, timeout, buttons, on_click,
                                      sound=sound, replaces=None, picture=picture)

    async def _notify(self, title: str, message: str, timeout: int,
                      buttons: Sequence[tuple[str, Command]], on_click: Command | None, *,
                      sound: bool, replaces: int | None, picture: str = "") -> int:
        bus, server = await self._ensure()
        answers: dict[str, Command] = {}
        actions: list[str] = []
        if "actions" in self._caps:
            if self._default_action:  # as desktop-notifier: on every notification
                actions += [DEFAULT_ACTION, ""]
                if on_click is not None:
                    answers[DEFAULT_ACTION] = on_click
            for label, command in buttons:
                actions += [command.name, label]
                answers[command.name] = command
        elif buttons:
            message = f"{message}\n{cli_hint(buttons)}"
        if "body-markup" in self._caps:
            message = escape_markup(message)
        hints: dict[str, Variant] = {"urgency": NORMAL_URGENCY}
        if sound:  # the desktop's own notification sound; servers without sound ignore it
            hints["sound-name"] = Variant("s", "default")
        if picture:  # spec 1.2's name; servers that show no images ignore it
            hints["image-path"] = Variant("s", Path(picture).as_uri())
        replaces_id = replaces or 0
        # Its answers go now: a NotificationClosed for it may arrive before our reply.
        self._answers.pop(replaces_id, None)
        nid = (await _call(bus, server, PATH, SERVICE, "Notify", "susssasa{sv}i", [
            APP_NAME, replaces_id, icon_uri(), title, message, actions, hints,
            timeout * 1000]))[0]
        if answers:
            self._answers[nid] = answers
        return int(nid)

    async def show(self, notice: BreakNotice) -> None:
        """The break, in place of an unanswered earlier one (``replaces_id``)."""
        start = [("Start", Start())] if notice.startable else []
        snooze = [("Snooze", Snooze())] if notice.snoozable else []
        buttons = [*start, *snooze, ("Skip", Skip())]
        self._shown = await self._send(notice.title, notice.body, SHOW_S, buttons,
                                       on_click=Start() if notice.startable else None,
                                       sound=notice.sound, replaces=self._shown)

    async def show_steps(self, notice: BreakNotice) -> None:
        """The steps, with Done to say the stretch was done (history counts it); they take
        the break's place if it is still up (Start typed on the command line)."""
        self._shown = await self._send(notice.title, notice.steps, STEPS_S,
                                       [("Done", Done())], replaces=self._shown,
                                       picture=notice.picture)

    async def inform(self, title: str, body: str, seconds: int = INFO_S) -> None:
        await self._send(title, body, seconds)

    async def withdraw(self) -> None:
        if self._shown is None or self._bus is None or self._server is None:
            self._shown = None
            return
        nid, self._shown = self._shown, None
        self._answers.pop(nid, None)
        try:
            await _call(self._bus, self._server, PATH, SERVICE, "CloseNotification", "u",
                        [nid])
        except NotifierUnavailable as exc:  # already closed, or the server went away
            log.debug("could not withdraw notification: %s", exc)

    async def close(self) -> None:
        bus, self._bus = self._bus, None
        self._server = self._rule = None
        if bus is not None and bus.connected:
            bus.disconnect()
