"""Idle time from a Wayland compositor: told, never asked.

KWin, sway, Hyprland, river and most other compositors offer ``ext-idle-notify-v1``;
older KWin and wlroots (Debian 12's sway) offer KDE's ``org_kde_kwin_idle``. Both work
the same way: the client names a timeout and gets "idle" once the seat has had no input
for that long, then "resumed" at the next input. That is exactly the question the
planner asks (has the user been away for the idle threshold?), so the timeout is the
config's threshold, and each event wakes the daemon (``on_input``) instead of it asking
every minute. Between events the daemon reads what it was told:

- after "idle" at time t, the last input was at t - threshold, so the idle time is
  exact (``announced``: "resumed" will wake the daemon);
- before it, the idle time is somewhere below the threshold, and 0 is what the planner
  needs to know: the user is present.

A locked screen counts as away at once: the screen locker says so on the session bus
(``idle.lock``). The connection is ``deskbreak.wayland``'s: a socket the event loop
reads, no thread.
"""

from __future__ import annotations

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
        self._seat = 0
        self._notifier = 0
        self._watch = 0  # the notification object for the current timeout
        self._timeout = 0.0
        self._idle_since: float | None = None  # when the last input was, once idle
        self._lock: LockWatch | None = None
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
            self._seat = wl.bind("wl_seat", SEAT_VERSION, lambda opcode, body: None)
            self._notifier = wl.bind(self.protocol, 1, lambda opcode, body: None)
            self._watch_for(self.away_after or DEFAULT_AWAY_S)
            await wl.roundtrip()
        except WaylandError as exc:
            self.close_now()
            raise IdleUnavailable(str(exc)) from None
        self._lock = LockWatch(self._heard, self._bus_address)
        await self._lock.start()

    def _heard(self) -> None:
        if self.on_input is not None:
            self.on_input()

    def _watch_for(self, seconds: float) -> None:
        """Ask to be told after ``seconds`` without input (replacing an earlier ask)."""
        wl = self._wl
        assert wl is not None
        if self._watch:
            wl.request(self._watch, 0)  # destroy / release: opcode 0 in both protocols
            wl.forget(self._watch)
        self._timeout = seconds
        self._idle_since = None
        self._watch = wl.new_id(self._event)
        milliseconds = max(1, min(0xFFFFFFFF, round(seconds * 1000)))
        if self.protocol == EXT:  # get_idle_notification(id, timeout, seat)
            wl.request(self._notifier, 1, struct.pack("=III", self._watch, milliseconds,
                                                      self._seat))
        else:  # get_idle_timeout(id, seat, timeout)
            wl.request(self._notifier, 0, struct.pack("=III", self._watch, self._seat,
                                                      milliseconds))

    def _event(self, opcode: int, body: bytes) -> None:
        """0: idled ("idle"), 1: resumed, in both protocols."""
        if opcode == 0:
            self._idle_since = self._clock() - self._timeout
        elif opcode == 1:
            self._idle_since = None
        else:
            return
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
        return IdleSample(idle=max(self._timeout, self._clock() - self._idle_since),
                          locked=locked, announced=True)

    def close_now(self) -> None:
        wl, self._wl = self._wl, None
        if wl is not None:
            wl.close()
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.close()

    async def close(self) -> None:
        self.close_now()
