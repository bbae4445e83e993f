"""Trip mode from the command line against a real daemon process (headless, no desktop).

``trip start`` prints the safety note and its sources, ``status`` shows the trip, a
restart of the daemon keeps it (from the state file), ``trip stop`` ends it and the
context goes back; with a short ``[trip] interval`` breaks keep coming with nobody typing
(there is no idle source here at all), each one several in-seat movements.
"""

from __future__ import annotations

import time
from pathlib import Path

from tests.integration.conftest import RunningDaemon


def wait_for(read: object, what: str, timeout: float = 15) -> str:
    deadline = time.monotonic() + timeout
    while True:
        text = read()  # type: ignore[operator]
        if what in text:
            return str(text)
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout}s for {what!r}; saw {text[-2000:]!r}")
        time.sleep(0.1)


def test_trip_start_status_restart_and_stop(tmp_path: Path) -> None:
    daemon = RunningDaemon(tmp_path, 'interval = "30m"\ncontext = "home"\n'
                                     '[trip]\ninterval = "2s"\n')
    try:
        started = daemon.cli("trip", "start", "2h")
        assert started.returncode == 0, started.stderr
        lines = started.stdout.splitlines()
        assert lines[0].startswith("Trip mode on: for 2 h (until ")
        assert "Trip mode: blood clots on long journeys" in started.stdout
        for words in ("DVT", "Urgent: pain, swelling or warmth in one leg", "chest pain",
                      "WHO: Research Into Global Hazards of Travel", "NHS: Deep vein",
                      "CDC: Blood Clots and Travel"):
            assert words in started.stdout
        status = daemon.status()
        assert status["context"] == "travel" and status["trip"]["driving"] is False
        assert 7100 < status["trip"]["ends_in"] <= 7200 and status["trip"]["back_to"] == "home"
        text = daemon.cli("status").stdout
        assert "Trip:" in text and "in your seat, until" in text and "back to home" in text
        wait_for(daemon.output.read_text, "Trip mode: blood clots on long journeys")
        output = wait_for(daemon.output.read_text, "seat-belt sign is off")  # the 2nd break
        breaks = [line for line in output.splitlines() if "Time to move: " in line]
        assert breaks and all(" + " in line for line in breaks)  # several movements each
        assert "trip break shown (due)" in daemon.log()
    finally:
        daemon.stop()

    again = RunningDaemon(tmp_path, 'interval = "30m"\ncontext = "home"\n'
                                    '[trip]\ninterval = "2s"\n')
    try:
        status = again.status()
        assert status["trip"] is not None and status["context"] == "travel"
        assert status["trip"]["ends_in"] < 7200 - 1  # the same trip, not a new one
        assert "trip mode goes on" in again.log()
        stopped = again.cli("trip", "stop")
        assert stopped.returncode == 0
        assert stopped.stdout.startswith("Trip mode off: context home; next break in 30 min")
        status = again.status()
        assert status["trip"] is None and status["context"] == "home"
        refused = again.cli("trip", "stop")
        assert (refused.returncode, refused.stderr) == (
            1, "deskbreak: no trip: nothing to stop\n")
        bad = again.cli("trip", "start", "0s")
        assert bad.returncode == 2 and again.status()["trip"] is None
    finally:
        again.stop()
