"""Wall-clock alarms on schedule, reading an injected clock: no global time is patched."""

from __future__ import annotations

import datetime as dt

import pytest
import schedule

from deskbreak.core.events import ClockJumped
from deskbreak.core.model import WorkingHours
from deskbreak.walljobs import WallJobs


class Wall:
    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment


def test_the_rollover_alarm_follows_the_injected_clock() -> None:
    wall = Wall(dt.datetime(2030, 1, 7, 23, 0))  # years from the real date
    woken: list[dt.datetime] = []
    jobs = WallJobs(wall, lambda: woken.append(wall.moment))
    jobs.plan(WorkingHours())
    assert jobs.seconds_until_next() == pytest.approx(5 * 3600)
    wall.moment = dt.datetime(2030, 1, 8, 4, 0, 1)
    jobs.run_pending()
    assert woken == [wall.moment]
    assert jobs.seconds_until_next() == pytest.approx(24 * 3600 - 1)


def test_working_hours_edges_wake_the_loop() -> None:
    wall = Wall(dt.datetime(2030, 1, 7, 8, 0))  # a Monday
    jobs = WallJobs(wall, lambda: None)
    jobs.plan(WorkingHours(enabled=True, days=(((540, 1050),),) * 5 + ((), ())))
    assert jobs.seconds_until_next() == pytest.approx(3600)  # 09:00


def test_a_clock_jump_plans_the_alarms_anew_from_the_new_local_time() -> None:
    """Set back a day (a wrong date fixed, a date line crossed): today's 04:00 is not lost."""
    wall = Wall(dt.datetime(2030, 1, 7, 23, 0))
    jobs = WallJobs(wall, lambda: None)
    jobs.plan(WorkingHours())
    wall.moment = dt.datetime(2030, 1, 6, 23, 0)
    assert jobs.seconds_until_next() == pytest.approx(29 * 3600)  # the plan made before
    jobs(ClockJumped(mono=0.0, wall=wall.moment, seconds=-24 * 3600))
    assert jobs.seconds_until_next() == pytest.approx(5 * 3600)


def test_schedule_outside_a_walljobs_still_reads_the_real_clock() -> None:
    WallJobs(Wall(dt.datetime(2001, 1, 1)), lambda: None).plan(WorkingHours())
    plain = schedule.Scheduler()
    plain.every().day.at("04:00").do(lambda: None)
    real = dt.datetime.now()
    assert plain.next_run is not None
    assert real < plain.next_run <= real + dt.timedelta(days=1, seconds=1)
