"""Command values: valid once built, whatever source (CLI, socket, tray) built them."""

from __future__ import annotations

import math
from typing import Any

import pytest

from deskbreak.core import commands as c
from deskbreak.core.model import PAUSE_RANGE, SNOOZE_RANGE


@pytest.mark.parametrize("command", [
    c.Status(), c.Next(), c.BreakNow(), c.BreakNow(start=True), c.Start(), c.Done(),
    c.Done(0.5), c.Stopped(0.25),
    c.Snooze(), c.Snooze(600.0),
    c.Skip(),
    c.Pause(), c.Pause(1800.0), c.Pause(until_tomorrow=True), c.Resume(),
    c.SetContext("travel"), c.OpenSettings(), c.ShowStatistics(), c.Reload(), c.Quit(),
    c.SetAutostart(True), c.SetAutostart(False),
    c.TripStart(), c.TripStart(7200, driving=True), c.TripStop(), c.TripDriving(False),
])
def test_every_command_survives_the_wire(command: c.Command) -> None:
    assert c.decode(*c.encode(command)) == command


def test_the_wire_names_are_the_command_line_words() -> None:
    assert set(c.COMMANDS) == {"status", "next", "break-now", "start", "done", "stopped",
                               "snooze",
                               "skip", "pause", "resume", "context", "open-settings",
                               "statistics", "autostart", "reload",
                               "quit", "trip-start", "trip-stop", "trip-driving"}
    assert c.encode(c.Pause(until_tomorrow=True)) == ("pause", {"until_tomorrow": True})
    assert c.encode(c.Snooze()) == ("snooze", {})


def test_whole_seconds_become_floats() -> None:
    assert c.decode("snooze", {"seconds": 600}) == c.Snooze(600.0)
    assert isinstance(c.Snooze(600).seconds, float)


BAD_SECONDS: list[tuple[Any, str]] = [
    (math.nan, "finite"), (math.inf, "finite"), (-math.inf, "finite"),
    (1e308, "between"), (10**400, "between"), (0, "between"), (-5, "between"),
    (True, "must be a number"), ("600", "must be a number"), ([600], "must be a number"),
    ({"s": 1}, "must be a number"),
]


@pytest.mark.parametrize(("value", "problem"), BAD_SECONDS)
@pytest.mark.parametrize("name", ["snooze", "pause", "trip-start"])
def test_durations_must_be_finite_and_in_range(name: str, value: Any, problem: str) -> None:
    with pytest.raises(c.CommandError) as error:
        c.decode(name, {"seconds": value})
    message = str(error.value)
    assert message.startswith(f"{name}: seconds must be") and problem in message
    assert "\n" not in message and len(message) < 140  # 10**400 is not printed whole


def test_the_ranges_are_the_documented_ones() -> None:
    assert c.Snooze(SNOOZE_RANGE[1]).seconds == 24 * 3600
    assert c.Pause(PAUSE_RANGE[1]).seconds == 7 * 24 * 3600
    with pytest.raises(c.CommandError, match="between 1 min and 7 d"):
        c.Pause(PAUSE_RANGE[1] + 1)
    with pytest.raises(c.CommandError, match="between 1 s and 24 h"):
        c.Snooze(SNOOZE_RANGE[1] + 1)


@pytest.mark.parametrize("value", ["no", "yes", 1, 0, None, [], "true"])
def test_start_at_login_takes_a_real_boolean(value: Any) -> None:
    """A script sending "enabled": "false" must not turn autostart on."""
    with pytest.raises(c.CommandError, match="autostart: enabled must be true or false"):
        c.decode("autostart", {"enabled": value})
    assert c.encode(c.SetAutostart(False)) == ("autostart", {"enabled": False})


@pytest.mark.parametrize("value", ["no", "yes", 1, 0, None, [], "true"])
def test_until_tomorrow_must_be_a_real_boolean(value: Any) -> None:
    with pytest.raises(c.CommandError, match="until_tomorrow must be true or false"):
        c.decode("pause", {"until_tomorrow": value})


def test_a_pause_is_timed_or_until_tomorrow_not_both() -> None:
    with pytest.raises(c.CommandError, match="not both"):
        c.decode("pause", {"seconds": 600, "until_tomorrow": True})


@pytest.mark.parametrize("value", ["office", "", "DESK", 3, None, ["desk"]])
def test_context_must_be_one_of_the_three(value: Any) -> None:
    with pytest.raises(c.CommandError, match="context: must be one of desk, home, travel"):
        c.decode("context", {"context": value})


@pytest.mark.parametrize(("name", "args", "problem"), [
    ("dance", {}, "unknown command 'dance'"),
    (None, {}, "unknown command None"),
    (["status"], {}, "unknown command ['status']"),
    ("x" * 500, {}, "unknown command 'xxxxx"),
    ("status", [], "status: args must be an object"),
    ("status", "seconds=5", "status: args must be an object"),
    ("status", {"verbose": True}, "status: unknown argument 'verbose'"),
    ("snooze", {"seconds": 60, "secs": 60}, "snooze: unknown argument 'secs'"),
    ("skip", {"é": 1}, "skip: unknown argument 'é'"),
])
def test_malformed_requests_name_the_problem(name: Any, args: Any, problem: str) -> None:
    with pytest.raises(c.CommandError) as error:
        c.decode(name, args)
    assert str(error.value).startswith(problem)
    assert len(str(error.value)) < 140


@pytest.mark.parametrize("fraction", [float("nan"), float("inf"), 1.5, -0.1, True, "0.5", None])
def test_a_fraction_is_a_finite_number_from_0_to_1(fraction: object) -> None:
    for name in ("done", "stopped"):
        with pytest.raises(c.CommandError, match="fraction must be a number from 0 to 1"):
            c.decode(name, {"fraction": fraction})
