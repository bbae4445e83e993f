"""The statistics a person reads in ``deskbreak stats``: what counts as due and done, days
across midnight, daylight-saving changes, a flight across time zones, a night asleep."""

from __future__ import annotations

import datetime as dt
import inspect
from zoneinfo import ZoneInfo

import pytest

from deskbreak.core import events as ev
from deskbreak.core.history import KINDS, Record, record_of
from deskbreak.core.stats import date_range, report, streaks, tally

DAY = dt.date(2026, 11, 23)  # a Monday
MIN = 60.0


def at(text: str) -> dt.datetime:
    """"10:00" on DAY, or a full "2026-11-24 08:00"."""
    if len(text) <= 5:
        hours, minutes = map(int, text.split(":"))
        return dt.datetime.combine(DAY, dt.time(hours, minutes))
    return dt.datetime.fromisoformat(text)


def r(kind: str, when: str, **values: object) -> Record:
    return Record(kind, at(when), **values)  # type: ignore[arg-type]


def one_day(records: list[Record], date: dt.date = DAY):  # type: ignore[no-untyped-def]
    return tally(records).days[date]


# --- what a break was -----------------------------------------------------------------------
def test_a_break_done_from_its_notification_counts_done_and_ends_the_stretch() -> None:
    day = one_day([
        r("daemon-start", "09:00"),
        r("sat", "09:30", seconds=30 * MIN),
        r("shown", "09:30", exercise="cat-cow"),
        r("sat", "09:31", seconds=MIN),
        r("started", "09:31", exercise="cat-cow"),
        r("sat", "09:33", seconds=2 * MIN),
        r("completed", "09:33", exercise="cat-cow", fraction=1.0),
        r("sat", "09:50", seconds=17 * MIN),
    ])
    assert (day.breaks, day.completed, day.due, day.done, day.adherence) == (1, 1, 1, 1, 1.0)
    assert day.active_seconds == 50 * MIN
    assert day.longest_stretch == 31 * MIN  # sat until Start, not through the stretch


def test_a_snoozed_break_shown_again_is_one_break() -> None:
    day = one_day([
        r("shown", "10:00", exercise="a"), r("snoozed", "10:00", exercise="a", seconds=300.0),
        r("shown", "10:05", exercise="b"), r("snoozed", "10:05", exercise="b", seconds=300.0),
        r("shown", "10:10", exercise="c"), r("skipped", "10:11", exercise="c"),
    ])
    assert (day.breaks, day.snoozed, day.skipped, day.due, day.done) == (1, 2, 1, 1, 0)
    assert day.adherence == 0.0


def test_an_unanswered_break_is_ignored_when_the_next_one_comes() -> None:
    day = one_day([
        r("shown", "10:00", exercise="a"),
        r("ignored", "10:30", exercise="a", detail="next break"),
        r("shown", "10:30", exercise="b"), r("started", "10:31", exercise="b"),
        r("completed", "10:33", exercise="b", fraction=1.0),
    ])
    assert (day.breaks, day.ignored, day.completed, day.due, day.done) == (2, 1, 1, 2, 1)
    assert day.adherence == 0.5


def test_walking_away_from_a_break_is_a_natural_break_not_held_against_you() -> None:
    day = one_day([
        r("sat", "10:00", seconds=30 * MIN),
        r("shown", "10:00", exercise="a"),
        r("sat", "10:01", seconds=MIN),
        r("away", "10:06", seconds=5 * MIN),
        r("ignored", "10:06", exercise="a", detail="natural break"),
        r("natural", "10:20", detail="away", seconds=19 * MIN),
    ])
    assert (day.breaks, day.ignored, day.natural, day.due, day.done) == (1, 1, 1, 1, 1)
    assert day.adherence == 1.0
    assert day.natural_seconds == 19 * MIN


def test_a_sleep_while_a_break_shows_answers_it_as_a_natural_break() -> None:
    day = one_day([
        r("sat", "10:00", seconds=30 * MIN), r("shown", "10:00", exercise="a"),
        r("sat", "10:02", seconds=2 * MIN),
        r("suspended", "11:00", seconds=58 * MIN),
        r("natural", "11:00", detail="suspend", seconds=58 * MIN),
        r("ignored", "11:00", exercise="a", detail="natural break"),
    ])
    assert (day.breaks, day.natural, day.due, day.done) == (1, 1, 1, 1)


def test_a_break_dismissed_by_a_pause_or_the_end_of_work_is_not_due() -> None:
    day = one_day([
        r("shown", "10:00", exercise="a"), r("ignored", "10:01", exercise="a", detail="paused"),
        r("paused", "10:01"), r("resumed", "11:00", detail="you"),
        r("shown", "17:29", exercise="b"),
        r("ignored", "17:30", exercise="b", detail="off duty"),
    ])
    assert (day.breaks, day.ignored, day.due, day.done, day.adherence) == (2, 2, 0, 0, None)


def test_skipping_the_next_break_before_it_shows_counts_as_a_skipped_due_break() -> None:
    day = one_day([r("sat", "10:00", seconds=10 * MIN), r("skipped", "10:00")])
    assert (day.breaks, day.skipped, day.due, day.done) == (0, 1, 1, 0)


def test_a_natural_break_after_sitting_is_due_and_done_but_a_second_one_in_a_row_is_not() -> None:
    day = one_day([
        r("sat", "10:20", seconds=20 * MIN),
        r("natural", "10:40", detail="away", seconds=20 * MIN),
        r("natural", "11:40", detail="suspend", seconds=50 * MIN),  # no sitting between
    ])
    assert (day.natural, day.due, day.done) == (2, 1, 1)


def test_a_crash_with_a_break_on_screen_leaves_it_unanswered_and_starts_a_new_stretch() -> None:
    day = one_day([
        r("sat", "10:00", seconds=60 * MIN), r("shown", "10:00", exercise="a"),
        r("daemon-start", "10:05"),  # the daemon was killed and started again
        r("sat", "10:45", seconds=40 * MIN),
        r("shown", "10:45", exercise="b"),
    ])
    assert (day.breaks, day.ignored, day.due) == (2, 0, 2)
    assert day.longest_stretch == 60 * MIN


# --- days and clocks ------------------------------------------------------------------------
def test_sitting_across_midnight_is_split_between_the_two_days() -> None:
    days = tally([r("sat", "2026-11-24 00:04", seconds=10 * MIN)]).days
    assert days[DAY].active_seconds == 6 * MIN
    assert days[DAY + dt.timedelta(days=1)].active_seconds == 4 * MIN
    assert days[DAY + dt.timedelta(days=1)].longest_stretch == 10 * MIN  # the day it ended


def test_a_night_asleep_is_one_natural_break_on_the_evening_it_began() -> None:
    records = [
        r("sat", "17:50", seconds=50 * MIN),
        r("suspended", "2026-11-24 08:30", seconds=14 * 3600 + 40 * MIN),
        r("natural", "2026-11-24 08:30", detail="suspend", seconds=14 * 3600 + 40 * MIN),
        r("sat", "2026-11-24 09:00", seconds=30 * MIN),
    ]
    days = tally(records).days
    evening, morning = days[DAY], days[DAY + dt.timedelta(days=1)]
    assert (evening.natural, evening.natural_seconds) == (1, 14 * 3600 + 40 * MIN)
    assert (evening.due, evening.done, evening.longest_stretch) == (1, 1, 50 * MIN)
    assert (morning.natural, morning.active_seconds, morning.longest_stretch) == \
        (0, 30 * MIN, 30 * MIN)


def _lived(zone: str, start_utc: dt.datetime, hours: float) -> list[Record]:
    """Sitting all along in ten-minute spans, recorded in local time as the daemon does."""
    records, utc = [], start_utc
    while utc < start_utc + dt.timedelta(hours=hours):
        utc += dt.timedelta(minutes=10)
        local = utc.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
        records.append(Record("sat", local, seconds=600.0))
    return records


@pytest.mark.parametrize(("date", "hours"), [("2026-03-29", 23), ("2026-10-25", 25)])
def test_a_daylight_saving_day_counts_the_hours_it_really_had(date: str, hours: int) -> None:
    """Spring forward: 23 hours of sitting that day, not 24; fall back: 25, none lost."""
    berlin = ZoneInfo("Europe/Berlin")
    midnight = dt.datetime.fromisoformat(date).replace(tzinfo=berlin).astimezone(dt.UTC)
    days = tally(_lived("Europe/Berlin", midnight, hours)).days
    day = days[dt.date.fromisoformat(date)]
    assert day.active_seconds == pytest.approx(hours * 3600)
    assert day.longest_stretch == pytest.approx(hours * 3600)


def test_a_flight_west_puts_the_evening_on_the_date_it_was_lived() -> None:
    """Paris 10:00 to New York: the 8 h after take-off end at 12:00 New York time, the
    same date; nothing is lost or counted twice although the wall clock went back."""
    depart = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)  # 10:00 in Paris
    before = _lived("Europe/Paris", depart - dt.timedelta(hours=2), 2)
    after = _lived("America/New_York", depart, 8)
    day = tally([*before, *after]).days
    assert set(day) == {DAY}
    assert day[DAY].active_seconds == pytest.approx(10 * 3600)


def test_a_flight_east_across_midnight_gives_the_new_date_what_was_lived_there() -> None:
    depart = dt.datetime(2026, 11, 23, 20, 0, tzinfo=dt.UTC)  # 21:00 Paris, 05:00 Tokyo
    records = [*_lived("Europe/Paris", depart - dt.timedelta(hours=1), 1),
               *_lived("Asia/Tokyo", depart, 2)]
    days = tally(records).days
    assert days[DAY].active_seconds == pytest.approx(3600)
    assert days[DAY + dt.timedelta(days=1)].active_seconds == pytest.approx(2 * 3600)


# --- the report -----------------------------------------------------------------------------
def test_the_report_covers_every_day_of_the_range_with_totals() -> None:
    records = [
        r("sat", "10:00", seconds=30 * MIN), r("shown", "10:00", exercise="a"),
        r("started", "10:01", exercise="a"), r("completed", "10:03", exercise="a"),
        r("shown", "2026-11-25 10:00", exercise="b"),
        r("skipped", "2026-11-25 10:01", exercise="b"),
    ]
    first, last = date_range(dt.date(2026, 11, 26), days=7)
    result = report(records, first, last, dt.date(2026, 11, 26))
    assert result.days[0].day == dt.date(2026, 11, 20)
    assert len(result.days) == 7
    assert (result.total.breaks, result.total.completed, result.total.skipped) == (2, 1, 1)
    assert result.total.adherence == 0.5
    assert result.recorded_since == DAY
    assert [c.exercise for c in result.most_done] == ["a"]
    assert [(c.exercise, c.shown, c.completed) for c in result.least_done] == [("b", 1, 0)]


def test_empty_history_reports_empty_days() -> None:
    result = report([], DAY, DAY, DAY)
    assert result.total.due == 0 and result.total.adherence is None
    assert result.recorded_since is None and result.current_streak == 0


def test_week_and_month_start_on_monday_and_the_first() -> None:
    thursday = dt.date(2026, 11, 26)
    assert date_range(thursday, week=True) == (DAY, thursday)
    assert date_range(thursday, month=True) == (dt.date(2026, 11, 1), thursday)
    assert date_range(thursday, days=1) == (thursday, thursday)


def test_streaks_skip_days_off_and_today_before_its_first_break() -> None:
    def moved(date: str) -> list[Record]:
        return [r("shown", f"{date} 10:00", exercise="a"),
                r("started", f"{date} 10:01", exercise="a"),
                r("completed", f"{date} 10:02", exercise="a")]

    records = [
        *moved("2026-11-16"), r("shown", "2026-11-17 10:00", exercise="a"),  # none done
        *moved("2026-11-18"), *moved("2026-11-19"), *moved("2026-11-20"),
        # the weekend: nothing recorded, the streak holds
        *moved("2026-11-23"),
        r("sat", "2026-11-24 09:30", seconds=30 * MIN),  # today: working, none done yet
    ]
    days = tally(records).days
    assert streaks(days, dt.date(2026, 11, 24)) == (4, 4)
    assert streaks(days, dt.date(2026, 11, 25)) == (0, 4)  # yesterday had none done


# --- records ---------------------------------------------------------------------------------
EVENT_TYPES = [cls for _, cls in inspect.getmembers(ev, inspect.isclass)
               if issubclass(cls, ev.Event) and cls is not ev.Event]


def test_every_event_type_has_a_stored_kind() -> None:
    assert set(KINDS) == set(EVENT_TYPES)
    assert len(set(KINDS.values())) == len(KINDS)


def test_records_keep_what_statistics_need() -> None:
    wall = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    shown = record_of(ev.BreakShown(mono=1, wall=wall, exercise_id="a", context="travel",
                                    requested=True))
    assert shown == Record("shown", wall.replace(tzinfo=None), exercise="a", context="travel",
                           requested=True)
    natural = record_of(ev.NaturalBreak(mono=1, wall=wall, cause="away", seconds=400.0))
    assert (natural.kind, natural.seconds, natural.detail) == ("natural", 400.0, "away")
    done = record_of(ev.BreakCompleted(mono=1, wall=wall, exercise_id="a", fraction=0.5))
    assert (done.kind, done.exercise, done.fraction) == ("completed", "a", 0.5)


# --- pauses, working hours and stops ----------------------------------------------------------
def test_a_snoozed_break_then_a_pause_is_not_due_and_the_next_break_is_its_own() -> None:
    day = one_day([
        r("shown", "10:00", exercise="a"), r("snoozed", "10:00", exercise="a", seconds=300.0),
        r("paused", "10:02"), r("resumed", "11:00", detail="you"),
        r("shown", "11:30", exercise="b"), r("started", "11:31", exercise="b"),
        r("completed", "11:33", exercise="b", fraction=1.0),
    ])
    assert (day.breaks, day.due, day.done, day.adherence) == (2, 1, 1, 1.0)


def test_a_snoozed_break_at_the_end_of_the_day_does_not_swallow_tomorrows() -> None:
    days = tally([
        r("shown", "17:25", exercise="a"), r("snoozed", "17:26", exercise="a", seconds=600.0),
        r("duty-end", "17:30"),
        r("duty-start", "2026-11-24 09:00"),
        r("shown", "2026-11-24 09:30", exercise="b"),
        r("started", "2026-11-24 09:31", exercise="b"),
        r("completed", "2026-11-24 09:33", exercise="b"),
    ]).days
    monday, tuesday = days[DAY], days[DAY + dt.timedelta(days=1)]
    assert (monday.due, monday.done) == (0, 0)
    assert (tuesday.breaks, tuesday.due, tuesday.done) == (1, 1, 1)


def test_a_natural_break_while_paused_is_not_a_due_break() -> None:
    day = one_day([
        r("sat", "12:00", seconds=30 * MIN), r("paused", "12:00"),
        r("away", "12:10", seconds=5 * MIN), r("natural", "12:50", detail="away",
                                                 seconds=45 * MIN),
        r("resumed", "13:00", detail="you"),
    ])
    assert (day.natural, day.due, day.done) == (1, 0, 0)


def test_the_longest_stretch_ends_with_the_working_day() -> None:
    days = tally([
        r("sat", "17:30", seconds=30 * MIN), r("duty-end", "17:30"),
        r("duty-start", "2026-11-24 09:00"), r("sat", "2026-11-24 10:00", seconds=60 * MIN),
    ]).days
    assert days[DAY + dt.timedelta(days=1)].longest_stretch == 60 * MIN


def test_a_break_asked_for_while_paused_and_skipped_is_not_due() -> None:
    day = one_day([r("paused", "10:00"), r("shown", "10:30", exercise="a", requested=True),
                   r("skipped", "10:31", exercise="a")])
    assert (day.breaks, day.skipped, day.due) == (1, 1, 0)


def test_a_break_on_screen_when_deskbreak_stops_is_not_due() -> None:
    day = one_day([r("shown", "17:59", exercise="a"), r("daemon-stop", "18:00")])
    assert (day.breaks, day.due) == (1, 0)


def test_an_exercise_snoozed_and_shown_again_was_shown_once() -> None:
    result = report([
        r("shown", "10:00", exercise="a"), r("snoozed", "10:00", exercise="a", seconds=60.0),
        r("shown", "10:01", exercise="a"), r("started", "10:02", exercise="a"),
        r("completed", "10:03", exercise="a"),
    ], DAY, DAY, DAY)
    assert [(c.exercise, c.shown, c.completed) for c in result.most_done] == [("a", 1, 1)]


def test_records_no_calendar_can_hold_are_passed_over() -> None:
    days = tally([
        Record("sat", dt.datetime(1, 1, 1, 0, 0, 5), seconds=10.0),
        Record("natural", dt.datetime(1, 1, 1, 0, 0, 5), seconds=1e12),
        r("sat", "10:00", seconds=60.0),
    ]).days
    assert set(days) == {DAY} and days[DAY].active_seconds == 60.0


def test_a_guide_closed_early_is_started_not_done() -> None:
    day = one_day([r("shown", "10:00", exercise="a"), r("started", "10:01", exercise="a"),
                   r("stopped", "10:02", exercise="a", fraction=0.3)])
    assert (day.breaks, day.started, day.completed, day.due, day.done) == (1, 1, 0, 1, 0)
