"""The benchmarks are not part of the suite, but their plumbing is: they must not rot.

Runs the `--quick` modes for real (a real headless desktop, the real daemon) and checks
that the reports hold plausible figures, plus the /proc arithmetic they rest on.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e  # the quick runs start real headless desktops

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
sys.path.insert(0, str(BENCH))

import _proc  # noqa: E402
import footprint  # noqa: E402
from _programs import BenchmarkError, _safe_eyes_preflight  # noqa: E402


def run_quick(script: str, *args: str) -> dict[str, Any]:
    result = subprocess.run([sys.executable, str(BENCH / script), "--quick", "--json", *args],
                            capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def test_footprint_quick_measures_deskbreak_in_every_session(tmp_path: Path) -> None:
    out = tmp_path / "footprint.json"
    report = run_quick("footprint.py", "--only", "deskbreak", "--output", str(out))
    assert json.loads(out.read_text()) == report
    assert set(report["results"]) == {"desktop", "headless", "wayland", "sway"}
    for session, programs in report["results"].items():
        mine = programs["deskbreak"]
        assert 5 < mine["pss_mib"] <= mine["rss_mib"] < 500, session
        assert 0 < mine["uss_mib"] <= mine["pss_mib"], session
        assert 0 < mine["dock_s"] < 30, session
        assert mine["threads"] >= 1 and mine["processes"] >= 1
        assert mine["cpu_s_per_h"] >= 0 and mine["wakeups_per_min"] >= 0
    goals = {g["goal"] for g in report["goals"]}
    assert "RSS, MiB, idle with its full tray menu (X11 desktop, SNI)" in goals
    assert sum(g.startswith("wake-ups a minute") for g in goals) == 4
    assert report["machine"]["commit"]
    settings = report["settings"]
    if Path(footprint.SAMPLER_PYTHON).exists():  # the sampler shares no interpreter
        assert settings["sampler"].startswith(footprint.SAMPLER_PYTHON)
        assert settings["sampler_shares_interpreter"] is False
        assert Path(settings["program_python"]).resolve() == Path(sys.executable).resolve()


def test_timing_quick_times_every_break_and_counts_extras() -> None:
    report = run_quick("timing.py")
    results = report["results"]
    assert len(results["lateness_ms"]) == results["breaks"] == 3
    assert results["extra_notifications"] == 0
    # A break lands after it is due (never early) and well within a second.
    assert all(-50 < ms < 1000 for ms in results["lateness_ms"])


def test_footprint_rejects_unknown_programs() -> None:
    result = subprocess.run([sys.executable, str(BENCH / "footprint.py"), "--only", "stretchly"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2 and "stretchly" in result.stderr


def test_table_shows_ratios_and_the_goals_as_rows() -> None:
    figures = dict.fromkeys(["uss_mib", "pss_mib", "rss_growth_mib", "cpu_s_per_h",
                             "dock_s", "threads", "processes"], 1.0)
    results = {"desktop": {"deskbreak": {**figures, "rss_mib": 30.0, "wakeups_per_min": 1.5,
                                         "away_at_s": 40.0},
                           "workrave": {**figures, "rss_mib": 40.0, "wakeups_per_min": 700}},
               "headless": {"deskbreak": {**figures, "rss_mib": 28.0, "wakeups_per_min": 2.5}}}
    report = {"results": results, "goals": footprint.goals(results, "1m"), "not_measured":
              {"Safe Eyes": "not installed"}, "machine": {"date": "today", "commit": "abc"},
              "settings": {"rounds": 1, "warmup_s": 1, "window_s": 2, "every_s": 1}}
    text = footprint.render(report)
    assert "| RSS, MiB" in text and "0.75" in text  # 30 / 40
    assert "deskbreak / Workrave" in text
    rows = {g["goal"]: g for g in report["goals"]}
    rss = rows["RSS, MiB, idle with its full tray menu (X11 desktop, SNI)"]
    assert rss["target"] == "<= 30" and rss["met"] is True and "USS 1.0" in rss["note"]
    assert rows["wake-ups a minute, idle, headless (no display, no bus)"]["met"] is False
    desk = rows["wake-ups a minute, idle, with a StatusNotifierItem host (X11 desktop)"]
    assert desk["met"] is True and "1m idle threshold at 40 s" in desk["note"]
    assert "Safe Eyes: not measured: not installed" in text


@pytest.fixture
def busy_child() -> Iterator[subprocess.Popen[bytes]]:
    """A session of its own (as the benchmarks start programs) that spins, then naps often."""
    code = ("import time\nend = time.monotonic() + 0.3\nwhile time.monotonic() < end: pass\n"
            "for _ in range(200): time.sleep(0.005)\ntime.sleep(30)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    yield proc
    proc.kill()
    proc.wait()


def test_proc_sampling_sees_cpu_wakeups_and_memory(busy_child: subprocess.Popen[bytes]) -> None:
    first = _proc.sample(busy_child.pid, time.monotonic())
    time.sleep(2.5)
    last = _proc.sample(busy_child.pid, time.monotonic())
    assert busy_child.pid in last.pids and last.threads == 1
    assert last.pss_kib > 1000 and last.rss_kib >= last.pss_kib >= last.uss_kib > 0
    assert 0.1 < _proc.cpu_seconds(first, last) < 2.5
    assert _proc.switches_between(first, last) >= 100


def test_safe_eyes_preflight_names_the_process_that_would_block_it() -> None:
    # Safe Eyes counts any python process with "safeeyes" among its arguments as itself.
    impostor = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", "safeeyes"])
    try:
        deadline = time.monotonic() + 5
        while "safeeyes" not in _proc.cmdline(impostor.pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        with pytest.raises(BenchmarkError, match=str(impostor.pid)):
            _safe_eyes_preflight()
    finally:
        impostor.kill()
        impostor.wait()


def test_history_quick_times_stats_and_measures_the_daemon_with_its_store() -> None:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="dbh") as short:  # socket paths: 108 bytes
            report = run_quick("history.py", "--before", "", "--dir", short)
    assert report["history"]["records"] > 1000
    for variant in ("after", "after_year"):
        memory = report["memory"][variant]
        assert 5 < memory["rss_mib"] < 500 and memory["sqlite"] and not memory["matplotlib"]
    assert {"stats (table) under 0.5 s"} <= {g["goal"] for g in report["goals"]}


def test_guide_quick_opens_the_window_and_leaves_nothing_behind() -> None:
    report = run_quick("guide.py")
    results, raw = report["results"], report["raw"]
    assert results["opened"] == len(raw["rounds"]) == report["settings"]["rounds"] >= 1
    assert 0 < results["open_s"]["min"] <= results["open_s"]["median"] \
        <= results["open_s"]["max"] < 10
    assert results["xdotool_agrees"]  # the poll saw what `xdotool search` sees
    assert results["processes_left"] == 0 and results["unreaped"] == 0
    assert raw["left"] == [] and all(r["left"] == [] and r["reaped"] for r in raw["rounds"])
    memory = results["memory"]
    assert memory["processes"]["after"] == 1 and memory["threads"]["diff"] == 0
    assert 5 < memory["rss_mib"]["before"] < 500 and 5 < memory["rss_mib"]["after"] < 500
    assert results["tk_in_daemon"] == []
    # The guide process stamped its start, tkinter and mainloop, all between click and seen.
    first = raw["rounds"][0]
    assert {"python", "tkinter", "tk", "mainloop"} <= set(first["stamps_s"])
    assert all(0 <= t <= first["open_s"] for t in first["stamps_s"].values())
    assert sum(first["phases_s"].values()) == pytest.approx(first["open_s"])
    assert {g["goal"] for g in report["goals"]} >= {
        "window on screen within 0.5 s of Start (median)", "no guide process left"}
