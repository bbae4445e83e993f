"""Trip mode through the real daemon loop: the notifications, the state file, a restart.

The clocks are a traveler's (boot and UTC run through a suspend, local time follows the
time zone); the notifier records; the state file and the history are real files. One
flight, with deskbreak restarted halfway, must look to the traveler like one trip.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from deskbreak import storage
from deskbreak.catalogue import load_catalogue
from deskbreak.clocks import Clocks
from deskbreak.config import Config
from deskbreak.core import commands as c
from deskbreak.core import trip as trips
from deskbreak.core.model import IdleSample
from deskbreak.core.stats import report
from deskbreak.daemon import Daemon
from deskbreak.history import store
from deskbreak.history.recorder import Recorder as History
from deskbreak.live_config import Loaded
from tests.fakes import Recorder

M, H = 60.0, 3600.0
LONDON = ZoneInfo("Europe/London")
START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)


@dataclass
class Journey:
    mono: float = 500.0
    boot: float = 500.0
    elapsed: float = 0.0
    zone: ZoneInfo = LONDON

    def wall(self) -> dt.datetime:
        return (START + dt.timedelta(seconds=self.elapsed)).astimezone(self.zone)

    def clocks(self) -> Clocks:
        return Clocks(mono=lambda: self.mono, boot=lambda: self.boot, wall=self.wall)

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.boot += seconds
        self.elapsed += seconds


class NobodyTypes:
    """An idle source on a tray table: the last input was hours ago."""

    name = "simulated"

    async def sample(self) -> IdleSample:
        return IdleSample(10 * H)

    async def close(self) -> None:
        pass


class Film:
    """A film, fullscreen, the whole flight."""

    names = ("simulated",)

    async def reasons(self) -> tuple[str, ...]:
        return ("fullscreen window",)

    async def close(self) -> None:
        pass


def daemon(journey: Journey, tmp_path: Path, screen: Recorder) -> Daemon:
    cfg = replace(Config(), tray=False)
    return Daemon(Loaded(cfg, load_catalogue(cfg)), clocks=journey.clocks(), notifier=screen,
                  idle=NobodyTypes(), dnd=Film(),
                  state=storage.StateFile(tmp_path / "state.json"),
                  history=History(tmp_path / store.FILE_NAME))


async def live(d: Daemon, journey: Journey, seconds: float) -> None:
    end = journey.elapsed + seconds
    while journey.elapsed < end:
        journey.advance(min(end - journey.elapsed, d.next_delay()))
        await d.step()
        await d.settle()


def test_a_flight_with_a_restart_halfway_is_one_trip(tmp_path: Path) -> None:
    journey = Journey()
    before, after = Recorder(), Recorder()

    async def flight() -> tuple[Daemon, Daemon]:
        first = daemon(journey, tmp_path, before)
        reply = await first.handle(c.TripStart(6 * H))
        assert reply["message"].startswith("Trip mode on: for 6 h (until 15:00)")
        await live(first, journey, 100 * M)
        await first._finish_history()
        journey.advance(30.0)  # deskbreak restarted: an update
        second = daemon(journey, tmp_path, after)
        assert second.controller.context == "travel"
        status = await second.handle(c.Status())
        assert status["trip"]["ends_at"] == "2026-11-23T15:00:00"
        journey.zone = ZoneInfo("America/New_York")  # and the clocks move five hours back
        await live(second, journey, 5 * H)
        await second._finish_history()
        return first, second

    _, second = asyncio.run(flight())
    title, body = before.messages[0]
    assert title == trips.SAFETY_TITLE and "WHO, NHS, CDC" in body
    assert len(before.messages) == 1 and not any(
        t == trips.SAFETY_TITLE for t, _ in after.messages)  # once per trip, not per run
    assert len(before.shown) == 3 and len(after.shown) == 8  # every 30 min, film or not
    for notice in before.shown + after.shown:
        assert notice.sound and notice.title.startswith("Time to move: ")
        assert "In your seat, about" in notice.body
    walks = ["seat-belt sign is off" in n.body for n in before.shown + after.shown]
    assert walks == [n % 2 == 0 for n in range(1, 12)]  # every second one, across the restart
    assert after.messages[-1] == ("deskbreak: trip mode ended",
                                  "Back to the desk context: next break in 30 min.")
    assert second.controller.context == "desk"
    assert storage.StateFile(tmp_path / "state.json").read()["trip"] is None

    records = store.load(tmp_path / store.FILE_NAME)
    day = START.date()
    result = report(records, day, day, day)
    assert result.trips.trips == 1 and result.trips.breaks == 11
    assert result.total.breaks == 0 and result.total.active_seconds == 0
    assert result.trips.seconds > 5.9 * H


def test_a_driving_trip_shows_stops_without_buttons_to_start(tmp_path: Path) -> None:
    journey = Journey()
    screen = Recorder()

    async def drive() -> None:
        d = daemon(journey, tmp_path, screen)
        await d.handle(c.TripStart(5 * H, driving=True))
        await live(d, journey, 5 * H)

    asyncio.run(drive())
    assert [n.exercise_id for n in screen.shown] == [trips.DRIVING_STOP] * 2
    for notice in screen.shown:
        assert not notice.startable and "rule 91" in notice.body and notice.sound
    assert "Highway Code, rule 91" in screen.messages[0][1]
