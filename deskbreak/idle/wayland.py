"""Idle time from a Wayland compositor: told, never asked.

KWin, sway, Hyprland, river and most other compositors offer ``ext-idle-notify-v1``;
older KWin and wlroots (Debian 12's sway) offer KDE's ``org_kde_kwin_idle``. Both work
the same way: the client names a timeout and gets "idle" once the seat has had no input
for that long, then "resumed" at the next input. That is exactly the question the
planner asks (has the user been away for the idle threshold?), so the timeout is the
config's threshold, and each event wakes the daemon (``on_input``) instead of it asking
every minute. Between events the daemon reads what it was told:

- after "idle" at time t, the last input was at t - threshold, so the idle time is
  exact (``announced``: "resumed" will wake the daemon); a threshold changed while the
  user is away keeps the old ask until the new one speaks, so this stays true;
- before it, the idle time is somewhere below the threshold, and 0 is what the planner
  needs to know: the user is present.

A locked screen counts as away at once: the screen locker says so on the session bus
(``idle.lock``). The connection is ``deskbreak.wayland``'s: a socket the event loop
reads, no thread.
"""

from __future__ import annotations

import asyncio
import logging
import struct
import time
from collections.abc import Callable, Mapping

from deskbreak.core.model import IdleSample
from deskbreak.idle.base import IdleMonitor, IdleUnavailable
from deskbreak.idle.lock import LockWatch
from deskbreak.wayland import Connection, WaylandError

log = logging.getLogger(__name__)

EXT = "ext_idle_notifier_v1"
KDE = "org_kde_kwin_idle"
PROTOCOLS = (EXT, KDE)  # the standard one first
DEFAULT_AWAY_S = 300.0  # until the daemon says its threshold (the config's default)
SEAT_VERSION = 1  # the seat is only named in the request: its events are not needed
EXT_VERSION = 2  # v2 adds the notification that ignores idle inhibitors


class WaylandIdle(IdleMonitor):
    """The seat's idle state from the compositor, by the best protocol it offers."""

    name = "wayland"

    def __init__(self, env: Mapping[str, str] | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 bus_address: str | None = None) -> None:
        self._env = env
        self._clock = clock
        self._wl: Connection | None = None
        self.protocol: str | None = None
        self._version = 1
        self._seat = 0
        self._notifier = 0
        self._watch = 0  # the notification object for the current timeout
        self._old_watch = 0  # the one before a threshold change, kept while the user is away
        self._timeout = 0.0
        self._idle_since: float | None = None  # when the last input was, once idle
        self._lock: LockWatch | None = None
        self._lock_task: asyncio.Task[bool] | None = None
        self._bus_address = bus_address

    async def start(self) -> None:
        try:
            self._wl = await Connection.open(self._env)
        except WaylandError as exc:
            raise IdleUnavailable(str(exc)) from None
        wl = self._wl
        offered = [p for p in PROTOCOLS if p in wl.globals]
        if not offered:
            self.close_now()
            raise IdleUnavailable("the compositor offers neither ext-idle-notify-v1 nor "
                                  "org_kde_kwin_idle")
        if "wl_seat" not in wl.globals:
            self.close_now()
            raise IdleUnavailable("the compositor offers no seat")
        self.protocol = offered[0]
        self.name = f"wayland ({'ext-idle-notify-v1' if self.protocol == EXT else KDE})"
        wl.on_failure = self._lost
        try:
            self._seat, _ = wl.bind("wl_seat", SEAT_VERSION, lambda opcode, body: None)
            self._notifier, self._version = wl.bind(
                self.protocol, EXT_VERSION if self.protocol == EXT else 1,
                lambda opcode, body: None)
            self._watch_for(self.away_after or DEFAULT_AWAY_S)
            await wl.roundtrip()
        except WaylandError as exc:
            self.close_now()
            raise IdleUnavailable(str(exc)) from None
        # The lock is a refinement: a slow session bus must not hold up (or fail) the
        # start, so it is followed from a task of its own.
        self._lock = LockWatch(self._heard, self._bus_address)
        self._lock_task = asyncio.get_running_loop().create_task(self._lock.start())

    def _heard(self) -> None:
        if self.on_input is not None:
            self.on_input()

    def _watch_for(self, seconds: float) -> None:
        """Ask to be told after ``seconds`` without input (replacing an earlier ask).

        A new ask starts the compositor's count afresh, so when the threshold changes
        while the user is away, the old ask stays until the new one says "idle" or the
        old one says "resumed": the user is not taken as back, and the time they left
        stays exact.
        """
        wl = self._wl
        assert wl is not None
        self._retire(self._old_watch)
        if self._watch and self._idle_since is not None:
            self._old_watch = self._watch
        else:
            self._retire(self._watch)
        self._timeout = seconds
        self._watch = watch = wl.new_id(lambda opcode, body: self._event(watch, opcode))
        milliseconds = max(1, min(0xFFFFFFFF, round(seconds * 1000)))
        if self.protocol == EXT:
            # get_input_idle_notification (v2) ignores idle inhibitors: a video playing
            # must not hide that the user left (holding breaks for it is do-not-disturb's
            # job); v1 has only get_idle_notification. Same arguments: id, timeout, seat.
            opcode = 2 if self._version >= 2 else 1
            wl.request(self._notifier, opcode, struct.pack("=III", watch, milliseconds,
                                                           self._seat))
        else:  # get_idle_timeout(id, seat, timeout)
            wl.request(self._notifier, 0, struct.pack("=III", watch, self._seat,
                                                      milliseconds))

    def _retire(self, watch: int) -> None:
        """Destroy a notification object (opcode 0 in both protocols)."""
        wl = self._wl
        if watch and wl is not None and wl.failed is None:
            wl.request(watch, 0)
            wl.forget(watch)
        if watch == self._old_watch:
            self._old_watch = 0

    def _event(self, watch: int, opcode: int) -> None:
        """0: idled ("idle"), 1: resumed, in both protocols."""
        if opcode not in (0, 1):
            return
        if watch == self._old_watch:
            if opcode == 1:  # back before the new ask said anything
                self._idle_since = None
                self._retire(watch)
                self._heard()
            return
        if watch != self._watch:
            return
        if opcode == 0:
            if self._idle_since is None:
                self._idle_since = self._clock() - self._timeout
        else:
            self._idle_since = None
        self._retire(self._old_watch)
        self._heard()

    def _lost(self, why: str) -> None:
        log.warning("wayland idle source lost: %s", why)
        self._heard()  # the daemon reads it and learns it is gone

    async def sample(self) -> IdleSample:
        wl = self._wl
        if wl is None or wl.failed is not None:
            raise IdleUnavailable(wl.failed if wl is not None else "not started")
        wanted = self.away_after or DEFAULT_AWAY_S
        if abs(wanted - self._timeout) > 0.5:  # the threshold changed in the config
            try:
                self._watch_for(wanted)
            except WaylandError as exc:
                raise IdleUnavailable(str(exc)) from None
        locked = self._lock is not None and self._lock.locked
        if self._idle_since is None:  # an unlock is announced too
            return IdleSample(idle=0.0, locked=locked, announced=locked)
        return IdleSample(idle=max(0.0, self._clock() - self._idle_since), locked=locked,
                          announced=True)

    def close_now(self) -> None:
        wl, self._wl = self._wl, None
        if wl is not None:
            wl.close()
        task, self._lock_task = self._lock_task, None
        if task is not None:
            task.cancel()
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.close()

    async def close(self) -> None:
        self.close_now()
