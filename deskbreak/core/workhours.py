"""Working hours as pure functions of local wall-clock time.

Given the configured spans per weekday, say whether a moment is on duty and when that
next changes; the daemon re-asks after every wake-up, so DST, time-zone changes and
manual clock changes are followed without any bookkeeping here.
"""

from __future__ import annotations

import datetime as dt

from deskbreak.core.model import WorkingHours

_DAYS_AHEAD = 8  # a week plus a day covers every pattern of spans


def on_duty(hours: WorkingHours, wall: dt.datetime) -> bool:
    """True inside a working span (always True when working hours are off)."""
    if not hours.enabled:
        return True
    minute = wall.hour * 60 + wall.minute
    return any(start <= minute < end for start, end in hours.days[wall.weekday()])


def _boundaries(hours: WorkingHours, day: dt.date) -> list[tuple[dt.datetime, bool]]:
    """(moment, on_duty_after) for each span edge on ``day``, in order."""
    out = []
    for start, end in hours.days[day.weekday()]:
        midnight = dt.datetime.combine(day, dt.time())
        out.append((midnight + dt.timedelta(minutes=start), True))
        out.append((midnight + dt.timedelta(minutes=end), False))
    return out


def next_change(hours: WorkingHours, wall: dt.datetime) -> dt.datetime | None:
    """The next moment on-duty flips, as naive local time; None when it never will."""
    if not hours.enabled:
        return None
    naive = wall.replace(tzinfo=None)
    current = on_duty(hours, naive)
    for offset in range(_DAYS_AHEAD):
        day = naive.date() + dt.timedelta(days=offset)
        for moment, after in _boundaries(hours, day):
            # A span ending at 24:00 and the next day's starting at 00:00 are one stretch.
            if moment > naive and after != current and on_duty(hours, moment) == after:
                return moment
    return None


def next_start(hours: WorkingHours, wall: dt.datetime) -> dt.datetime | None:
    """When work next starts (for "Off until Mon 09:00")."""
    if not hours.enabled or on_duty(hours, wall):
        return None
    return next_change(hours, wall)
