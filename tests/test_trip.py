"""Trip mode's rules, through the pure core, with clocks a test moves (no real time).

A flight is eight hours of a laptop open on a tray table with nobody typing: the office
rules would call that "away" and remind no one. These tests fly it, land it, sleep
through part of it, cross time zones, drive, and restart deskbreak halfway, and check
each rule the issue asks for.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

import pytest

from deskbreak.catalogue import load_catalogue
from deskbreak.config import Config
from deskbreak.core import commands as c
from deskbreak.core import events as ev
from deskbreak.core import trip as trips
from deskbreak.core.controller import (
    Controller,
    Inform,
    Result,
    ShowBreak,
    ShowSteps,
    Withdraw,
)
from deskbreak.core.history import record_of
from deskbreak.core.model import Hold, IdleSample, Observation, Settings, WorkingHours
from deskbreak.core.rotation import Rotation

M, H = 60.0, 3600.0
LONDON, NEW_YORK = ZoneInfo("Europe/London"), ZoneInfo("America/New_York")
TAKE_OFF = dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)  # a Monday
TAKE_OFF_UTC = TAKE_OFF.astimezone(dt.UTC)
CATALOGUE = load_catalogue(Config())
ELIGIBLE = CATALOGUE.eligible_ids(Config())
POOL = trips.trip_pool(CATALOGUE.eligible(Config(), "travel"))
OFFICE = WorkingHours(enabled=True, days=(((540, 1050),),) * 5 + ((), ()))


@dataclass
class Flight:
    """The clocks of a journey: ``mono`` stops in a suspend, ``boot`` and UTC do not;
    ``zone`` is where the traveler's clock is set. Nobody types unless told (idle grows)."""

    mono: float = 1000.0
    boot: float = 1000.0
    utc: dt.datetime = TAKE_OFF_UTC
    zone: ZoneInfo = LONDON
    wall_offset: float = 0.0  # a wall clock set wrong (or right) by hand
    idle: float = 0.0
    dnd: tuple[str, ...] = ()
    typing: bool = False
    results: list[tuple[float, Result]] = field(default_factory=list)

    def wall(self) -> dt.datetime:
        return (self.utc + dt.timedelta(seconds=self.wall_offset)).astimezone(self.zone)

    def at(self) -> Observation:
        return Observation(self.mono, self.boot, self.wall())

    def run(self, control: Controller, seconds: float) -> list[Result]:
        """``seconds`` of awake time, waking when the controller asks (a minute at most)."""
        end = self.mono + seconds
        out = []
        while True:
            needs = control.needs(self.mono)
            obs = Observation(self.mono, self.boot, self.wall(),
                              IdleSample(self.idle) if needs.idle else None,
                              self.dnd if needs.dnd else None)
            result = control.observe(obs)
            out.append(result)
            self.results.append((self.elapsed, result))
            if self.mono >= end:
                return out
            step = min(control.next_wakeup(self.mono) - self.mono, 60.0, end - self.mono)
            self.advance(max(step, 0.25) if self.mono + 0.25 <= end else end - self.mono)

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.boot += seconds
        self.utc += dt.timedelta(seconds=seconds)
        self.idle = 0.0 if self.typing else self.idle + seconds

    def sleep(self, seconds: float) -> None:
        """The lid closed: boot and UTC run on, the monotonic clock stops."""
        self.boot += seconds
        self.utc += dt.timedelta(seconds=seconds)
        self.idle += seconds

    @property
    def elapsed(self) -> float:
        return self.boot - 1000.0


def controller(flight: Flight, settings: Settings | None = None, **kwargs: object
               ) -> Controller:
    settings = settings or Settings(interval=30 * M, snooze=5 * M)
    return Controller(settings, ELIGIBLE, Rotation(rng=random.Random(7)), flight.at(),
                      trip_pool=POOL, **kwargs)  # type: ignore[arg-type]


def events(results: list[Result]) -> list[ev.Event]:
    return [e for r in results for e in r.events if not isinstance(e, ev.Sat)]


def shows(results: list[Result]) -> list[ev.BreakShown]:
    return [e for e in events(results) if isinstance(e, ev.BreakShown)]


def minutes_of(flight: Flight, kind: type[ev.Event]) -> list[float]:
    """When (minutes of elapsed time) each event of ``kind`` happened."""
    return [round(t / M, 2) for t, r in flight.results for e in r.events if isinstance(e, kind)]


def start(flight: Flight, control: Controller, seconds: float | None = None, *,
          driving: bool = False) -> Result:
    result = control.apply(c.TripStart(seconds, driving=driving), flight.at())
    assert result.refused is None, result.refused
    flight.results.append((flight.elapsed, result))
    return result


# --- the flight --------------------------------------------------------------------------
def test_an_eight_hour_flight_with_no_input_gets_a_break_every_interval() -> None:
    flight = Flight()
    control = controller(flight)
    started = start(flight, control, 8 * H)
    assert control.context == "travel"
    assert started.message.startswith("Trip mode on: for 8 h (until 18:00); a break every "
                                      "30 min in your seat")
    flight.run(control, 9 * H)
    assert minutes_of(flight, ev.BreakShown) == [30.0 * n for n in range(1, 16)]
    assert minutes_of(flight, ev.TripEnded) == [480.0]
    # Eight hours with no input: on a trip that is no absence, and no break either.
    assert not any(isinstance(e, ev.WentAway | ev.NaturalBreak)
                   for e in events([r for t, r in flight.results if t < 8 * H]))
    # Landed: the desk again, where eight hours without input is being away.
    assert control.context == "desk"
    assert control.planner.hold(flight.mono) is Hold.AWAY


def test_each_trip_break_is_an_in_seat_routine_and_every_second_one_a_walk() -> None:
    flight = Flight()
    control = controller(flight)
    start(flight, control, 4 * H)
    shown = shows(flight.run(control, 4 * H))
    assert len(shown) == 7
    seated = {e.id for e in CATALOGUE if trips.in_seat(e)}
    for number, event in enumerate(shown, start=1):
        assert event.trip and event.context == "travel" and not event.driving
        assert event.walk == (number % 2 == 0)
        assert 2 <= len(event.exercises) <= 3 and len(event.exercises) == 3 - event.walk
        assert event.exercise_id == event.exercises[0]
        assert set(event.exercises) <= seated  # none needs standing
        first, second, *_ = (CATALOGUE.get(i) for i in event.exercises)
        assert first is not None and "circulation" in first.focus
        assert second is not None and "back" in second.focus
    circulation = [e.exercises[0] for e in shown]
    assert len(set(circulation[:3])) == 3  # dealt from a deck: no repeats within a round


def test_the_notification_says_to_start_the_routine_with_a_sound() -> None:
    flight = Flight()
    control = controller(flight)
    start(flight, control)
    first, second = (r for r in flight.run(control, 61 * M) if any(
        isinstance(e, ShowBreak) for e in r.effects))
    show = first.effects[-1]
    assert isinstance(show, ShowBreak) and show.sound and len(show.routine) == 3
    again = second.effects[-1]
    assert isinstance(again, ShowBreak) and again.walk and len(again.routine) == 2
    started = control.apply(c.Start(), flight.at())
    assert started.effects == [ShowSteps(again.exercise_id, again.routine, True)]


def test_no_sound_when_the_setting_says_so() -> None:
    flight = Flight()
    control = controller(flight, Settings(trip_sound=False))
    start(flight, control)
    (shown,) = [e for r in flight.run(control, 30 * M) for e in r.effects
                if isinstance(e, ShowBreak)]
    assert shown.sound is False


def test_a_fullscreen_film_does_not_hold_a_trip_break_but_holds_an_office_one() -> None:
    office = Flight(dnd=("fullscreen window",), typing=True)
    desk = controller(office)
    assert shows(office.run(desk, 1 * H)) == []  # held, the film still on
    assert desk.planner.hold(office.mono) is Hold.DND

    flight = Flight(dnd=("fullscreen window", "desktop inhibits idle"))
    control = controller(flight)
    start(flight, control)
    assert minutes_of(flight, ev.BreakShown) == []
    flight.run(control, 2 * H)
    assert minutes_of(flight, ev.BreakShown) == [30.0, 60.0, 90.0, 120.0]


def test_do_not_disturb_the_traveler_turned_on_still_holds() -> None:
    flight = Flight(dnd=("notifications paused",))
    control = controller(flight)
    start(flight, control)
    assert shows(flight.run(control, 1 * H)) == []
    flight.dnd = ()
    flight.run(control, 1 * M)
    assert len(minutes_of(flight, ev.BreakShown)) == 1


def test_a_suspend_pauses_the_count_without_restarting_it() -> None:
    flight = Flight()
    control = controller(flight)
    start(flight, control, 3 * H)
    flight.run(control, 20 * M)
    flight.sleep(60 * M)  # the lid closed for an hour
    results = flight.run(control, 3 * H)
    # Awake minutes 30, 60 and 90 are elapsed 30 + 60, 60 + 60, 90 + 60; the trip (three
    # hours of the journey, lid closed or not) ends at elapsed 180 = awake 120.
    assert minutes_of(flight, ev.BreakShown) == [90.0, 120.0, 150.0]
    assert minutes_of(flight, ev.TripEnded) == [180.0]
    kinds = {type(e) for e in events(results)}
    assert ev.Suspended in kinds and ev.NaturalBreak not in kinds


def test_the_trip_ends_by_itself_and_restores_the_context_and_the_office_rules() -> None:
    flight = Flight(typing=True)
    control = controller(flight, Settings(interval=45 * M, trip_interval=20 * M))
    control.apply(c.SetContext("home"), flight.at())
    start(flight, control, 1 * H)
    assert control.snapshot(flight.at()).trip_from == "home"
    results = flight.run(control, 1 * H + 50 * M)
    assert minutes_of(flight, ev.BreakShown) == [20.0, 40.0, 60.0 + 45.0]
    ended = next(r for r in results if any(isinstance(e, ev.TripEnded) for e in r.events))
    assert control.context == "home"
    changed = [e for e in ended.events if isinstance(e, ev.ContextChanged)]
    assert [e.context for e in changed] == ["home"] and not changed[0].trip
    (note,) = [e for e in ended.effects if isinstance(e, Inform)]
    assert note.body == "Back to the home context: next break in 45 min."
    last = shows(results)[-1]
    assert not last.trip and last.exercises == () and last.context == "home"


def test_working_hours_do_not_apply_during_a_trip_and_do_after_it() -> None:
    evening = TAKE_OFF.replace(hour=20).astimezone(dt.UTC)
    flight = Flight(utc=evening, typing=True)
    control = controller(flight, Settings(working_hours=OFFICE))
    flight.run(control, 1 * M)
    assert control.planner.hold(flight.mono) is Hold.OFF_DUTY
    start(flight, control, 2 * H)
    assert control.planner.hold(flight.mono) is None
    flight.run(control, 3 * H)
    assert minutes_of(flight, ev.BreakShown) == [31.0, 61.0, 91.0]  # 120 is the trip's end
    assert minutes_of(flight, ev.DutyEnded) == [121.0]
    assert control.planner.hold(flight.mono) is Hold.OFF_DUTY


@pytest.mark.parametrize("change", ["fly west", "clock set by hand"])
def test_crossing_time_zones_or_a_clock_change_does_not_move_the_end(change: str) -> None:
    flight = Flight()
    control = controller(flight)
    start(flight, control, 4 * H)
    flight.run(control, 1 * H)
    if change == "fly west":
        flight.zone = NEW_YORK  # local time goes back five hours
    else:
        flight.wall_offset = 3 * H
    status = control.snapshot(flight.at()).plan
    assert status.trip_left == 3 * H
    flight.run(control, 4 * H)
    assert minutes_of(flight, ev.TripEnded) == [240.0]
    assert minutes_of(flight, ev.BreakShown) == [30.0 * n for n in range(1, 8)]
    assert minutes_of(flight, ev.ClockJumped)  # the jump was seen, and changed nothing


def test_driving_gives_only_stop_reminders_at_the_driving_interval() -> None:
    flight = Flight(dnd=("fullscreen window",))
    control = controller(flight)
    started = start(flight, control, 5 * H, driving=True)
    assert started.message.startswith("Trip mode on: driving, for 5 h")
    assert "a reminder to stop every 2 h" in started.message
    (note,) = [e for e in started.effects if isinstance(e, Inform)]
    assert "Highway Code, rule 91" in note.body
    results = flight.run(control, 5 * H)
    shown = shows(results)
    assert minutes_of(flight, ev.BreakShown) == [120.0, 240.0]
    for event in shown:
        assert event.driving and event.exercises == () and event.trip
        assert event.exercise_id == trips.DRIVING_STOP
    effects = [e for r in results for e in r.effects if isinstance(e, ShowBreak)]
    assert all(e.driving and e.routine == () and e.sound for e in effects)
    refused = control.apply(c.Start(), flight.at())
    assert refused.refused is not None and "driving stop" in refused.refused


def test_the_tray_check_mark_switches_driving_during_a_trip() -> None:
    flight = Flight()
    control = controller(flight)
    start(flight, control, 6 * H)
    flight.run(control, 40 * M)
    switched = control.apply(c.TripDriving(True), flight.at())
    assert [type(e) for e in switched.events if not isinstance(e, ev.Sat)] == [
        ev.BreakIgnored, ev.TripDriving]  # the in-seat break on screen no longer fits
    assert Withdraw() in switched.effects
    assert control.planner.interval == 2 * H
    assert control.apply(c.TripDriving(True), flight.at()).message.endswith("(no change)")
    results = flight.run(control, 2 * H)
    # A fresh driving interval from the switch at 40: the next stop comes at 160, and
    # it is a stop, not exercises; the trip's end did not move.
    (stop,) = shows(results)
    assert stop.driving and minutes_of(flight, ev.BreakShown) == [30.0, 160.0]
    assert control.snapshot(flight.at()).plan.trip_left == pytest.approx(6 * H - 160 * M)


def test_driving_without_a_trip_starts_one_until_stopped() -> None:
    flight = Flight()
    control = controller(flight)
    assert control.apply(c.TripDriving(False), flight.at()).refused == \
        "no trip: not driving already"
    result = control.apply(c.TripDriving(True), flight.at())
    assert result.message.startswith("Trip mode on: driving, until you stop it")
    trip = control.planner.trip
    assert trip is not None and trip.driving and trip.until_boot is None


def test_stop_ends_the_trip_and_says_where_it_goes_back() -> None:
    flight = Flight(typing=True)
    control = controller(flight)
    assert control.apply(c.TripStop(), flight.at()).refused == "no trip: nothing to stop"
    start(flight, control)
    flight.run(control, 10 * M)
    stopped = control.apply(c.TripStop(), flight.at())
    assert stopped.message == "Trip mode off: context desk; next break in 30 min"
    assert control.context == "desk" and control.planner.trip is None
    assert control.planner.interval == 30 * M


def test_the_safety_note_comes_once_per_trip_not_for_new_terms() -> None:
    flight = Flight()
    control = controller(flight)
    first = start(flight, control, 2 * H)
    (note,) = [e for e in first.effects if isinstance(e, Inform)]
    assert note.title == trips.SAFETY_TITLE
    for words in ("DVT", "4 hours", "pregnancy", "swelling", "warmth in one leg",
                  "breathlessness", "chest pain", "ask a doctor", "WHO, NHS, CDC"):
        assert words in note.body
    again = start(flight, control, 4 * H)
    assert again.message.startswith("Trip changed: for 4 h")
    assert not any(isinstance(e, Inform) for e in again.effects)
    assert control.snapshot(flight.at()).trip_from == "desk"  # still goes back there


def test_a_trip_ends_a_pause_and_takes_down_the_break_on_screen() -> None:
    flight = Flight(typing=True)
    control = controller(flight)
    flight.run(control, 30 * M)
    ident = control.snapshot(flight.at()).showing
    assert ident is not None
    control.apply(c.Pause(), flight.at())
    control.apply(c.BreakNow(), flight.at())
    started = start(flight, control)
    kinds = [(type(e), getattr(e, "reason", getattr(e, "by", None)))
             for e in started.events if not isinstance(e, ev.Sat)]
    assert kinds[:3] == [(ev.BreakIgnored, "trip"), (ev.Resumed, "trip"),
                         (ev.TripStarted, None)]
    assert Withdraw() in started.effects and control.planner.pause_state is None


def test_a_trip_is_refused_when_exclusions_left_no_travel_exercise() -> None:
    flight = Flight()
    control = Controller(Settings(), {"desk": ("a",), "home": ("a",), "travel": ()},
                         Rotation(), flight.at(), trip_pool={})
    assert control.apply(c.TripStart(), flight.at()).refused == \
        "no exercises left in context 'travel' after your exclusions"
    assert control.apply(c.TripStart(driving=True), flight.at()).refused is None


def test_without_in_seat_entries_a_trip_falls_back_to_one_travel_exercise() -> None:
    flight = Flight()
    control = Controller(Settings(), {"desk": ("a",), "home": ("a",), "travel": ("t",)},
                         Rotation(), flight.at(), trip_pool={})
    control.apply(c.TripStart(), flight.at())
    (shown,) = shows(flight.run(control, 30 * M))
    assert shown.exercise_id == "t" and shown.exercises == () and shown.trip


def test_events_during_a_trip_are_marked_and_the_rest_are_not() -> None:
    flight = Flight(typing=True)
    control = controller(flight)
    flight.run(control, 31 * M)
    start(flight, control, 1 * H)
    flight.run(control, 2 * H)
    every = [e for _, r in flight.results for e in r.events]
    began = next(i for i, e in enumerate(every) if isinstance(e, ev.TripStarted))
    ended = next(i for i, e in enumerate(every) if isinstance(e, ev.TripEnded))
    assert not any(e.trip for e in every[:began])
    assert all(e.trip for e in every[began:ended + 1])
    assert not any(e.trip for e in every[ended + 1:])
    assert all(record_of(e).trip == e.trip for e in every)
    sat = [e for e in every[began:ended + 1] if isinstance(e, ev.Sat)]
    assert sum(e.seconds for e in sat) == pytest.approx(1 * H)  # cut at both ends


# --- a restart mid-trip ------------------------------------------------------------------
def test_a_restart_mid_trip_keeps_the_trip_its_end_and_its_walks() -> None:
    flight = Flight()
    first = controller(flight)
    start(flight, first, 4 * H)
    flight.run(first, 100 * M)  # breaks at 30, 60, 90
    saved = first.trip_state(flight.at())
    assert first.chosen_context() == ("desk", "desk")  # the trip's context is not saved
    flight.advance(20.0)  # deskbreak down for 20 s (an update, a crash)
    restored = trips.from_json(saved, flight.at())
    assert restored is not None
    second = controller(flight, chosen_context=first.chosen_context(), trip=restored)
    assert second.context == "travel"
    shown = shows(flight.run(second, 3 * H))
    assert shown[0].walk and len(shown[0].exercises) == 2  # the 4th break of the trip
    assert minutes_of(flight, ev.TripEnded) == [240.0]
    assert second.context == "desk"


def test_after_a_reboot_the_trip_ends_on_time_by_the_utc_clock() -> None:
    flight = Flight()
    first = controller(flight)
    start(flight, first, 4 * H)
    flight.run(first, 1 * H)
    saved = first.trip_state(flight.at())
    flight.sleep(30 * M)  # shut down, thirty minutes in a taxi, booted again:
    flight.boot, flight.mono = 20.0, 15.0  # a new boot clock
    trip, back, breaks = trips.from_json(saved, flight.at())  # type: ignore[misc]
    assert (back, breaks) == ("desk", 2)
    assert trip.left(flight.at()) == pytest.approx(2 * H + 30 * M)


def test_a_trip_that_ended_while_deskbreak_was_down_ends_at_once() -> None:
    flight = Flight()
    first = controller(flight)
    start(flight, first, 1 * H)
    saved = first.trip_state(flight.at())
    flight.advance(2 * H)
    second = controller(flight, trip=trips.from_json(saved, flight.at()))
    result = second.observe(flight.at())
    assert [type(e) for e in result.events] == [ev.TripEnded, ev.ContextChanged]
    assert second.context == "desk"


@pytest.mark.parametrize("data", [
    None, "trip", [], {}, {"driving": "no", "previous_context": "desk", "breaks": 0},
    {"driving": False, "previous_context": "office", "breaks": 0, "length": None},
    {"driving": False, "previous_context": "desk", "breaks": -1, "length": None},
    {"driving": False, "previous_context": "desk", "breaks": 0, "length": float("nan"),
     "left": 1.0, "saved_boot": 1.0, "saved_utc": 1.0},
    {"driving": False, "previous_context": "desk", "breaks": 0, "length": 3600,
     "left": 7200, "saved_boot": 1.0, "saved_utc": 1.0},
    {"driving": False, "previous_context": "desk", "breaks": 0, "length": 1e12,
     "left": 1.0, "saved_boot": 1.0, "saved_utc": 1.0},
])
def test_a_damaged_saved_trip_is_ignored(data: object) -> None:
    assert trips.from_json(data, Flight().at()) is None


# --- the wording -------------------------------------------------------------------------
def test_status_and_tray_say_the_trip_and_when_it_ends() -> None:
    from deskbreak.core import presenter

    flight = Flight()
    control = controller(flight)
    start(flight, control, 4 * H, driving=True)
    flight.run(control, 10 * M)
    snap = control.snapshot(flight.at())
    assert presenter.headline(snap) == "Driving: stop in 1 h 50 min"
    view = presenter.menu_view(snap)
    assert view.trip and view.trip_driving
    edges = presenter.EdgeReport(pid=1, notifier="n", tray="t", tray_menu=True, idle="i",
                                 dnd=(), config=None, config_error=None, notes=())
    status = presenter.status(snap, edges)
    assert status["trip"] == {"driving": True, "length": 4 * H, "ends_in": 3 * H + 50 * M,
                              "ends_at": "2026-11-23T14:00:00", "interval": 2 * H,
                              "breaks": 0, "back_to": "desk"}
    assert status["context"] == "travel"


def test_the_log_names_trip_events() -> None:
    from deskbreak.core.presenter import describe

    now = dict(mono=1.0, wall=TAKE_OFF)
    assert describe(ev.TripStarted(**now, seconds=7200, driving=False)) == \
        "trip started (in a seat), for 2 h"
    assert describe(ev.TripEnded(**now, by="end of trip")) == "trip ended (end of trip)"
    shown = ev.BreakShown(**now, exercise_id="a", context="travel", requested=False,
                          exercises=("a", "b"), walk=True, trip=True)
    assert describe(shown) == "trip break shown (due): a + b + walk [travel]"


def test_the_guide_plays_the_whole_routine_labelled_by_movement() -> None:
    from deskbreak.guide.terminal import heading

    exercises = [CATALOGUE.get(i) for i in ("ankle-pumps", "seated-knee-to-chest")]
    plan = trips.trip_routine(exercises, walk=True)  # type: ignore[arg-type]
    kinds = [p.kind for p in plan.phases]
    assert kinds[0] == "intro" and kinds[-2:] == ["walk", "end"]
    assert kinds.count("next") == 2
    assert plan.cautions[0].startswith("Stop if it hurts")
    assert trips.WALK_CAUTION in plan.cautions
    assert len(plan.cautions) == len(set(plan.cautions))
    second = next(i for i, p in enumerate(plan.phases)
                  if p.kind == "step" and p.part and p.part.endswith("(2 of 2)"))
    assert heading(plan, second) == "Step 1 of " + str(sum(
        1 for p in plan.phases if p.kind == "step" and p.part == plan.phases[second].part))
    assert plan.phases[second].label.startswith("Seated knee to chest (2 of 2)")
    walk = plan.phases[-2]
    assert "seat-belt sign is off or at the next stop" in walk.text


def test_the_terminal_guide_plays_a_trip_routine_to_its_end() -> None:
    import io

    from deskbreak.guide.terminal import play

    exercises = [CATALOGUE.get(i) for i in ("ankle-circles", "seated-pelvic-tilt")]
    plan = trips.trip_routine(exercises, walk=False)  # type: ignore[arg-type]
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    out = io.StringIO()
    outcome = play(plan, out=out, clock=lambda: now[0], sleep=sleep, interactive=False)
    assert outcome.completed and outcome.fraction == 1.0
    assert "Next movement" in out.getvalue() and "Well done" in out.getvalue()


def test_the_notifications_of_a_trip_and_a_drive() -> None:
    from deskbreak.notify.trip import driving_notice, trip_notice

    exercises = [CATALOGUE.get(i) for i in ("ankle-pumps", "seated-cat-camel",
                                            "shoulder-rolls")]
    notice = trip_notice(exercises, walk=False)  # type: ignore[arg-type]
    assert notice.title == "Time to move: Ankle pumps + Seated cat-camel + Shoulder rolls" \
        or notice.title.startswith("Time to move: ")
    assert notice.sound and notice.startable and notice.exercise_id == "ankle-pumps"
    assert "In your seat, about" in notice.body and "1. " in notice.body
    walking = trip_notice(exercises[:2], walk=True)  # type: ignore[arg-type]
    assert "seat-belt sign is off or at the next stop" in walking.body
    stop = driving_notice(2 * H)
    assert not stop.startable and stop.sound and stop.exercise_id == trips.DRIVING_STOP
    assert stop.title == "Time to move: stop for a break"
    assert "Highway Code, rule 91" in stop.body and "2 h" in stop.body


def test_statistics_keep_trips_apart_from_the_office() -> None:
    from deskbreak.core.stats import report

    flight = Flight(typing=True)
    control = controller(flight)
    flight.run(control, 2 * H)  # at the desk: breaks at 30, 60, 90, 120
    start(flight, control)
    flight.run(control, 2 * H)  # a trip: 4 more, which are not office breaks
    start(flight, control, 3 * H, driving=True)  # the same trip, now at the wheel
    flight.run(control, 2 * H + 1)
    records = [record_of(e) for _, r in flight.results for e in r.events]
    day = TAKE_OFF.date()
    result = report(records, day, day, day)
    assert result.total.breaks == 4
    assert result.total.active_seconds == pytest.approx(2 * H)
    assert result.trips.trips == 1  # new terms for the same trip are not a second one
    assert (result.trips.breaks, result.trips.walks, result.trips.driving_stops) == (4, 2, 1)
    assert result.trips.seconds == pytest.approx(4 * H, abs=2)  # the span in flight: not yet


def test_trip_commands_are_validated_like_the_others() -> None:
    for bad in ({"driving": "yes"}, {"driving": 1}, {"seconds": -1}, {"seconds": 0},
                {"seconds": float("nan")}, {"seconds": 8 * 24 * H}, {"seconds": "2h"}):
        with pytest.raises(c.CommandError):
            c.decode("trip-start", bad)
    with pytest.raises(c.CommandError, match="trip-driving: driving must be true or false"):
        c.decode("trip-driving", {"driving": "false"})
    assert c.decode("trip-start", {"seconds": 7200}) == c.TripStart(7200.0)


def test_the_tray_submenu_sends_the_trip_commands() -> None:
    from deskbreak.core.presenter import MenuView
    from deskbreak.tray.menu import build_menu

    sent: list[c.Command] = []
    view = [MenuView()]

    class Login:
        def is_on(self) -> bool:
            return False

    menu = build_menu(lambda: view[0], sent.append, (300.0,), (1800.0,),
                      start_at_login=Login())  # type: ignore[arg-type]
    (trip,) = [item for item in menu.items if item.text == "Trip mode"]
    labels = [item.text for item in trip.submenu.items]
    assert labels == ["2 h", "4 h", "8 h", "Until I stop it", "- - - -", "I'm driving",
                      "Stop trip"]
    items = {item.text: item for item in trip.submenu.items}
    assert not items["Stop trip"].enabled and not items["I'm driving"].checked
    items["4 h"](None)
    items["I'm driving"](None)
    view[0] = replace(view[0], trip=True, trip_driving=True)
    assert items["Stop trip"].enabled and items["I'm driving"].checked
    items["Until I stop it"](None)
    items["I'm driving"](None)
    items["Stop trip"](None)
    assert sent == [c.TripStart(4 * H), c.TripDriving(True), c.TripStart(None, driving=True),
                    c.TripDriving(False), c.TripStop()]
