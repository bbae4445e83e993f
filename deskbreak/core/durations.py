"""Human duration strings ("30m", "45s", "1h30m") in config files and on the command line.

Config files say durations as strings rather than bare numbers because "30" is
ambiguous (seconds? minutes?) and people get it wrong; one parser serves both the config
and the CLI so they accept exactly the same spellings.
"""

from __future__ import annotations

import math
import re

_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(d|h|m|s)", re.IGNORECASE)
_WHOLE = re.compile(r"^\s*(?:\d+(?:\.\d+)?\s*[dhms]\s*)+$", re.IGNORECASE)


class DurationError(ValueError):
    """The text is not a duration a person would recognise."""


def parse_duration(text: str) -> float:
    """Return the number of seconds ``text`` names, e.g. ``"1h30m"`` -> 5400.0.

    A bare number is refused on purpose: "30" could mean seconds or minutes.
    """
    if not isinstance(text, str):
        raise DurationError(f"expected a duration string like \"30m\", got {text!r}")
    stripped = text.strip()
    if stripped.startswith("-"):
        raise DurationError(f"a duration cannot be negative: {text!r}")
    if not _WHOLE.match(stripped):
        raise DurationError(
            f"not a duration: {text!r} (use e.g. \"45s\", \"30m\", \"1h30m\")"
        )
    return float(sum(float(n) * _UNITS[u.lower()] for n, u in _PART.findall(stripped)))


def check_range(seconds: float, low: float, high: float, text: str) -> float:
    """Refuse durations that parse but cannot be meant, such as a 0m or 30-day interval.

    "99999999999999999999d" parses to infinity; the comparisons below refuse it, and
    anything that is not a finite number, like any other value out of range.
    """
    if seconds <= 0:
        raise DurationError(f"must be longer than zero: {text!r}")
    if not math.isfinite(seconds) or seconds > high:
        raise DurationError(f"too long: {text!r} (at most {format_duration(high)})")
    if seconds < low:
        raise DurationError(f"too short: {text!r} (at least {format_duration(low)})")
    return seconds


def format_duration(seconds: float) -> str:
    """Render seconds the way the tray and status show them: "45 s", "12 min", "1 h 30 min".

    Two days and more are counted in days ("7 d", "2 d 5 h"): a week-long pause reads
    better than "168 h". Not a finite number of seconds renders as "forever" rather than
    raising, so no wording can take down whatever is showing it.
    """
    if not math.isfinite(seconds):
        return "forever"
    total = round(seconds)
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min" if secs == 0 or minutes >= 10 else f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        days, hours = divmod(hours, 24)
        return f"{days} d" if hours == 0 else f"{days} d {hours} h"
    return f"{hours} h" if minutes == 0 else f"{hours} h {minutes} min"


def spell_duration(seconds: float) -> str:
    """Render seconds in the config spelling ("1h30m"), the inverse of parse_duration."""
    total = round(seconds)
    out = []
    for unit, size in (("h", 3600), ("m", 60), ("s", 1)):
        count, total = divmod(total, size)
        if count:
            out.append(f"{count}{unit}")
    return "".join(out) or "0s"
