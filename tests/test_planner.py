"""The planner's decisions from sensor readings and three clocks, with no real time passing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from deskbreak.core import events as ev
from deskbreak.core.model import Hold, IdleSample, Observation, Settings, WorkingHours
from deskbreak.core.planner import (
    ANNOUNCED_AWAY_RECHECK_S,
    AWAY_RECHECK_S,
    DND_GRACE_S,
    Outcome,
    Pause,
    Planner,
    PlanStatus,
)

MIN = 60.0
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0)
OFFICE = WorkingHours(enabled=True, days=(((540, 1050),),) * 5 + ((), ()))


@dataclass
class World:
    """Clocks that can be moved apart: a suspend stops mono, a clock change moves wall."""

    mono: float = 100.0
    boot: float = 100.0
    wall: dt.datetime = MONDAY_10
    idle: float = 0.0
    locked: bool = False
    dnd: tuple[str, ...] = ()
    fired: list[float] = field(default_factory=list)
    log: list[tuple[float, Outcome]] = field(default_factory=list)

    def obs(self, planner: Planner) -> Observation:
        needs = planner.needs(self.mono)
        return Observation(self.mono, self.boot, self.wall,
                           IdleSample(self.idle, self.locked) if needs.idle else None,
                           self.dnd if needs.dnd else None)

    def run(self, planner: Planner, seconds: float, *, away: bool = False) -> list[Outcome]:
        """Let ``seconds`` of ordinary time pass, waking when the planner asks."""
        end = self.mono + seconds
        outcomes = []
        while True:
            outcome = planner.observe(self.obs(planner))
            outcomes.append(outcome)
            self.log.append((self.mono, outcome))
            if outcome.fire:
                self.fired.append(self.mono)
                planner.shown(self.mono)
            wake = planner.next_wakeup(self.mono)
            step = min((wake or end) - self.mono, 60.0, end - self.mono)
            if self.mono >= end:
                return outcomes
            step = max(step, 0.5)
            self.mono += step
            self.boot += step
            self.wall += dt.timedelta(seconds=step)
            self.idle = self.idle + step if away else 0.0

    def suspend(self, seconds: float) -> None:
        self.boot += seconds
        self.wall += dt.timedelta(seconds=seconds)


def planner(world: World, *, hours: WorkingHours | None = None, dnd: bool = True) -> Planner:
    settings = Settings(interval=30 * MIN, idle_threshold=5 * MIN,
                        working_hours=hours or WorkingHours(), do_not_disturb=dnd)
    return Planner(settings, Observation(world.mono, world.boot, world.wall))


def kinds(outcomes: list[Outcome]) -> list[type[ev.Event]]:
    return [type(e) for o in outcomes for e in o.events if not isinstance(e, ev.Sat)]


def status(plan: Planner, world: World) -> PlanStatus:
    return plan.status(Observation(world.mono, world.boot, world.wall))


@pytest.mark.parametrize("jump_hours", [3, -3, 1, -1, -6, 9])
def test_a_wall_clock_jump_neither_advances_nor_delays_the_break(jump_hours: int) -> None:
    world = World()
    plan = planner(world)
    world.run(plan, 20 * MIN)
    assert status(plan, world).due_in == pytest.approx(10 * MIN)
    world.wall += dt.timedelta(hours=jump_hours)
    outcomes = world.run(plan, 10 * MIN - 1)
    assert ev.ClockJumped in kinds(outcomes)
    assert world.fired == []
    world.run(plan, 1)
    assert world.fired == [pytest.approx(100 + 30 * MIN)]


def test_a_long_suspend_is_a_natural_break_with_no_burst_and_a_full_interval_after() -> None:
    world = World()
    plan = planner(world)
    world.run(plan, 25 * MIN)
    world.suspend(40 * MIN)
    outcome = plan.observe(world.obs(plan))
    assert not outcome.fire and outcome.withdraw
    assert kinds([outcome])[:2] == [ev.Suspended, ev.NaturalBreak]
    resumed = world.mono
    world.run(plan, 30 * MIN)
    assert world.fired == [pytest.approx(resumed + 30 * MIN)]


def test_a_long_suspend_while_a_break_is_showing_takes_the_stale_one_down() -> None:
    world = World()
    plan = planner(world)
    world.run(plan, 30 * MIN)
    assert len(world.fired) == 1
    world.suspend(2 * 3600)
    outcome = plan.observe(world.obs(plan))
    assert outcome.withdraw and not outcome.fire


def test_a_short_suspend_only_pauses_the_timer() -> None:
    world = World()
    plan = planner(world)
    world.run(plan, 25 * MIN)
    world.suspend(2 * MIN)
    outcomes = world.run(plan, 5 * MIN)
    assert ev.NaturalBreak not in kinds(outcomes)
    assert ev.Suspended in kinds(outcomes)
    # Active time only: the break is due 30 minutes of activity after the start.
    assert world.fired == [pytest.approx(100 + 30 * MIN)]


def test_being_away_counts_as_a_break_and_the_timer_restarts_on_return() -> None:
    world = World()
    plan = planner(world)
    world.run(plan, 20 * MIN)
    left = world.mono
    world.run(plan, 15 * MIN, away=True)  # the break was due at 30 min: not shown
    assert world.fired == []
    assert plan.hold(world.mono) is Hold.AWAY
    returned = world.mono
    outcomes = world.run(plan, 31 * MIN)
    breaks = [e for o in outcomes for e in o.events if isinstance(e, ev.NaturalBreak)]
    # The user types from the moment they return, so the return is only seen at the next
    # look (at most AWAY_RECHECK_S later): the next break is a full interval after that.
    assert len(breaks) == 1
    assert returned - left <= breaks[0].seconds <= returned - left + AWAY_RECHECK_S
    assert world.fired == [pytest.approx(left + breaks[0].seconds + 30 * MIN, abs=1)]


def test_the_interval_restarts_from_the_first_touch_after_coming_back() -> None:
    world = World()
    plan = planner(world)
    world.run(plan, 10 * MIN)
    world.run(plan, 12 * MIN, away=True)
    touched = world.mono
    world.idle = 0.0
    world.run(plan, 3 * MIN, away=True)  # reads a page: no input for 3 minutes
    world.run(plan, 28 * MIN)
    assert world.fired == [pytest.approx(touched + 30 * MIN, abs=1)]


def test_an_announced_return_lets_the_planner_stop_asking() -> None:
    """A source that wakes the daemon at the first input (X11 with XInput 2) is asked
    again only as a safety net, ten minutes on; one that cannot is asked every minute.
    The return's moment is exact either way: now minus the idle time."""
    world = World()
    plan = planner(world)
    world.run(plan, 10 * MIN)
    world.mono += 6 * MIN
    world.boot += 6 * MIN
    asked = plan.observe(Observation(world.mono, world.boot, world.wall,
                                     IdleSample(6 * MIN, announced=True), None))
    assert ev.WentAway in kinds([asked])
    assert plan.next_wakeup(world.mono) == world.mono + ANNOUNCED_AWAY_RECHECK_S
    assert not plan.needs(world.mono + 9 * MIN).idle
    world.mono += 3 * MIN  # input 1 min ago woke the daemon; the sensors read idle
    world.boot += 3 * MIN
    back = plan.observe(Observation(world.mono, world.boot, world.wall, IdleSample(60.0),
                                    None))
    (natural,) = [e for e in back.events if isinstance(e, ev.NaturalBreak)]
    assert natural.seconds == pytest.approx(8 * MIN)  # 6 min idle + 2 more, to the touch
    world.mono += 6 * MIN
    world.boot += 6 * MIN
    plan.observe(Observation(world.mono, world.boot, world.wall, IdleSample(6 * MIN), None))
    assert plan.next_wakeup(world.mono) == world.mono + AWAY_RECHECK_S  # unannounced


def test_with_no_idle_source_no_look_is_planned_for_idle_time() -> None:
    """A headless box or a Wayland desktop without an idle protocol: the daemon must not
    wake for a reading that cannot come: only for the sitting span's latest cut (20 min,
    so a kill -9 loses little) and the break itself; a span that could not be cut then
    (no input seen since) plans nothing more, rather than a wake-up at once, over and
    over."""
    world = World()
    plan = planner(world)
    plan.observe(Observation(world.mono, world.boot, world.wall, None, None))
    assert plan.next_wakeup(world.mono, idle_source=False) == world.mono + 20 * MIN
    assert plan.next_wakeup(world.mono) < world.mono + 20 * MIN
    world.mono += 20 * MIN
    world.boot += 20 * MIN
    cut = plan.observe(Observation(world.mono, world.boot, world.wall, None, None))
    assert [e.seconds for e in cut.events if isinstance(e, ev.Sat)] == [20 * MIN]
    assert plan.next_wakeup(world.mono, idle_source=False) == world.mono + 10 * MIN  # due
    plan.timer.restart(world.mono)  # a break taken: the next is 30 min away
    plan._sat_from = world.mono - 21 * MIN  # a span past its latest cut, not cut (no input)
    assert plan.next_wakeup(world.mono, idle_source=False) == world.mono + 30 * MIN


def test_a_locked_screen_counts_as_away() -> None:
    world = World(locked=True)
    plan = planner(world)
    plan.observe(world.obs(plan))
    assert plan.hold(world.mono) is Hold.AWAY


def test_idle_time_is_asked_rarely_while_the_user_works() -> None:
    world = World()
    plan = planner(world)
    asked = 0
    for _ in range(3600):
        world.mono += 1
        world.boot += 1
        world.wall += dt.timedelta(seconds=1)
        obs = world.obs(plan)
        asked += obs.idle is not None
        outcome = plan.observe(obs)
        if outcome.fire:
            plan.shown(world.mono)
    # Once per idle threshold (5 min) plus once at each break, not once a second.
    assert 10 <= asked <= 16


def test_do_not_disturb_defers_the_break_until_shortly_after_it_clears() -> None:
    world = World(dnd=("fullscreen window",))
    plan = planner(world)
    outcomes = world.run(plan, 45 * MIN)
    assert world.fired == []
    assert ev.BreakHeld in kinds(outcomes)
    assert status(plan, world).hold is Hold.DND
    world.dnd = ()
    cleared = world.mono
    world.run(plan, 2 * MIN)
    released = [t for t, o in world.log if any(isinstance(e, ev.BreakReleased) for e in o.events)]
    assert len(released) == 1 and cleared <= released[0] <= cleared + 15
    assert world.fired == [pytest.approx(released[0] + DND_GRACE_S)]


def test_do_not_disturb_off_fires_anyway() -> None:
    world = World(dnd=("fullscreen window",))
    plan = planner(world, dnd=False)
    world.run(plan, 30 * MIN)
    assert len(world.fired) == 1


def test_outside_working_hours_nothing_fires_and_work_starts_with_a_fresh_interval() -> None:
    world = World(wall=dt.datetime(2026, 11, 23, 8, 0))
    plan = planner(world, hours=OFFICE)
    seen = status(plan, world)
    assert seen.hold is Hold.OFF_DUTY
    assert seen.off_until == dt.datetime(2026, 11, 23, 9, 0)
    outcomes = world.run(plan, 60 * MIN)
    assert ev.DutyStarted in kinds(outcomes)
    start = 100 + 60 * MIN
    world.run(plan, 31 * MIN)
    assert world.fired == [pytest.approx(start + 30 * MIN, abs=61)]


def test_friday_evening_is_off_until_monday_morning() -> None:
    world = World(wall=dt.datetime(2026, 11, 27, 18, 0))
    plan = planner(world, hours=OFFICE)
    assert status(plan, world).off_until == dt.datetime(2026, 11, 30, 9, 0)


def test_working_hours_follow_a_time_zone_change() -> None:
    world = World(wall=dt.datetime(2026, 11, 23, 16, 0))
    plan = planner(world, hours=OFFICE)
    world.run(plan, 10 * MIN)
    world.wall -= dt.timedelta(hours=9)  # flew west: it is 07:10 here now
    outcomes = world.run(plan, 60)
    assert ev.DutyEnded in kinds(outcomes)
    assert status(plan, world).off_until == dt.datetime(2026, 11, 23, 9, 0)


def test_a_user_pause_survives_a_natural_break() -> None:
    world = World()
    plan = planner(world)
    plan.pause(world.mono, Pause())
    world.run(plan, 20 * MIN, away=True)
    world.run(plan, 60 * MIN)
    assert world.fired == [] and plan.hold(world.mono) is Hold.PAUSED


def test_a_timed_pause_ends_by_itself_with_a_full_interval_after() -> None:
    world = World()
    plan = planner(world)
    world.run(plan, 20 * MIN)
    plan.pause(world.mono, Pause(until_boot=world.mono + 60 * MIN))
    assert status(plan, world).due_in == pytest.approx(90 * MIN)
    paused_at = world.mono
    outcomes = world.run(plan, 100 * MIN)
    resumed = [e for o in outcomes for e in o.events if isinstance(e, ev.Resumed)]
    assert [e.by for e in resumed] == ["end of pause"]
    assert world.fired == [pytest.approx(paused_at + 90 * MIN, abs=1)]


def test_a_pause_until_a_local_time_follows_the_wall_clock() -> None:
    world = World()  # Monday 10:00
    plan = planner(world)
    plan.pause(world.mono, Pause(until_wall=dt.datetime(2026, 11, 24, 4, 0)))
    world.wall += dt.timedelta(hours=17, minutes=59)  # the clock jumps (a time zone)
    world.run(plan, 30)
    assert plan.hold(world.mono) is Hold.PAUSED
    outcomes = world.run(plan, 61)
    assert [e.by for o in outcomes for e in o.events if isinstance(e, ev.Resumed)] \
        == ["new day"]
    assert plan.hold(world.mono) is None


def test_without_an_idle_source_the_planner_does_not_ask_again_at_once() -> None:
    """No idle readings ever come (headless, Wayland outside GNOME): no 50 ms spin."""
    world = World()
    plan = planner(world)
    wakeups = 0
    end = world.mono + 3600
    while world.mono <= end:
        needs = plan.needs(world.mono)
        outcome = plan.observe(Observation(world.mono, world.boot, world.wall, None,
                                           () if needs.dnd else None))
        if outcome.fire:
            world.fired.append(world.mono)
            plan.shown(world.mono)
        step = min(60.0, plan.next_wakeup(world.mono) - world.mono)  # the daemon's cap
        assert step >= 1.0
        world.mono += step
        world.boot += step
        world.wall += dt.timedelta(seconds=step)
        wakeups += 1
    assert wakeups <= 62  # about once a minute, the daemon's longest sleep
    assert len(world.fired) == 2  # every 30 minutes, all time counted as active


def test_a_skipped_held_break_leaves_no_stale_hold_behind() -> None:
    """Held by a fullscreen call, then skipped: the next break owes that call nothing."""
    world = World(dnd=("fullscreen window",))
    plan = planner(world)
    outcomes = world.run(plan, 31 * MIN)
    assert ev.BreakHeld in kinds(outcomes)
    plan.skip(world.mono)
    skipped = world.mono
    world.dnd = ()
    later = world.run(plan, 31 * MIN)
    assert ev.BreakReleased not in kinds(later)
    assert world.fired == [pytest.approx(skipped + 30 * MIN)]  # no 10 s grace for nothing


def test_an_absence_with_a_suspend_in_it_is_one_natural_break() -> None:
    """Locked the screen, went away, the lid was closed for an hour, came back."""
    world = World()
    plan = planner(world)
    world.run(plan, 10 * MIN)
    away = world.run(plan, 6 * MIN, away=True)
    assert ev.WentAway in kinds(away)
    world.suspend(3600)
    world.idle += 3600
    asleep = world.run(plan, 2 * MIN, away=True)
    back = world.run(plan, 2 * MIN)
    breaks = [e for o in asleep + back for e in o.events if isinstance(e, ev.NaturalBreak)]
    assert len(breaks) == 1 and breaks[0].cause == "away"
    assert breaks[0].seconds == pytest.approx(6 * MIN + 3600 + 2 * MIN, abs=AWAY_RECHECK_S)
    assert ev.Suspended in kinds(asleep)


def test_a_timed_pause_counts_the_time_the_machine_slept() -> None:
    world = World()
    plan = planner(world)
    plan.pause(world.mono, Pause(until_boot=world.boot + 30 * MIN))
    world.run(plan, 5 * MIN)
    world.suspend(2 * 3600)  # the lid closed for two hours
    outcomes = world.run(plan, 1)
    assert [e.by for o in outcomes for e in o.events if isinstance(e, ev.Resumed)] \
        == ["end of pause"]
