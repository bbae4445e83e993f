"""When the next break is due, as a pure state machine over a monotonic clock.

The daemon feeds it the time (seconds on a monotonic clock) and the user's commands and
asks when to wake up next; nothing here sleeps, reads a clock or knows about
notifications. Active time only counts while the timer runs: a pause freezes it, and a
break (taken, skipped or fired) starts a fresh interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum


class Hold(Enum):
    """Why no break is being counted towards or shown right now."""

    NONE = "none"
    PAUSED = "paused"


@dataclass
class TimerStatus:
    """A snapshot for the tray, ``deskbreak status`` and the icon's progress ring."""

    due_in: float | None  # seconds until the next break; None while paused indefinitely
    progress: float  # 0..1 of the interval's active time used
    hold: Hold
    paused_for: float | None  # seconds of pause left; inf until resumed
    snoozed: bool
    pending: bool  # a break was shown and not yet answered


class BreakTimer:
    """Counts active time towards the next break; every method takes ``now`` explicitly."""

    def __init__(self, interval: float, now: float) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.interval = interval
        self._banked = 0.0  # active seconds counted before ``_since``
        self._since: float | None = now  # when counting resumed; None while paused
        self._snooze_until: float | None = None
        self._paused_until: float | None = None
        self.pending = False

    # --- queries -------------------------------------------------------------
    def active(self, now: float) -> float:
        """Active seconds counted in the current interval."""
        running = 0.0 if self._since is None else max(0.0, now - self._since)
        return self._banked + running

    def due_at(self, now: float) -> float | None:
        """Monotonic time of the next break, or None while paused with no end."""
        if self._since is None:
            if self._paused_until is None or math.isinf(self._paused_until):
                return None
            return self._paused_until + self.interval  # resuming starts a fresh interval
        if self._snooze_until is not None:
            return self._snooze_until
        return self._since + max(0.0, self.interval - self._banked)

    def next_wakeup(self, now: float) -> float | None:
        """When the daemon must look again: the break, or the end of a timed pause."""
        if self._since is None:
            return self._paused_until if self._paused_until is not None \
                and not math.isinf(self._paused_until) else None
        return self.due_at(now)

    def status(self, now: float) -> TimerStatus:
        due = self.due_at(now)
        paused = self._since is None
        return TimerStatus(
            due_in=None if due is None else max(0.0, due - now),
            progress=min(1.0, self.active(now) / self.interval),
            hold=Hold.PAUSED if paused else Hold.NONE,
            paused_for=(None if not paused else
                        math.inf if self._paused_until is None or math.isinf(self._paused_until)
                        else max(0.0, self._paused_until - now)),
            snoozed=self._snooze_until is not None,
            pending=self.pending,
        )

    # --- time passing ----------------------------------------------------------
    def tick(self, now: float) -> bool:
        """Advance to ``now``; True when a break is due and should be shown now.

        Showing it is the caller's job; it then calls ``fired``.
        """
        if self._since is None:
            if self._paused_until is not None and now >= self._paused_until:
                self.resume(now)
            else:
                return False
        due = self.due_at(now)
        return due is not None and now >= due

    # --- events ----------------------------------------------------------------
    def fired(self, now: float) -> None:
        """A break was shown: the next interval starts counting now."""
        self._restart(now)
        self.pending = True

    def answered(self) -> None:
        """The user acted on the shown break (started it); nothing is pending any more."""
        self.pending = False

    def skip(self, now: float) -> None:
        """Skip this break: a fresh interval from now."""
        self._restart(now)
        self.pending = False

    def snooze(self, now: float, seconds: float) -> None:
        """Postpone the break: ``seconds`` from now if one is showing, else later than planned."""
        if self._since is None:
            return
        if self.pending:
            self._snooze_until = now + seconds
        else:
            base = self.due_at(now) or now
            self._snooze_until = max(base, now) + seconds
        self.pending = False

    def pause(self, now: float, seconds: float | None) -> None:
        """Stop counting for ``seconds`` (None: until resumed). Resuming starts afresh."""
        if self._since is not None:
            self._banked = self.active(now)
        self._since = None
        self._snooze_until = None
        self._paused_until = math.inf if seconds is None else now + seconds
        self.pending = False

    def resume(self, now: float) -> None:
        """End a pause; the user has been away from the task, so a full interval follows."""
        if self._since is None:
            self._restart(now)

    @property
    def paused(self) -> bool:
        return self._since is None

    def _restart(self, now: float) -> None:
        self._banked = 0.0
        self._since = now
        self._snooze_until = None
        self._paused_until = None
