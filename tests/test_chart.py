"""``deskbreak stats --chart``: the picture is written, in the format asked, and shows the data.

Reports are built the way the command builds them, from history records through
``deskbreak.core.stats.report``; ``generated_history`` makes realistic ones (the
benchmarks reuse it). Nothing here needs a display: the chart is drawn by Agg.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from deskbreak.core.history import Record
from deskbreak.core.stats import Report, report
from deskbreak.history import chart

TODAY = dt.date(2025, 3, 14)  # a Friday
EXERCISES = ("hamstring-stretch", "prone-extension", "knee-to-chest", "glute-bridge",
             "lower-back-rotation", "overhead-reach", "lunge", "log-roll")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
NS = "{http://www.w3.org/2000/svg}"
SVG = f"{NS}svg"


def generated_history(days: int, today: dt.date, *, seed: int = 1) -> list[Record]:
    """``days`` days of history ending with ``today``, as a person at a desk makes it.

    Weekdays from 9 to 17 h, a break due after each half hour of sitting (about 14 a
    day), each day more or less diligent (about 60 to 80% done): completed breaks,
    snoozes answered later, skips, breaks left on screen until the next one, and a lunch
    walk of 40 to 60 minutes that counts as a natural break. Weekends are empty.
    Deterministic: the same arguments give the same records.
    """
    rng = random.Random(seed)
    records: list[Record] = []
    for offset in range(days - 1, -1, -1):
        date = today - dt.timedelta(days=offset)
        if date.weekday() >= 5:
            continue
        diligence = rng.uniform(0.6, 0.85)
        now = dt.datetime.combine(date, dt.time(8, 55)) + dt.timedelta(
            minutes=rng.randint(0, 20))
        end = dt.datetime.combine(date, dt.time(17, 0))
        records.append(Record("daemon-start", now))
        lunch = False

        def sit(minutes: float) -> None:
            nonlocal now
            now += dt.timedelta(minutes=minutes)
            records.append(Record("sat", now, seconds=minutes * 60))

        while now < end:
            sit(30)
            if not lunch and now.hour >= 12:
                lunch = True
                away = rng.randint(40, 60) * 60
                now += dt.timedelta(seconds=away)
                records.append(Record("natural", now, seconds=away, detail="away"))
                continue
            exercise = rng.choice(EXERCISES)
            records.append(Record("shown", now, exercise=exercise))
            if rng.random() < 0.2:  # not now: snoozed, then answered when it comes back
                now += dt.timedelta(seconds=20)
                records.append(Record("snoozed", now, exercise=exercise, seconds=300))
                sit(5)
                records.append(Record("shown", now, exercise=exercise))
            roll = rng.random()
            if roll < diligence:
                records.append(Record("started", now + dt.timedelta(seconds=15),
                                      exercise=exercise))
                now += dt.timedelta(minutes=rng.randint(2, 4))
                records.append(Record("completed", now, exercise=exercise, fraction=1.0))
            elif roll < diligence + (1 - diligence) * 0.6:
                now += dt.timedelta(seconds=30)
                records.append(Record("skipped", now, exercise=exercise))
            else:  # left on screen; the next reminder replaces it
                records.append(Record("ignored", now + dt.timedelta(minutes=29),
                                      exercise=exercise, detail="next break"))
        records.append(Record("daemon-stop", now))
    return records


def month_report(today: dt.date = TODAY) -> Report:
    records = generated_history(31, today)
    return report(records, today - dt.timedelta(days=30), today, today)


def empty_report(days: int = 7, today: dt.date = TODAY) -> Report:
    return report([], today - dt.timedelta(days=days - 1), today, today)


@pytest.fixture
def charts(tmp_path: Path) -> Path:
    """A directory of its own (the autouse fixture keeps a home in tmp_path)."""
    directory = tmp_path / "charts"
    directory.mkdir()
    return directory


def svg_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    assert ET.fromstring(text).tag == SVG
    return text


def svg_lines(path: Path) -> list[str]:
    """The lines of text the SVG shows as text (not as glyph outlines, not in comments)."""
    root = ET.fromstring(svg_text(path))
    return ["".join(node.itertext()) for node in root.iter(f"{NS}text")]


# -- the generator the tests and benchmarks rest on -------------------------------------


def test_generated_history_is_deterministic_and_looks_like_work_days() -> None:
    assert generated_history(14, TODAY) == generated_history(14, TODAY)
    assert generated_history(14, TODAY) != generated_history(14, TODAY, seed=2)
    month = month_report()
    weekdays = [day for day in month.days if day.day is not None and day.day.weekday() < 5]
    weekends = [day for day in month.days if day.day is not None and day.day.weekday() >= 5]
    assert all(not day.active for day in weekends)
    assert all(12 <= day.due <= 16 for day in weekdays)
    assert 0.55 <= month.total.done / month.total.due <= 0.9
    assert all(day.natural == 1 for day in weekdays)  # lunch
    assert month.total.snoozed > 0 and month.total.skipped > 0 and month.total.ignored > 0


# -- formats and files ------------------------------------------------------------------


def test_a_png_is_a_png_of_a_sensible_size(charts: Path) -> None:
    out = charts / "week.png"
    chart.draw(month_report(), out, TODAY)
    data = out.read_bytes()
    assert data.startswith(PNG_MAGIC)
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1200, 800)


def test_an_svg_is_an_svg_with_its_text_kept_as_text(charts: Path) -> None:
    out = charts / "week.SVG"  # the extension is not case-sensitive
    chart.draw(month_report(), out, TODAY)
    assert "Breaks per day" in svg_lines(out)
    assert "<dc:date>" not in svg_text(out)  # no date: the same report gives the same file


@pytest.mark.parametrize("name", ["chart.pdf", "chart.jpg", "chart", "chart.png.txt"])
def test_any_other_extension_is_refused_before_anything_is_written(charts: Path,
                                                                    name: str) -> None:
    with pytest.raises(ValueError, match=r"\.png or \.svg") as raised:
        chart.draw(month_report(), charts / name, TODAY)
    assert "\n" not in str(raised.value)
    assert list(charts.iterdir()) == []


def test_the_file_is_replaced_atomically_and_no_temporary_is_left(charts: Path) -> None:
    out = charts / "chart.png"
    out.write_bytes(b"old")
    chart.draw(month_report(), out, TODAY)
    assert out.read_bytes().startswith(PNG_MAGIC)
    assert [p.name for p in charts.iterdir()] == ["chart.png"]


def test_the_new_file_gets_the_mode_the_umask_allows(charts: Path) -> None:
    old = os.umask(0o027)
    try:
        chart.draw(empty_report(), charts / "chart.png", TODAY)
    finally:
        os.umask(old)
    assert stat.S_IMODE((charts / "chart.png").stat().st_mode) == 0o640


def test_a_failed_draw_leaves_the_old_file_and_no_temporary(
        charts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = charts / "chart.svg"
    out.write_text("old")

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("matplotlib.figure.Figure.savefig", broken)
    with pytest.raises(OSError, match="disk full"):
        chart.draw(month_report(), out, TODAY)
    assert out.read_text() == "old"
    assert [p.name for p in charts.iterdir()] == ["chart.svg"]


def test_the_same_report_gives_the_same_svg(charts: Path) -> None:
    chart.draw(month_report(), charts / "a.svg", TODAY)
    chart.draw(month_report(), charts / "b.svg", TODAY)
    assert (charts / "a.svg").read_bytes() == (charts / "b.svg").read_bytes()


# -- what it shows ----------------------------------------------------------------------


def test_an_empty_history_says_so_instead_of_drawing_empty_axes(charts: Path) -> None:
    out = charts / "empty.svg"
    chart.draw(empty_report(), out, TODAY)
    lines = svg_lines(out)
    assert "No breaks recorded yet" in lines
    assert "Breaks per day" not in lines
    chart.draw(empty_report(), charts / "empty.png", TODAY)
    assert (charts / "empty.png").read_bytes().startswith(PNG_MAGIC)


def test_a_month_with_breaks_shows_them_and_its_summary(charts: Path) -> None:
    month = month_report()
    chart.draw(month, charts / "month.svg", TODAY)
    chart.draw(empty_report(31), charts / "empty.svg", TODAY)
    assert svg_text(charts / "month.svg") != svg_text(charts / "empty.svg")
    lines = svg_lines(charts / "month.svg")
    line = chart.summary(month, TODAY)
    assert line.startswith(f"Last 31 days: {month.total.done} of {month.total.due} breaks done")
    assert line in lines
    assert "No breaks recorded yet" not in lines
    assert "Breaks done per day, the last 26 weeks" in lines
    assert chart.streak_line(month) in lines


def test_more_breaks_done_draw_a_different_picture(charts: Path) -> None:
    records = generated_history(7, TODAY)
    first = TODAY - dt.timedelta(days=6)
    fewer = [r for r in records if r.kind != "completed"]
    chart.draw(report(records, first, TODAY, TODAY), charts / "more.svg", TODAY)
    chart.draw(report(fewer, first, TODAY, TODAY), charts / "fewer.svg", TODAY)
    assert svg_text(charts / "more.svg") != svg_text(charts / "fewer.svg")


def test_one_day_of_history_draws(charts: Path) -> None:
    records = generated_history(1, TODAY)
    one = report(records, TODAY, TODAY, TODAY)
    assert one.total.due > 0
    chart.draw(one, charts / "day.svg", TODAY)
    lines = svg_lines(charts / "day.svg")
    assert chart.summary(one, TODAY).startswith("Today: ")
    assert chart.summary(one, TODAY) in lines
    assert f"{one.days[0].done}/{one.days[0].due}" in lines  # the numbers over the bar
    chart.draw(one, charts / "day.png", TODAY)
    assert (charts / "day.png").read_bytes().startswith(PNG_MAGIC)


def test_a_year_of_history_draws_a_year_long_heatmap(charts: Path) -> None:
    records = generated_history(400, TODAY)
    year = report(records, TODAY - dt.timedelta(days=364), TODAY, TODAY)
    chart.draw(year, charts / "year.svg", TODAY)
    lines = svg_lines(charts / "year.svg")
    assert "Breaks done per day, the last year" in lines
    assert chart.summary(year, TODAY).startswith("Last 365 days: ")
    assert chart.summary(year, TODAY) in lines
    chart.draw(year, charts / "year.png", TODAY)
    assert (charts / "year.png").read_bytes().startswith(PNG_MAGIC)


def test_a_range_with_nothing_in_it_says_so_beside_the_history(charts: Path) -> None:
    records = generated_history(60, TODAY - dt.timedelta(days=30))
    quiet = report(records, TODAY - dt.timedelta(days=6), TODAY, TODAY)
    assert quiet.total.due == 0 and quiet.all_days
    chart.draw(quiet, charts / "quiet.svg", TODAY)
    lines = svg_lines(charts / "quiet.svg")
    assert "No breaks due in these days" in lines
    assert "Last 7 days: no breaks due" in lines


@pytest.mark.parametrize(("recorded_weeks", "weeks"), [(0, 26), (1, 26), (30, 30), (80, 53)])
def test_the_heatmap_shows_half_a_year_or_as_much_of_a_year_as_was_recorded(
        recorded_weeks: int, weeks: int) -> None:
    recorded = [TODAY - dt.timedelta(weeks=recorded_weeks - 1)] if recorded_weeks else []
    assert chart.heatmap_weeks(recorded, TODAY) == weeks


def test_the_colour_classes_cover_every_count() -> None:
    assert chart.levels(3) == [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4)]
    assert chart.levels(14) == [(0, 0), (1, 4), (5, 8), (9, 12), (13, 16)]


def test_the_chart_module_does_not_load_pyplot_or_a_gui_backend(charts: Path) -> None:
    code = (
        "import sys, datetime as dt, pathlib\n"
        "from deskbreak.core.stats import report\n"
        "from deskbreak.history import chart\n"
        "assert 'matplotlib' not in sys.modules\n"
        "t = dt.date(2025, 3, 14)\n"
        f"chart.draw(report([], t, t, t), pathlib.Path({str(charts / 'x.png')!r}), t)\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot'\n"
        "bad = [m for m in sys.modules if m.startswith('matplotlib.backends.backend_')\n"
        "       and not m.endswith(('_agg', '_bases', '_svg'))]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
