"""The controller's rules, as a user would expect them, with no daemon and no clock."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

import pytest

from deskbreak.core import commands as c
from deskbreak.core import events as ev
from deskbreak.core.controller import (
    Controller,
    OpenSettingsFile,
    ReloadSettings,
    Result,
    ShowBreak,
    ShowSteps,
    Stop,
    Withdraw,
    rollover_after,
)
from deskbreak.core.model import Hold, IdleSample, Observation, Settings, WorkingHours
from deskbreak.core.rotation import Rotation

MIN = 60.0
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0)
ELIGIBLE = {"desk": ("a", "b", "c"), "home": ("a", "b", "c", "floor"), "travel": ("a",)}
OFFICE = WorkingHours(enabled=True, days=(((540, 1050),),) * 5 + ((), ()))


class World:
    """The clocks moving together; ``at`` is the Observation a command is applied at."""

    def __init__(self, wall: dt.datetime = MONDAY_10) -> None:
        self.mono = 1000.0
        self.wall = wall

    def at(self) -> Observation:
        return Observation(self.mono, self.mono, self.wall)

    def pass_time(self, control: Controller, seconds: float, idle: float | None = None
                  ) -> list[Result]:
        """Time passes in one-second looks (idle: seconds without input, growing)."""
        results = []
        for _ in range(int(seconds)):
            self.mono += 1
            self.wall += dt.timedelta(seconds=1)
            if idle is not None:
                idle += 1
            sample = None if idle is None else IdleSample(idle)
            results.append(control.observe(Observation(self.mono, self.mono, self.wall,
                                                       sample, ())))
        return results


def controller(world: World, settings: Settings | None = None,
               chosen: tuple[str, str] | None = None) -> Controller:
    settings = settings or Settings(interval=30 * MIN, snooze=5 * MIN)
    return Controller(settings, ELIGIBLE, Rotation(rng=random.Random(1)), world.at(), chosen)


def events(results: list[Result]) -> list[ev.Event]:
    """What happened, without the sitting spans (their own tests check those)."""
    return [e for r in results for e in told(r)]


def told(result: Result) -> list[ev.Event]:
    return [e for e in result.events if not isinstance(e, ev.Sat)]


def shown_break(world: World) -> tuple[Controller, str]:
    control = controller(world)
    results = world.pass_time(control, 30 * MIN)
    shows = [e for e in events(results) if isinstance(e, ev.BreakShown)]
    assert len(shows) == 1
    return control, shows[0].exercise_id


def test_a_due_break_is_shown_from_the_rotation_and_saved() -> None:
    world = World()
    control = controller(world)
    result = world.pass_time(control, 30 * MIN)[-1]
    (event,) = told(result)
    assert isinstance(event, ev.BreakShown)
    assert event.context == "desk" and event.requested is False and event.wall == world.wall
    assert result.effects == [ShowBreak(event.exercise_id)] and result.save
    assert control.snapshot(world.at()).showing == event.exercise_id


def test_start_guides_the_break_on_screen_and_only_that() -> None:
    world = World()
    control, ident = shown_break(world)
    result = control.apply(c.Start(), world.at())
    assert result.message == "Started" and result.effects == [ShowSteps(ident)]
    assert [type(e) for e in told(result)] == [ev.BreakStarted]
    again = control.apply(c.Start(), world.at())
    assert again.refused == "no break is showing: nothing to start"


def test_snoozing_the_break_on_screen_shows_it_again_after_the_snooze() -> None:
    world = World()
    control, ident = shown_break(world)
    result = control.apply(c.Snooze(), world.at())
    assert result.message == "Snoozed: next break in 5 min"
    assert result.effects == [Withdraw()]
    (event,) = told(result)
    assert isinstance(event, ev.BreakSnoozed) and event.exercise_id == ident
    assert event.seconds == 5 * MIN
    later = world.pass_time(control, 5 * MIN)
    assert [type(e) for e in events(later)] == [ev.BreakShown]


def test_snoozing_before_a_break_postpones_the_next_one() -> None:
    world = World()
    control = controller(world)
    world.pass_time(control, 20 * MIN)
    result = control.apply(c.Snooze(10 * MIN), world.at())
    assert result.message == "Snoozed: next break in 20 min" and result.effects == []
    assert isinstance(told(result)[0], ev.BreakSnoozed) and told(result)[0].exercise_id is None


def test_skipping_the_break_on_screen_starts_a_fresh_interval() -> None:
    world = World()
    control, ident = shown_break(world)
    world.pass_time(control, 2 * MIN)
    result = control.apply(c.Skip(), world.at())
    assert result.message == "Skipped: next break in 30 min"
    assert result.effects == [Withdraw()]
    assert isinstance(told(result)[0], ev.BreakSkipped) and told(result)[0].exercise_id == ident
    assert control.snapshot(world.at()).plan.due_in == pytest.approx(30 * MIN)


@pytest.mark.parametrize(("command", "reason"), [
    (c.Snooze(), "paused: nothing to snooze; resume first"),
    (c.Snooze(60.0), "paused: nothing to snooze; resume first"),
    (c.Skip(), "paused: nothing to skip; resume first"),
    (c.Start(), "no break is showing: nothing to start"),
])
def test_while_paused_there_is_nothing_to_snooze_or_skip(command: c.Command,
                                                         reason: str) -> None:
    world = World()
    control = controller(world)
    control.apply(c.Pause(), world.at())
    before = control.snapshot(world.at())
    result = control.apply(command, world.at())
    assert result.refused == reason
    assert told(result) == [] and result.effects == [] and not result.save
    assert control.snapshot(world.at()) == before


def test_break_now_while_paused_shows_a_break_and_leaves_the_pause_as_it_was() -> None:
    world = World()
    control = controller(world)
    control.apply(c.Pause(3600.0), world.at())
    before = control.snapshot(world.at()).plan
    world.pass_time(control, 60)
    result = control.apply(c.BreakNow(), world.at())
    assert result.message == "Break now (still paused)"
    shown = told(result)[0]
    assert isinstance(shown, ev.BreakShown) and shown.requested
    plan = control.snapshot(world.at()).plan
    assert plan.hold is Hold.PAUSED and plan.pause == before.pause
    assert plan.pause_left == pytest.approx(3600 - 60)
    # The break asked for can be dismissed; the pause stays; snooze stays refused.
    assert control.apply(c.Snooze(), world.at()).refused
    skipped = control.apply(c.Skip(), world.at())
    assert skipped.message == "Skipped (still paused)" and skipped.effects == [Withdraw()]
    assert control.snapshot(world.at()).plan.pause == before.pause
    assert control.apply(c.Skip(), world.at()).refused == "paused: nothing to skip; resume first"


def test_off_duty_there_is_nothing_to_snooze_or_skip_either() -> None:
    world = World(wall=dt.datetime(2026, 11, 27, 19, 0))  # Friday evening
    control = controller(world, Settings(working_hours=OFFICE))
    assert control.apply(c.Snooze(), world.at()).refused \
        == "off duty until Mon 09:00: nothing to snooze"
    assert control.apply(c.Skip(), world.at()).refused \
        == "off duty until Mon 09:00: nothing to skip"
    assert control.apply(c.BreakNow(), world.at()).effects  # asked for: shown anyway


@pytest.mark.parametrize(("now", "until", "message"), [
    (dt.datetime(2026, 11, 23, 10, 0), dt.datetime(2026, 11, 24, 4, 0),
     "Paused until tomorrow 04:00"),
    (dt.datetime(2026, 11, 24, 1, 30), dt.datetime(2026, 11, 24, 4, 0), "Paused until 04:00"),
    (dt.datetime(2026, 11, 24, 4, 0), dt.datetime(2026, 11, 25, 4, 0),
     "Paused until tomorrow 04:00"),
])
def test_until_tomorrow_means_the_next_rollover(now: dt.datetime, until: dt.datetime,
                                                message: str) -> None:
    assert rollover_after(now) == until
    world = World(wall=now)
    control = controller(world)
    result = control.apply(c.Pause(until_tomorrow=True), world.at())
    assert result.message == message
    (event,) = told(result)
    assert isinstance(event, ev.Paused) and event.until == until and event.seconds is None
    assert control.planner.pause_state is not None
    assert control.planner.pause_state.until_wall == until  # one state, nothing else


def test_pausing_with_a_break_on_screen_takes_it_down_as_ignored() -> None:
    world = World()
    control, ident = shown_break(world)
    result = control.apply(c.Pause(), world.at())
    assert result.message == "Paused until resumed"
    assert result.effects == [Withdraw()]
    ignored, paused = told(result)
    assert isinstance(ignored, ev.BreakIgnored) and ignored.reason == "paused"
    assert ignored.exercise_id == ident and isinstance(paused, ev.Paused)


def test_a_second_pause_replaces_the_first_and_resume_is_refused_when_not_paused() -> None:
    world = World()
    control = controller(world)
    assert control.apply(c.Resume(), world.at()).refused == "not paused: nothing to resume"
    control.apply(c.Pause(3600.0), world.at())
    assert control.apply(c.Pause(600.0), world.at()).message == "Paused for 10 min"
    assert control.snapshot(world.at()).plan.pause_left == pytest.approx(600)
    result = control.apply(c.Resume(), world.at())
    assert result.message == "Resumed: next break in 30 min"
    assert isinstance(told(result)[0], ev.Resumed) and told(result)[0].by == "you"


def test_an_unanswered_break_is_ignored_when_the_next_one_comes() -> None:
    world = World()
    control, first = shown_break(world)
    results = world.pass_time(control, 30 * MIN)
    kinds = [(type(e), getattr(e, "reason", None)) for e in events(results)]
    assert kinds == [(ev.BreakIgnored, "next break"), (ev.BreakShown, None)]
    assert events(results)[0].exercise_id == first  # type: ignore[attr-defined]


def test_an_unanswered_break_is_ignored_when_the_user_walks_away() -> None:
    world = World()
    control, _ = shown_break(world)
    left = world.pass_time(control, 10 * MIN, idle=0.0)  # away from the keyboard
    kinds = [type(e) for e in events(left)]
    assert kinds == [ev.WentAway, ev.BreakIgnored]
    assert [e.reason for e in events(left) if isinstance(e, ev.BreakIgnored)] \
        == ["natural break"]
    assert Withdraw() in [f for r in left for f in r.effects]
    snap = control.snapshot(world.at())
    assert snap.showing is None  # nothing left to Start, nothing "due" on the icon
    assert control.apply(c.Start(), world.at()).refused
    back = world.pass_time(control, 5, idle=None) + world.pass_time(control, 61, idle=-1.0)
    assert [type(e) for e in events(back)] == [ev.NaturalBreak]


def test_contexts_without_exercises_are_refused_and_choices_are_saved() -> None:
    world = World()
    control = Controller(Settings(), {**ELIGIBLE, "travel": ()}, Rotation(), world.at())
    result = control.apply(c.SetContext("travel"), world.at())
    assert result.refused == "no exercises left in context 'travel' after your exclusions"
    home = control.apply(c.SetContext("home"), world.at())
    assert home.message == "Context: home" and home.save
    assert [type(e) for e in home.events] == [ev.ContextChanged]
    assert control.chosen_context() == ("home", "desk")


def test_a_chosen_context_outlives_a_restart_unless_the_config_changed() -> None:
    world = World()
    assert controller(world, chosen=("home", "desk")).context == "home"
    assert controller(world, chosen=("home", "travel")).context == "desk"  # config wins
    assert controller(world, chosen=("nowhere", "desk")).context == "desk"


def test_next_peeks_without_using_the_exercise_up() -> None:
    world = World()
    control = controller(world)
    peeked = control.apply(c.Next(), world.at())
    assert peeked.data is not None and peeked.data["context"] == "desk"
    shown = events(world.pass_time(control, 30 * MIN))[0]
    assert isinstance(shown, ev.BreakShown) and shown.exercise_id == peeked.data["id"]


def test_settings_file_reload_and_quit_are_effects_for_the_daemon() -> None:
    world = World()
    control = controller(world)
    assert control.apply(c.OpenSettings(), world.at()).effects == [OpenSettingsFile()]
    assert control.apply(c.Reload(), world.at()).effects == [ReloadSettings()]
    assert control.apply(c.Quit(), world.at()).effects == [Stop()]
    assert control.apply(c.Status(), world.at()) == Result()


def test_new_settings_keep_the_active_time_and_the_config_context_wins() -> None:
    world = World()
    control = controller(world)
    control.apply(c.SetContext("home"), world.at())
    world.pass_time(control, 10 * MIN)
    result = control.reconfigure(Settings(interval=45 * MIN, context="travel"), ELIGIBLE,
                                 world.at())
    assert [type(e) for e in told(result)] == [ev.ContextChanged]
    snap = control.snapshot(world.at())
    assert snap.context == "travel" and snap.plan.due_in == pytest.approx(35 * MIN)
    same = control.reconfigure(replace(control.settings, snooze=60.0), ELIGIBLE, world.at())
    assert same.events == [] and control.context == "travel"


def test_a_break_asked_for_while_paused_or_off_duty_has_no_snooze() -> None:
    world = World()
    control = controller(world)
    control.apply(c.Pause(), world.at())
    asked = control.apply(c.BreakNow(), world.at()).effects[0]
    assert isinstance(asked, ShowBreak) and asked.snoozable is False
    friday = World(wall=dt.datetime(2026, 11, 27, 19, 0))
    off = controller(friday, Settings(working_hours=OFFICE))
    shown = off.apply(c.BreakNow(), friday.at()).effects[0]
    assert isinstance(shown, ShowBreak) and shown.snoozable is False
    skipped = off.apply(c.Skip(), friday.at())
    assert skipped.message == "Skipped (still off duty)" and skipped.effects == [Withdraw()]
    ordinary = controller(World()).apply(c.BreakNow(), World().at()).effects[0]
    assert isinstance(ordinary, ShowBreak) and ordinary.snoozable is True


def test_snoozes_cannot_push_the_next_break_more_than_a_day_away() -> None:
    world = World()
    control = controller(world)
    assert control.apply(c.Snooze(20 * 3600.0), world.at()).message \
        == "Snoozed: next break in 20 h 30 min"
    before = control.snapshot(world.at())
    refused = control.apply(c.Snooze(4 * 3600.0), world.at())
    assert refused.refused == ("the next break would be more than 24 h away; pause instead "
                               "(e.g. deskbreak pause 2d)")
    assert control.snapshot(world.at()) == before


def test_resuming_off_duty_says_when_work_starts() -> None:
    world = World(wall=dt.datetime(2026, 11, 27, 19, 0))
    control = controller(world, Settings(working_hours=OFFICE))
    control.apply(c.Pause(), world.at())
    assert control.apply(c.Resume(), world.at()).message == "Resumed: off duty until Mon 09:00"


def test_commands_while_away_say_the_break_waits_for_the_return() -> None:
    world = World()
    control = controller(world)
    world.pass_time(control, 6 * MIN, idle=0.0)
    assert control.snapshot(world.at()).plan.hold is Hold.AWAY
    assert control.apply(c.Snooze(), world.at()).message \
        == "Snoozed: next break a full interval after you are back"
    assert control.apply(c.Skip(), world.at()).message \
        == "Skipped: next break a full interval after you are back"


def test_confirmations_give_the_exact_duration() -> None:
    world = World()
    control = controller(world)
    assert control.apply(c.Pause(90.0), world.at()).message == "Paused for 1 min 30 s"


# --- sitting time, for history --------------------------------------------------------------
def sat(results: list[Result]) -> float:
    return sum(e.seconds for r in results for e in r.events if isinstance(e, ev.Sat))


def typing(world: World, control: Controller, seconds: float) -> list[Result]:
    """Time passes with input every second."""
    return [r for _ in range(int(seconds)) for r in world.pass_time(control, 1, idle=-1.0)]


def test_sitting_is_reported_up_to_a_pause_and_counts_again_from_the_resume() -> None:
    world = World()
    control = controller(world)
    results = typing(world, control, 7 * MIN)
    results.append(control.apply(c.Pause(), world.at()))
    assert sat(results) == 7 * MIN  # the whole span, reported when the pause began
    paused = typing(world, control, 20 * MIN)
    assert sat(paused) == 0.0  # a pause is not sitting
    control.apply(c.Resume(), world.at())
    later = typing(world, control, 3 * MIN)
    assert sat([*later, control.finish(world.at())]) == 3 * MIN


def test_a_started_break_ends_the_sitting_span_before_it() -> None:
    world = World()
    control, _ = shown_break(world)
    world.pass_time(control, MIN)  # reading the notification
    result = control.apply(c.Start(), world.at())
    assert [type(e) for e in result.events] == [ev.Sat, ev.BreakStarted]
    assert result.events[0].seconds == MIN  # type: ignore[attr-defined]


def test_going_away_ends_the_span_where_the_input_stopped() -> None:
    """18 minutes of typing, then gone: 18 minutes sat, not the 5 it took to notice."""
    world = World()
    control = controller(world, Settings(interval=30 * MIN, idle_threshold=5 * MIN))
    results = typing(world, control, 18 * MIN)
    assert max(e.seconds for r in results for e in r.events if isinstance(e, ev.Sat)) \
        == 10 * MIN  # a span reported every ten minutes
    results += world.pass_time(control, 10 * MIN, idle=0.0)  # no input from here
    assert any(isinstance(e, ev.WentAway) for r in results for e in r.events)
    assert sat(results) == 18 * MIN


def test_a_snoozed_break_comes_back_with_the_same_exercise() -> None:
    world = World()
    control, first = shown_break(world)
    control.apply(c.Snooze(5 * MIN), world.at())
    back = [e for e in events(world.pass_time(control, 5 * MIN)) if isinstance(e, ev.BreakShown)]
    assert [e.exercise_id for e in back] == [first]
    later = [e for e in events(world.pass_time(control, 30 * MIN))
             if isinstance(e, ev.BreakShown)]
    assert [e.exercise_id for e in later] != [first]  # then the rotation goes on


def test_done_takes_the_steps_off_the_screen() -> None:
    world = World()
    control, _ = shown_break(world)
    control.apply(c.Start(), world.at())
    assert control.apply(c.Done(), world.at()).effects == [Withdraw()]


def test_the_guide_reports_how_much_was_done_or_that_it_closed_early() -> None:
    world = World()
    control, _ = shown_break(world)
    control.apply(c.Start(), world.at())
    done = told(control.apply(c.Done(0.8), world.at()))
    assert [(type(e), e.fraction) for e in done] == [(ev.BreakCompleted, 0.8)]  # type: ignore[attr-defined]
    control, _ = shown_break(World())
    world2 = World()
    control.apply(c.Start(), world2.at())
    result = control.apply(c.Stopped(0.25), world2.at())
    assert [(type(e), e.fraction) for e in told(result)] == [(ev.BreakStopped, 0.25)]  # type: ignore[attr-defined]
    assert result.effects == []  # closing the guide is not a skip: the timer runs on
    assert control.apply(c.Stopped(0.5), world2.at()).refused is not None


def test_take_a_break_now_from_the_tray_goes_straight_into_the_guide() -> None:
    world = World()
    control = controller(world)
    result = control.apply(c.BreakNow(start=True), world.at())
    assert [type(e) for e in told(result)] == [ev.BreakShown, ev.BreakStarted]
    assert [type(e) for e in result.effects] == [ShowSteps]  # no notification to answer
    assert control.apply(c.Done(), world.at()).refused is None
