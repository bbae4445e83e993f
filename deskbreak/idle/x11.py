"""X11 idle time from the MIT-SCREEN-SAVER extension, and the user's return from XInput 2.

The X server itself counts milliseconds since the last input event, so one request
answers "how long idle", with no polling thread. "Is the user back yet" would need that
question every minute while they are away; instead, once the user has been idle past
the threshold, this asks the server for XInput 2 raw input events on the root window
(every device, even under a grab with XI 2.1+) and stops asking at the first one, so
the daemon sleeps through a whole lunch and wakes the moment a key is pressed. While
the user works no events are selected: typing costs the daemon nothing.

Under XWayland the count covers only input sent to X11 windows, which is why the chooser
prefers the GNOME backend on Wayland.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from typing import Any

from deskbreak.core.model import IdleSample
from deskbreak.idle.base import IdleMonitor, IdleUnavailable
from deskbreak.xdisplay import open_display

log = logging.getLogger("deskbreak")

SCREEN_SAVER_ON = 1  # Xlib.ext.screensaver.StateOn
XI_ALL_MASTER_DEVICES = 1
XI_RAW_KEY_PRESS_MASK = 1 << 13
XI_RAW_BUTTON_PRESS_MASK = 1 << 15
XI_RAW_MOTION_MASK = 1 << 17
RAW_INPUT = XI_RAW_KEY_PRESS_MASK | XI_RAW_BUTTON_PRESS_MASK | XI_RAW_MOTION_MASK
GENERIC_EVENT = 35  # X.GenericEvent: how XInput 2 events arrive


class X11Idle(IdleMonitor):
    """Reads idle time and the screen-saver state; hears the first input while away.

    The requests run directly on the event loop, not in ``asyncio.to_thread``: each is one
    round trip over a local socket (tens of microseconds), so a thread hop would cost
    more than the call. If the server dies, python-xlib raises at once (the socket
    closes), it does not block.
    """

    name = "x11"

    def __init__(self, display_name: str | None = None) -> None:
        self._display_name = display_name
        self._display: Any = None
        self._listening = False  # raw input selected on the root window
        self._can_listen = False
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        name = self._display_name or os.environ.get("DISPLAY")
        if not name:
            raise IdleUnavailable("DISPLAY is not set")
        try:
            self._display = open_display(name)
        except ImportError as exc:
            raise IdleUnavailable(f"python-xlib is not installed ({exc})") from exc
        except Exception as exc:  # DisplayNameError, ConnectionClosedError, OSError...
            raise IdleUnavailable(f"cannot open X display {name}: {exc}") from exc
        if not self._display.has_extension("MIT-SCREEN-SAVER"):
            await self.close()
            raise IdleUnavailable(f"X display {name} lacks the MIT-SCREEN-SAVER extension")
        self._can_listen = self._xi2()
        if self._can_listen:
            self._loop = asyncio.get_running_loop()
            self._loop.add_reader(self._display.fileno(), self._readable)
        await self.sample()

    def _xi2(self) -> bool:
        """Whether the server speaks XInput 2.1 or later (raw events even under a grab, as
        while a screen locker holds the keyboard); without it, the daemon asks instead."""
        display = self._display
        if not (display.has_extension("XInputExtension")
                and display.has_extension("Generic Event Extension")):
            return False
        try:
            from Xlib.ext import xinput

            reply = xinput.XIQueryVersion(
                display=display.display,
                opcode=display.display.get_extension_major(xinput.extname),
                major_version=2, minor_version=2)
        except Exception as exc:
            log.debug("XInput 2 version query failed: %s", exc)
            return False
        return (reply.major_version, reply.minor_version) >= (2, 1)

    @property
    def announces(self) -> bool:
        """Whether this server can tell of the user's return (XInput 2.1)."""
        return self._can_listen

    async def sample(self) -> IdleSample:
        if self._display is None:
            raise IdleUnavailable("not started")
        try:
            idle, locked = self._query()
            away = self.away_after is not None and (locked or idle >= self.away_after)
            if away and self._can_listen and not self._listening:
                self._listen(True)
                # Asked again after listening: input just before it is in this count,
                # input after it comes as an event. Nothing falls in between.
                idle, locked = self._query()
                away = locked or idle >= self.away_after  # type: ignore[operator]
            if not away and self._listening:
                self._listen(False)
            heard = self._drain()
        except Exception as exc:  # the X connection broke or the server refused
            await self.close()
            raise IdleUnavailable(f"X idle query failed: {exc}") from exc
        if heard and self._listening:
            # Input read off the socket with the reply: the reader will not see it, so
            # this is the announcement, made once the sample is taken.
            self._readable_input()
        return IdleSample(idle=idle, locked=locked, announced=self._listening)

    def _query(self) -> tuple[float, bool]:
        info = self._display.screen().root.screensaver_query_info()
        # "On" means the saver is showing (a locker usually sits on top): the user is away.
        return info.idle / 1000.0, info.state == SCREEN_SAVER_ON

    def _listen(self, on: bool) -> None:
        from Xlib.ext import xinput

        display = self._display
        xinput.XISelectEvents(
            display=display.display,
            opcode=display.display.get_extension_major(xinput.extname),
            window=display.screen().root,
            masks=[(XI_ALL_MASTER_DEVICES, RAW_INPUT if on else 0)])
        display.flush()
        self._listening = on

    def _readable(self) -> None:
        """The X socket has data: raw input (the user is back), or other traffic."""
        try:
            heard = self._drain()
        except Exception as exc:  # the connection broke: the next sample says so
            log.debug("reading X events failed: %s", exc)
            if self._loop is not None and self._display is not None:
                self._loop.remove_reader(self._display.fileno())
            heard = True
        if heard and self._listening:
            self._readable_input()

    def _readable_input(self) -> None:
        with contextlib.suppress(Exception):
            self._listen(False)  # once is enough: typing must not wake us per key
        if self.on_input is not None:
            if self._loop is not None:
                self._loop.call_soon(self.on_input)
            else:
                self.on_input()

    def _drain(self) -> bool:
        """Take every queued event off the connection; whether one was raw input."""
        display = self._display
        heard = False
        if display is None:
            return False
        for _ in range(display.pending_events()):
            event = display.next_event()
            heard = heard or event.type == GENERIC_EVENT
        return heard

    async def close(self) -> None:
        display, self._display = self._display, None
        self._listening = False
        if display is not None:
            if self._loop is not None and self._can_listen:
                with contextlib.suppress(Exception):
                    self._loop.remove_reader(display.fileno())
            with contextlib.suppress(Exception):  # already broken: nothing left to release
                display.close()
