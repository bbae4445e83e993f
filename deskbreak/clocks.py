"""The three clocks the planner needs, read the right way on each platform.

``mono`` must stop while the machine sleeps and ``boot`` must not, so their difference
measures a suspend; ``wall`` is local time re-read after ``tzset`` so a time-zone change
made while we run (travelers cross several) is seen at the next wake-up.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Clocks:
    mono: Callable[[], float]
    boot: Callable[[], float]
    wall: Callable[[], dt.datetime]


OFFSET_ENV = "DESKBREAK_WALL_OFFSET_FILE"


def _local_now() -> dt.datetime:
    if hasattr(time, "tzset"):
        time.tzset()  # pick up a changed /etc/localtime or TZ
    return dt.datetime.now()


def _offset_wall(path: str) -> Callable[[], dt.datetime]:
    """Local time moved by the seconds written in ``path``: a clock change without root.

    The end-to-end tests set the machine's clock this way (changing the real clock needs
    root and affects every process; libfaketime cannot move the wall clock alone).
    """
    def wall() -> dt.datetime:
        try:
            with open(path, encoding="ascii") as handle:
                offset = float(handle.read().strip() or 0)
        except (OSError, ValueError):
            offset = 0.0
        return _local_now() + dt.timedelta(seconds=offset)
    return wall


def clock_offset_file() -> Path | None:
    """The file standing in for the clock in the end-to-end tests, if any: the daemon
    watches it as it watches the real clock."""
    path = os.environ.get(OFFSET_ENV)
    return Path(path) if path else None


def _wall() -> Callable[[], dt.datetime]:
    path = os.environ.get(OFFSET_ENV)
    return _offset_wall(path) if path else _local_now


def _windows_unbiased() -> float:  # pragma: no cover - Windows only
    """QueryUnbiasedInterruptTime: 100 ns units, stops during sleep (unlike GetTickCount64)."""
    import ctypes

    value = ctypes.c_ulonglong()
    ctypes.windll.kernel32.QueryUnbiasedInterruptTime(ctypes.byref(value))  # type: ignore[attr-defined]
    return value.value / 1e7


def system_clocks() -> Clocks:
    wall = _wall()
    if sys.platform.startswith("linux"):
        return Clocks(lambda: time.clock_gettime(time.CLOCK_MONOTONIC),
                      lambda: time.clock_gettime(time.CLOCK_BOOTTIME), wall)
    if sys.platform == "darwin":  # pragma: no cover - macOS only
        # time.monotonic is mach_absolute_time (stops in sleep); CLOCK_MONOTONIC keeps going.
        return Clocks(time.monotonic, lambda: time.clock_gettime(time.CLOCK_MONOTONIC), wall)
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return Clocks(_windows_unbiased, time.monotonic, wall)
    return Clocks(time.monotonic, time.monotonic, wall)  # suspend not measurable
