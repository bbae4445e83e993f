"""Loading and validating the user's config.toml into a typed, immutable Config.

Every key is checked here, once, so the rest of the program can trust a Config and
never has to handle a malformed value at run time. Problems become ConfigError with the
file, line and key, which the CLI prints as one line (exit 2).
"""

from __future__ import annotations

import itertools
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from deskbreak import paths
from deskbreak.core.durations import DurationError, check_range, parse_duration
from deskbreak.core.model import (
    CONTEXTS,
    IDLE_RANGE,
    INTERVAL_RANGE,
    PAUSE_RANGE,
    SNOOZE_RANGE,
    WEEKDAYS,
    Settings,
    Span,
    WorkingHours,
)
from deskbreak.errors import ConfigError
from deskbreak.userfile import UserFileError, read_user_text

__all__ = ["CONTEXTS", "NOTIFIERS", "POSITIONS", "WEEKDAYS", "Config", "ConfigError",
           "WorkingHours", "load", "load_config", "parse_config"]

NOTIFIERS = ("auto", "desktop-notifier", "plyer", "terminal")
POSITIONS = (
    "standing", "seated", "kneeling", "all-fours", "lying-back", "lying-front", "lying-side",
)
ENV_VAR = "DESKBREAK_CONFIG"
PACKAGE_DIR = Path(__file__).parent
"""Where deskbreak's own data files are (default_config.toml, exercises.toml, icons)."""


@dataclass(frozen=True)
class Config:
    """Everything the daemon and CLI read from config.toml, validated. Durations in seconds."""

    interval: float = 1800.0
    context: str = "desk"
    notifier: str = "auto"
    tray: bool = True
    snooze: float = 300.0
    snooze_choices: tuple[float, ...] = (300.0, 600.0, 900.0)
    pause_choices: tuple[float, ...] = (1800.0, 3600.0, 7200.0)
    idle_threshold: float = 300.0
    do_not_disturb: bool = True
    extra_catalogue: Path | None = None
    exclude_ids: tuple[str, ...] = ()
    exclude_positions: tuple[str, ...] = ()
    working_hours: WorkingHours = field(default_factory=WorkingHours)
    history: bool = True
    history_keep_days: int = 365
    guide_window: bool = True
    guide_sound: bool = False
    illustrations: bool = True
    trip_interval: float = 1800.0
    driving_interval: float = 7200.0
    trip_sound: bool = True
    source: Path | None = field(default=None, compare=False)

    def settings(self) -> Settings:
        """The slice the core decides with."""
        return Settings(interval=self.interval, snooze=self.snooze,
                        idle_threshold=self.idle_threshold,
                        do_not_disturb=self.do_not_disturb,
                        working_hours=self.working_hours, context=self.context,
                        trip_interval=self.trip_interval,
                        driving_interval=self.driving_interval, trip_sound=self.trip_sound)


class _Reader:
    """Validates one parsed TOML document, remembering where each key sits in the text."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def line_of(self, table: str, key: str) -> int | None:
        """Find ``key = ...`` inside ``[table]`` (or the top level) for the error message."""
        current = ""
        header = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]")
        assign = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for number, line in enumerate(self.lines, start=1):
            match = header.match(line)
            if match:
                current = match.group(1)
                if current == table and not key:
                    return number
                continue
            if current == table and key and assign.match(line):
                return number
        return None

    def fail(self, table: str, key: str, problem: str) -> ConfigError:
        dotted = f"{table}.{key}" if table and key else (key or table)
        return ConfigError(self.path, problem, line=self.line_of(table, key), key=dotted)


def _type_name(value: object) -> str:
    return {
        bool: "a boolean", int: "a number", float: "a number", str: "a string",
        list: "a list", dict: "a table",
    }.get(type(value), type(value).__name__)


def did_you_mean(word: str, known: list[str] | tuple[str, ...], n: int = 1,
                 cutoff: float = 0.6) -> list[str]:
    """The known words closest to a misspelt one, best first (difflib's choice).

    difflib is imported here, not at the top: it is only needed to word an error, and
    the always-running daemon never loads it unless a config is wrong.
    """
    import difflib

    return difflib.get_close_matches(word, known, n=n, cutoff=cutoff)


def _unknown(reader: _Reader, table: str, key: str, known: list[str]) -> ConfigError:
    guess = did_you_mean(key, known)
    hint = f" (did you mean {guess[0]!r}?)" if guess else ""
    where = f"in [{table}]" if table else "at the top level"
    return reader.fail(table, key, f"unknown key {where}{hint}")


def _duration(bounds: tuple[float, float]) -> Callable[[Any], float]:
    def convert(value: Any) -> float:
        if not isinstance(value, str):
            raise DurationError(
                f"expected a duration string like \"30m\", got {_type_name(value)}"
            )
        return check_range(parse_duration(value), *bounds, value)
    return convert


def _durations(bounds: tuple[float, float]) -> Callable[[Any], tuple[float, ...]]:
    one = _duration(bounds)

    def convert(value: Any) -> tuple[float, ...]:
        if not isinstance(value, list) or not value:
            raise ValueError("expected a non-empty list of durations like [\"5m\", \"10m\"]")
        return tuple(sorted({one(item) for item in value}))
    return convert


def _choice(options: tuple[str, ...]) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(f"expected a string, got {_type_name(value)}")
        if value not in options:
            guess = did_you_mean(value, options)
            hint = f"; did you mean {guess[0]!r}?" if guess else ""
            raise ValueError(f"{value!r} is not one of {', '.join(options)}{hint}")
        return value
    return convert


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {_type_name(value)}")
    return value


def _strings(allowed: tuple[str, ...] | None) -> Callable[[Any], tuple[str, ...]]:
    def convert(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("expected a list of strings")
        for item in value:
            if allowed is not None and item not in allowed:
                raise ValueError(f"{item!r} is not one of {', '.join(allowed)}")
        return tuple(value)
    return convert


_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def _spans(value: Any) -> tuple[Span, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("expected a list of \"HH:MM-HH:MM\" strings")
    spans: list[Span] = []
    for text in value:
        match = _SPAN.match(text)
        if not match:
            raise ValueError(f"{text!r} is not a \"HH:MM-HH:MM\" span")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
            raise ValueError(f"{text!r} is not a time of day")
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if end <= start:
            raise ValueError(f"{text!r} ends before it starts")
        spans.append((start, end))
    spans.sort()
    for (_, end), (start, _) in itertools.pairwise(spans):
        if start < end:
            raise ValueError("spans overlap")
    return tuple(spans)


_TOP: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "interval": ("interval", _duration(INTERVAL_RANGE)),
    "context": ("context", _choice(CONTEXTS)),
    "notifier": ("notifier", _choice(NOTIFIERS)),
    "tray": ("tray", _bool),
    "snooze": ("snooze", _duration(SNOOZE_RANGE)),
    "snooze_choices": ("snooze_choices", _durations(SNOOZE_RANGE)),
    "pause_choices": ("pause_choices", _durations(PAUSE_RANGE)),
    "idle_threshold": ("idle_threshold", _duration(IDLE_RANGE)),
    "do_not_disturb": ("do_not_disturb", _bool),
}
_EXCLUDE: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "ids": ("exclude_ids", _strings(None)),
    "positions": ("exclude_positions", _strings(POSITIONS)),
}
_TABLES = ("exclude", "working_hours", "history", "guide", "trip")
KEEP_DAYS_RANGE = (1, 36500)


def _keep_days(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number of days, got {_type_name(value)}")
    low, high = KEEP_DAYS_RANGE
    if not low <= value <= high:
        raise ValueError(f"{value} is out of range: keep between {low} and {high} days")
    return value


_HISTORY: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "record": ("history", _bool),
    "keep_days": ("history_keep_days", _keep_days),
}
_GUIDE: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "window": ("guide_window", _bool),
    "sound": ("guide_sound", _bool),
    "illustrations": ("illustrations", _bool),
}
_TRIP: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "interval": ("trip_interval", _duration(INTERVAL_RANGE)),
    "driving_interval": ("driving_interval", _duration(INTERVAL_RANGE)),
    "sound": ("trip_sound", _bool),
}


def _read_text(path: Path) -> str:
    """Read the file, turning every OS-level failure into a one-line ConfigError."""
    try:
        return read_user_text(path, "config")
    except UserFileError as exc:
        raise ConfigError(path, str(exc)) from None


def _parse(path: Path, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except RecursionError:  # thousands of "[[[" or "{a={a=": tomllib recurses per level
        raise ConfigError(path, "invalid TOML: nested too deeply") from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
        raise ConfigError(path, f"invalid TOML: {message}", line=line) from None


def parse_config(path: Path, text: str) -> Config:
    """Validate TOML text into a Config; ``path`` only names the file in errors."""
    data = _parse(path, text)
    reader = _Reader(path, text)
    values: dict[str, Any] = {}
    known_top = [*_TOP, "extra_catalogue", *_TABLES]
    for key, value in data.items():
        if key in _TOP:
            name, convert = _TOP[key]
            try:
                values[name] = convert(value)
            except ValueError as exc:
                raise reader.fail("", key, str(exc)) from None
        elif key == "extra_catalogue":
            if not isinstance(value, str):
                raise reader.fail("", key, f"expected a file path string, got {_type_name(value)}")
            if "\x00" in value:
                raise reader.fail("", key, "the path contains a NUL character")
            if value.strip():
                extra = Path(os.path.expanduser(value))
                values["extra_catalogue"] = extra if extra.is_absolute() else path.parent / extra
        elif key in _TABLES:
            if not isinstance(value, dict):
                raise reader.fail("", key, f"expected a table [{key}], got {_type_name(value)}")
        else:
            raise _unknown(reader, "", key, known_top)

    for table, keys in (("exclude", _EXCLUDE), ("history", _HISTORY), ("guide", _GUIDE),
                        ("trip", _TRIP)):
        for key, value in data.get(table, {}).items():
            if key not in keys:
                raise _unknown(reader, table, key, list(keys))
            name, convert = keys[key]
            try:
                values[name] = convert(value)
            except ValueError as exc:
                raise reader.fail(table, key, str(exc)) from None

    hours = data.get("working_hours")
    if hours is not None:
        values["working_hours"] = _working_hours(reader, hours)

    if "snooze_choices" not in values and "snooze" in values:
        values["snooze_choices"] = tuple(sorted({*Config.snooze_choices, values["snooze"]}))
    return Config(**values, source=path)


def _working_hours(reader: _Reader, table: dict[str, Any]) -> WorkingHours:
    default = WorkingHours()
    enabled = default.enabled
    days = list(default.days)
    for key, value in table.items():
        if key == "enabled":
            try:
                enabled = _bool(value)
            except ValueError as exc:
                raise reader.fail("working_hours", key, str(exc)) from None
        elif key in WEEKDAYS:
            try:
                days[WEEKDAYS.index(key)] = _spans(value)
            except ValueError as exc:
                raise reader.fail("working_hours", key, str(exc)) from None
        else:
            raise _unknown(reader, "working_hours", key, ["enabled", *WEEKDAYS])
    if enabled and not any(days):
        raise reader.fail("working_hours", "enabled", "no working hours on any day")
    return WorkingHours(enabled=enabled, days=tuple(days))


def load_config(path: Path) -> Config:
    """Load and validate the config file at ``path`` (which must exist)."""
    return parse_config(path, _read_text(path))


def resolve_path(explicit: str | None) -> tuple[Path, bool]:
    """Which config file applies, and whether the user named it (then it must exist)."""
    if explicit:
        return Path(explicit).expanduser(), True
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser(), True
    return paths.config_file(), False


def load(explicit: str | None = None) -> Config:
    """The effective config: an explicit file must exist; a missing default file means defaults."""
    path, named = resolve_path(explicit)
    if not named and not os.path.lexists(path):  # a broken link there is an error, not absence
        return Config(source=None)
    return load_config(path)


def default_text() -> str:
    """The annotated default config, as shipped; the tray writes it out for "Open settings".

    Read beside this module rather than through importlib.resources: deskbreak is always
    installed as files (pip unpacks the wheel), and importlib.resources would load
    zipfile and its readers into the always-running daemon (about 0.5 MiB) for one read.
    """
    return (PACKAGE_DIR / "default_config.toml").read_text("utf-8")


def with_overrides(config: Config, **changes: Any) -> Config:
    """A copy with command-line overrides (e.g. ``--interval``) applied."""
    return replace(config, **changes)
