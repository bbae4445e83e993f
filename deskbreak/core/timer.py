"""When the next break is due, counted in active seconds on a monotonic clock.

The timer only counts. It is fed times (seconds on a monotonic clock) and told when a
break was shown, skipped, snoozed, or when counting stops and starts again; it never
sleeps, reads a clock or knows why it was told. Why counting stopped and when it starts
again (a pause, its end, the next working day) is the planner's business, and whether a
break is on screen is the controller's. Active time only counts while the timer runs: a
pause freezes it, and a break (taken, skipped or shown) starts a fresh interval.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TimerStatus:
    """A snapshot for the tray, ``deskbreak status`` and the icon's progress ring."""

    due_in: float | None  # seconds until the next break; None while stopped
    progress: float  # 0..1 of the interval's active time used
    stopped: bool
    snoozed: bool


class BreakTimer:
    """Counts active time towards the next break; every method takes ``now`` explicitly."""

    def __init__(self, interval: float, now: float) -> None:
        if not interval > 0:
            raise ValueError("interval must be positive")
        self.interval = interval
        self._banked = 0.0  # active seconds counted before ``_since``
        self._since: float | None = now  # when counting resumed; None while stopped
        self._snooze_until: float | None = None

    # --- queries -------------------------------------------------------------
    @property
    def stopped(self) -> bool:
        return self._since is None

    def active(self, now: float) -> float:
        """Active seconds counted in the current interval."""
        running = 0.0 if self._since is None else max(0.0, now - self._since)
        return self._banked + running

    def due_at(self) -> float | None:
        """Monotonic time of the next break, or None while stopped."""
        if self._since is None:
            return None
        if self._snooze_until is not None:
            return self._snooze_until
        return self._since + max(0.0, self.interval - self._banked)

    def status(self, now: float) -> TimerStatus:
        due = self.due_at()
        return TimerStatus(
            due_in=None if due is None else max(0.0, due - now),
            progress=min(1.0, self.active(now) / self.interval),
            stopped=self.stopped,
            snoozed=self._snooze_until is not None,
        )

    def is_due(self, now: float) -> bool:
        """True when a break should be shown now (the caller then calls ``restart``)."""
        due = self.due_at()
        return due is not None and now >= due

    # --- what happened -------------------------------------------------------
    def restart(self, now: float) -> None:
        """A break was shown, skipped or taken naturally: a fresh interval from ``now``."""
        self._banked = 0.0
        self._since = now
        self._snooze_until = None

    def snooze(self, now: float, seconds: float, *, from_now: bool) -> None:
        """Postpone the break: ``seconds`` from now (one is showing) or past its due time."""
        if self._since is None:
            return
        due = self.due_at()
        base = now if from_now or due is None else max(due, now)
        self._snooze_until = base + seconds

    def stop(self, now: float) -> None:
        """Stop counting (a pause); active time so far is kept for the progress ring."""
        if self._since is not None:
            self._banked = self.active(now)
        self._since = None
        self._snooze_until = None

    def resume(self, now: float) -> None:
        """Count again after a stop; the user was away from the task, so a full interval."""
        if self._since is None:
            self.restart(now)

    def set_interval(self, interval: float) -> None:
        """A new interval from the reloaded config; active time so far still counts."""
        if not interval > 0:
            raise ValueError("interval must be positive")
        self.interval = interval
