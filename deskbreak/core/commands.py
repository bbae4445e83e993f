"""What a user can ask of the daemon, as typed values that are valid once they exist.

The command line, the control channel, the tray menu and the notification buttons all
build these, and one controller applies them. Validation happens here, when a command is
built, so no source can hand the controller a NaN pause or a "no" that reads as true:
every duration is a finite number of seconds within its documented range, every flag a
real boolean. ``decode`` turns the control channel's JSON into a command with the same
checks plus a few of its own (unknown commands and arguments).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any, ClassVar

from deskbreak.core.durations import format_duration
from deskbreak.core.model import CONTEXTS, PAUSE_RANGE, SNOOZE_RANGE, TRIP_RANGE


class CommandError(ValueError):
    """The command is malformed; the message is one line for the user or the script."""


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _fraction(what: str, value: object) -> float:
    """How much of a routine was done: a finite number from 0 to 1."""
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not (isinstance(value, int) or math.isfinite(value)) or not 0 <= value <= 1:
        raise CommandError(f"{what}: fraction must be a number from 0 to 1, "
                           f"got {_short(value)}")
    return float(value)


def _seconds(what: str, value: object, bounds: tuple[float, float]) -> float | None:
    """A duration argument: None, or a finite number of seconds within ``bounds``."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CommandError(f"{what}: seconds must be a number, got {_short(value)}")
    low, high = bounds
    if isinstance(value, float) and not math.isfinite(value):
        raise CommandError(f"{what}: seconds must be a finite number, got {_short(value)}")
    if not low <= value <= high:  # compared before float(): 10**400 has no float
        raise CommandError(f"{what}: seconds must be between {format_duration(low)} and "
                           f"{format_duration(high)}, got {_short(value)}")
    return float(value)


@dataclass(frozen=True)
class Command:
    """Base of every command; ``name`` is its word on the command line and the wire."""

    name: ClassVar[str] = ""
    query: ClassVar[bool] = False  # only asks: no log line, no tray refresh


@dataclass(frozen=True)
class Status(Command):
    name: ClassVar[str] = "status"
    query: ClassVar[bool] = True


@dataclass(frozen=True)
class Next(Command):
    """Which exercise the next break will show, without using it up."""

    name: ClassVar[str] = "next"
    query: ClassVar[bool] = True


@dataclass(frozen=True)
class BreakNow(Command):
    """A break now; ``start``: started at once, straight into the guide (the tray's
    "Take a break now": whoever clicks it is ready)."""

    name: ClassVar[str] = "break-now"
    start: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.start, bool):
            raise CommandError(f"break-now: start must be true or false, got "
                               f"{_short(self.start)}")


@dataclass(frozen=True)
class Start(Command):
    """The notification's Start button (or a click on it): guide me through it."""

    name: ClassVar[str] = "start"


@dataclass(frozen=True)
class _Progress(Command):
    """A report on the started break: how much of its routine was done, 0..1."""

    fraction: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "fraction", _fraction(self.name, self.fraction))


@dataclass(frozen=True)
class Done(_Progress):
    """The started break was done (the Done button beside its steps, or the guide's)."""

    name: ClassVar[str] = "done"


@dataclass(frozen=True)
class Stopped(_Progress):
    """The guide was closed before the end. Closing it is not a skip: the next break
    comes as planned."""

    name: ClassVar[str] = "stopped"
    fraction: float = 0.0


@dataclass(frozen=True)
class Snooze(Command):
    name: ClassVar[str] = "snooze"
    seconds: float | None = None  # None: the configured snooze

    def __post_init__(self) -> None:
        object.__setattr__(self, "seconds", _seconds(self.name, self.seconds, SNOOZE_RANGE))


@dataclass(frozen=True)
class Skip(Command):
    name: ClassVar[str] = "skip"


@dataclass(frozen=True)
class Pause(Command):
    """Pause for ``seconds``, until tomorrow's rollover, or (neither) until resumed."""

    name: ClassVar[str] = "pause"
    seconds: float | None = None
    until_tomorrow: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.until_tomorrow, bool):
            raise CommandError(f"pause: until_tomorrow must be true or false, "
                               f"got {_short(self.until_tomorrow)}")
        object.__setattr__(self, "seconds", _seconds(self.name, self.seconds, PAUSE_RANGE))
        if self.until_tomorrow and self.seconds is not None:
            raise CommandError("pause: give seconds or until_tomorrow, not both")


@dataclass(frozen=True)
class Resume(Command):
    name: ClassVar[str] = "resume"


@dataclass(frozen=True)
class SetContext(Command):
    name: ClassVar[str] = "context"
    context: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.context, str) or self.context not in CONTEXTS:
            raise CommandError(f"context: must be one of {', '.join(CONTEXTS)}, "
                               f"got {_short(self.context)}")


def _flag(what: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise CommandError(f"{what} must be true or false, got {_short(value)}")
    return value


@dataclass(frozen=True)
class TripStart(Command):
    """Trip mode for ``seconds`` of elapsed time, or (None) until stopped.

    ``driving``: the traveler drives, so no exercise at all, only reminders to stop.
    Over a running trip it replaces the trip's length and driving, keeping the context
    to go back to.
    """

    name: ClassVar[str] = "trip-start"
    seconds: float | None = None
    driving: bool = False

    def __post_init__(self) -> None:
        _flag("trip-start: driving", self.driving)
        object.__setattr__(self, "seconds", _seconds(self.name, self.seconds, TRIP_RANGE))


@dataclass(frozen=True)
class TripStop(Command):
    name: ClassVar[str] = "trip-stop"


@dataclass(frozen=True)
class TripDriving(Command):
    """The tray's "I'm driving" check item: the state wanted, not a toggle (see
    SetAutostart). With no trip running, "on" starts a driving trip until stopped."""

    name: ClassVar[str] = "trip-driving"
    driving: bool = True

    def __post_init__(self) -> None:
        _flag("trip-driving: driving", self.driving)


@dataclass(frozen=True)
class OpenSettings(Command):
    name: ClassVar[str] = "open-settings"


@dataclass(frozen=True)
class ShowStatistics(Command):
    """The tray's "Statistics": draw the history and open the picture."""

    name: ClassVar[str] = "statistics"


@dataclass(frozen=True)
class SetAutostart(Command):
    """The tray's "Start at login" checkbox: start deskbreak at login, or stop doing so.

    Carries the state wanted, not a toggle: a script can ask for "on" twice and get "on",
    and a click repeated by a slow panel never flips it back.
    """

    name: ClassVar[str] = "autostart"
    enabled: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.enabled, bool):
            raise CommandError(f"autostart: enabled must be true or false, got "
                               f"{_short(self.enabled)}")


@dataclass(frozen=True)
class Reload(Command):
    """Read the config file again now (also on SIGHUP, and by itself when it changes)."""

    name: ClassVar[str] = "reload"


@dataclass(frozen=True)
class Quit(Command):
    name: ClassVar[str] = "quit"


COMMANDS: dict[str, type[Command]] = {
    cls.name: cls for cls in (Status, Next, BreakNow, Start, Done, Stopped, Snooze, Skip, Pause,
                              Resume, SetContext, TripStart, TripStop, TripDriving,
                              OpenSettings, ShowStatistics, SetAutostart, Reload, Quit)
}


def decode(name: Any, args: Any) -> Command:
    """The command a control request names; CommandError says what is wrong with it."""
    if not isinstance(name, str) or name not in COMMANDS:
        raise CommandError(f"unknown command {_short(name)}")
    if not isinstance(args, dict):
        raise CommandError(f"{name}: args must be an object, got {_short(args)}")
    cls = COMMANDS[name]
    known = {field.name for field in fields(cls)}
    for key in args:
        if key not in known:
            raise CommandError(f"{name}: unknown argument {_short(key)}")
    return cls(**args)


def encode(command: Command) -> tuple[str, dict[str, Any]]:
    """The command's name and the arguments that differ from their defaults."""
    args = {field.name: getattr(command, field.name) for field in fields(command)
            if getattr(command, field.name) != field.default}
    return command.name, args
