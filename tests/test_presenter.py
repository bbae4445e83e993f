"""How the state reads: tray headline, icon, greyed menu items, status reply, log lines."""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import json

import pytest

from deskbreak.core import events as ev
from deskbreak.core import presenter
from deskbreak.core.controller import Snapshot
from deskbreak.core.model import Hold, Look, Observation
from deskbreak.core.planner import Pause, PlanStatus

NOW = dt.datetime(2026, 11, 23, 10, 0)
EDGES = presenter.EdgeReport(pid=42, notifier="desktop-notifier", tray="sni", tray_menu=True,
                             idle="x11", dnd=("fullscreen",), config=None, config_error=None,
                             notes=("a note",))


def snap(hold: Hold | None = None, *, due_in: float | None = 720.0, progress: float = 0.6,
         pause: Pause | None = None, pause_left: float | None = None,
         off_until: dt.datetime | None = None, showing: str | None = None,
         dnd: tuple[str, ...] = ()) -> Snapshot:
    plan = PlanStatus(due_in=due_in, progress=progress, hold=hold, dnd_reasons=dnd,
                      off_until=off_until, pause=pause, pause_left=pause_left, snoozed=False)
    return Snapshot(now=Observation(100.0, 100.0, NOW), plan=plan, showing=showing,
                    last_shown=None, context="desk", contexts=("desk", "home"),
                    interval=1800.0)


@pytest.mark.parametrize(("state", "headline", "look"), [
    (snap(), "Next break in 12 min", (Look.COUNTING, 2)),
    (snap(due_in=20), "Next break in 20 s", (Look.COUNTING, 2)),
    (snap(showing="cat-cow"), "Next break in 12 min", (Look.DUE, 0)),
    (snap(Hold.AWAY, due_in=None), "Away: counts as a break", (Look.COUNTING, 2)),
    (snap(Hold.DND, dnd=("fullscreen window",)), "Break held: fullscreen window",
     (Look.DUE, 0)),
    (snap(Hold.OFF_DUTY, due_in=None, off_until=dt.datetime(2026, 11, 30, 9, 0)),
     "Off until Mon 09:00", (Look.OFF_DUTY, 0)),
    (snap(Hold.PAUSED, pause=Pause(), due_in=None), "Paused", (Look.PAUSED, 0)),
    (snap(Hold.PAUSED, pause=Pause(until_boot=1900.0), pause_left=1800.0),
     "Paused for 30 min", (Look.PAUSED, 0)),
    (snap(Hold.PAUSED, pause=Pause(until_boot=8e5), pause_left=6 * 86400.0),
     "Paused for 6 d", (Look.PAUSED, 0)),
    (snap(Hold.PAUSED, pause=Pause(until_wall=dt.datetime(2026, 11, 24, 4, 0)),
          pause_left=18 * 3600.0), "Paused until tomorrow 04:00", (Look.PAUSED, 0)),
])
def test_the_tray_says_what_is_going_on(state: Snapshot, headline: str,
                                        look: tuple[Look, int]) -> None:
    assert presenter.headline(state) == headline
    assert presenter.look(state) == look


def test_menu_items_are_greyed_exactly_when_they_would_be_refused() -> None:
    running = presenter.menu_view(snap())
    assert running.can_snooze and running.can_skip and not running.paused
    paused = presenter.menu_view(snap(Hold.PAUSED, pause=Pause()))
    assert not paused.can_snooze and not paused.can_skip and paused.paused
    asked = presenter.menu_view(snap(Hold.PAUSED, pause=Pause(), showing="cat-cow"))
    assert asked.can_skip and not asked.can_snooze  # a break asked for while paused
    off = presenter.menu_view(snap(Hold.OFF_DUTY, due_in=None))
    assert not off.can_snooze and not off.can_skip and not off.paused


def test_status_reply_is_json_and_says_when_a_pause_ends() -> None:
    reply = presenter.status(snap(Hold.PAUSED, pause=Pause(until_boot=1900.0),
                                  pause_left=1800.0, due_in=3600.0), EDGES)
    assert json.loads(json.dumps(reply)) == reply
    assert reply["state"] == "paused" and reply["pause"] == "timed"
    assert reply["paused_until"] == "2026-11-23T10:30:00"
    assert reply["next_break_at"] == "2026-11-23T11:00:00"
    assert reply["notes"] == ["a note"] and reply["config"] is None


def test_status_survives_moments_past_the_year_9999() -> None:
    reply = presenter.status(snap(Hold.PAUSED, pause=Pause(until_boot=1e308),
                                  pause_left=1e308, due_in=1e308), EDGES)
    assert reply["paused_until"] is None and reply["next_break_at"] is None
    assert reply["next_break_in"] == 1e308
    assert presenter.headline(snap(Hold.PAUSED, pause=Pause(until_boot=1e308),
                                   pause_left=1e308)).startswith("Paused for ")


def test_a_broken_config_leads_the_notes() -> None:
    edges = dataclasses.replace(EDGES, config="/c.toml", config_error="/c.toml:3: x: bad")
    reply = presenter.status(snap(), edges)
    assert reply["config_error"] == "/c.toml:3: x: bad"
    assert reply["notes"][0] == ("settings not applied: /c.toml:3: x: bad; still using the "
                                 "last good settings")


def _example(cls: type[ev.Event]) -> ev.Event:
    values = {"mono": 1.0, "wall": NOW}
    for field in dataclasses.fields(cls):
        if field.name in values:
            continue
        kind = str(field.type)
        values[field.name] = (
            "cat-cow" if "str" in kind and field.name == "exercise_id" else
            ("fullscreen window",) if "tuple" in kind else
            90.0 if "float" in kind else
            True if kind == "bool" else
            None if "datetime" in kind else "desk")
    return cls(**values)


EVENT_TYPES = [cls for _, cls in inspect.getmembers(ev, inspect.isclass)
               if issubclass(cls, ev.Event) and cls is not ev.Event]


@pytest.mark.parametrize("cls", EVENT_TYPES, ids=lambda cls: cls.__name__)
def test_every_event_has_its_own_log_line(cls: type[ev.Event]) -> None:
    line = presenter.describe(_example(cls))
    assert line != cls.__name__ and "\n" not in line and line


def test_in_minutes_never_says_zero() -> None:
    assert [presenter.in_minutes(s) for s in (0.2, 59, 61, 1800, 6000, 2 * 86400)] \
        == ["1 s", "59 s", "2 min", "30 min", "1 h 40 min", "2 d"]


def test_the_tooltip_names_a_time_of_day_that_stays_true() -> None:
    """A countdown in the tooltip changes by itself, and each change makes the panel call
    back; the time of day it falls at changes only with the plan. The menu counts down."""
    far = snap(due_in=12 * 60)
    assert presenter.headline(far, rough=True) == "Next break at 10:12"
    assert presenter.headline(far) == "Next break in 12 min"  # the menu stays exact
    later = dataclasses.replace(far, now=Observation(400.0, 400.0, NOW + dt.timedelta(
        minutes=5)), plan=dataclasses.replace(far.plan, due_in=7 * 60))
    assert presenter.headline(later, rough=True) == "Next break at 10:12"
    timed = snap(Hold.PAUSED, pause=Pause(until_boot=1900.0), pause_left=1800.0)
    assert presenter.headline(timed, rough=True) == "Paused until 10:30"
    assert presenter.headline(timed) == "Paused for 30 min"
    assert presenter.headline(snap(due_in=1e300), rough=True).startswith("Next break in")


def counting(elapsed: float, interval: float = 1800.0) -> Snapshot:
    return dataclasses.replace(snap(due_in=interval - elapsed, progress=elapsed / interval),
                   interval=interval)


def test_the_tray_steps_by_itself_only_when_the_ring_would_change() -> None:
    """The daemon wakes for the ring's quarters and for no other tray change: four
    wake-ups an interval, each with a new look; a held, paused, away or due break steps
    nothing."""
    assert presenter.tray_step_in(counting(0)) == pytest.approx(450, abs=0.1)
    assert presenter.tray_step_in(counting(449)) == pytest.approx(1, abs=0.1)
    assert presenter.tray_step_in(counting(1700)) == pytest.approx(100, abs=0.1)
    assert presenter.tray_step_in(counting(300, 2700)) == pytest.approx(375, abs=0.1)
    elapsed, wakes, looks = 0.0, 0, set()
    while True:
        step = presenter.tray_step_in(counting(elapsed))
        if step is None or elapsed + step >= 1800:
            break
        before = presenter.look(counting(elapsed))
        elapsed += step
        after = presenter.look(counting(elapsed))
        assert after != before  # each wake-up has something to show
        looks.add(after)
        wakes += 1
    assert wakes == 3 and len(looks) == 3  # the fourth quarter is the break itself
    for quiet in (snap(Hold.AWAY, due_in=None), snap(showing="cat-cow"),
                  snap(Hold.PAUSED, pause=Pause(), due_in=None),
                  snap(Hold.DND, dnd=("fullscreen window",)), snap(due_in=0.0)):
        assert presenter.tray_step_in(quiet) is None
