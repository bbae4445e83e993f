"""``deskbreak stats`` in words: a per-day table with bars on a terminal, TSV in a pipe,
and JSON and CSV whose field names are a stable interface for scripts.

The bars are a column of block characters (done solid, due but not done light), so the
chart sits beside the numbers it draws; a plotting library would add a dependency and
a separate picture for what ten lines of text do.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from deskbreak import render
from deskbreak.core.durations import format_duration
from deskbreak.core.stats import Day, ExerciseCount, Report, Trips

JSON_VERSION = 1
FIELDS = ("breaks", "completed", "started", "snoozed", "skipped", "ignored", "natural",
          "natural_seconds", "active_seconds", "longest_stretch_seconds", "due", "done",
          "adherence")
HEADER = ("Day", "Breaks", "Completed", "Snoozed", "Skipped", "Ignored", "Natural",
          "Active", "Longest", "Adherence")
BAR_WIDTH = 20


def _values(day: Day) -> dict[str, Any]:
    adherence = day.adherence
    return {
        "breaks": day.breaks, "completed": day.completed, "started": day.started,
        "snoozed": day.snoozed, "skipped": day.skipped, "ignored": day.ignored,
        "natural": day.natural, "natural_seconds": round(day.natural_seconds),
        "active_seconds": round(day.active_seconds),
        "longest_stretch_seconds": round(day.longest_stretch),
        "due": day.due, "done": day.done,
        "adherence": None if adherence is None else round(adherence, 3),
    }


def _exercise(count: ExerciseCount) -> dict[str, Any]:
    return {"id": count.exercise, "shown": count.shown, "completed": count.completed}


def to_json(report: Report, first: dt.date, last: dt.date, history: str) -> dict[str, Any]:
    """The ``--json`` document; fields are only ever added, never renamed."""
    return {
        "version": JSON_VERSION,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "days": [{"date": d.day.isoformat() if d.day else None, **_values(d)}
                 for d in report.days],
        "total": _values(report.total),
        "streak": {"current": report.current_streak, "best": report.best_streak},
        "most_done": [_exercise(c) for c in report.most_done],
        "least_done": [_exercise(c) for c in report.least_done],
        "recorded_since": report.recorded_since.isoformat() if report.recorded_since else None,
        "trips": _trips(report.trips),
        "history": history,
    }


def _trips(trips: Trips) -> dict[str, Any]:
    """Trip mode's figures, apart: none of them is in ``days`` or ``total``."""
    return {"trips": trips.trips, "breaks": trips.breaks, "completed": trips.completed,
            "walks": trips.walks, "driving_stops": trips.driving_stops,
            "seated_seconds": round(trips.seconds)}


def to_csv(report: Report, delimiter: str = ",") -> str:
    """One row per day, with a header: the same fields as ``--json``'s days."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(("date", *FIELDS))
    for day in report.days:
        values = _values(day)
        writer.writerow((day.day.isoformat() if day.day else "",
                         *("" if values[f] is None else values[f] for f in FIELDS)))
    return out.getvalue()


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _time(seconds: float) -> str:
    return format_duration(seconds) if seconds >= 1 else "-"


def _bar(day: Day, scale: int) -> str:
    """Done as solid blocks, the rest of what was due as light ones."""
    if scale <= 0 or day.due <= 0:
        return ""
    done = min(day.done, day.due)
    solid = round(done * BAR_WIDTH / scale)
    light = max(0, round(day.due * BAR_WIDTH / scale) - solid)
    return "█" * solid + "░" * light


def _row(label: str, day: Day) -> list[str]:
    return [label, str(day.breaks), str(day.completed), str(day.snoozed), str(day.skipped),
            str(day.ignored), str(day.natural), _time(day.active_seconds),
            _time(day.longest_stretch), _percent(day.adherence)]


def tsv(report: Report) -> str:
    """For pipes: the table only, tab-separated, numbers in seconds and fractions."""
    return to_csv(report, "\t").rstrip("\n")


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number} {one if number == 1 else many or one + 's'}"


def _plain(text: str) -> str:
    """An id from the history file as printable text: a hand-edited file must not be
    able to send escape sequences to the terminal."""
    return "".join(c if c.isprintable() else "?" for c in text)


def _label(date: dt.date) -> str:
    return f"{date:%a} {date.day} {date:%b}"


def _names(counts: list[ExerciseCount], *, least: bool) -> str:
    if least:
        return ", ".join(f"{_plain(c.exercise)} ({c.completed} of {c.shown})" for c in counts)
    return ", ".join(f"{_plain(c.exercise)} ({c.completed})" for c in counts)


def text(report: Report, title: str, history: str) -> str:
    """For a person at a terminal: the table with bars, then totals, streaks, exercises."""
    scale = max((d.due for d in report.days), default=0)
    rows = [[*_row(_label(d.day), d), _bar(d, scale)] for d in report.days if d.day]
    total = report.total
    rows.append([*_row("Total", total), ""])
    lines = [title, "", render.table(rows, (*HEADER, "Done / due")), ""]
    if report.recorded_since is None:
        lines.append("No history yet: deskbreak records each break while it runs.")
    else:
        lines.append(f"Done: {total.done} of {_count(total.due, 'break')} due "
                     f"({_percent(total.adherence)}): "
                     f"{_count(total.completed, 'stretch', 'stretches')} completed, "
                     f"{_count(total.natural, 'natural break')}. Sitting: "
                     f"{_time(total.active_seconds)}; longest without a break: "
                     f"{_time(total.longest_stretch)}.")
        days = "day" if report.current_streak == 1 else "days"
        lines.append(f"Streak: {report.current_streak} {days} in a row with a stretch done "
                     f"(best {report.best_streak}).")
        if report.most_done:
            lines.append(f"Most done: {_names(report.most_done, least=False)}.")
        if report.least_done:
            lines.append(f"Least done: {_names(report.least_done, least=True)}.")
        trips = report.trips
        if trips.trips or trips.breaks or trips.driving_stops:
            lines.append(f"Trips (not counted above): {_count(trips.trips, 'trip')}, "
                         f"{_count(trips.breaks, 'break')} in a seat "
                         f"({trips.completed} completed), "
                         f"{_count(trips.driving_stops, 'driving stop')}, "
                         f"{_time(trips.seconds)} seated.")
        lines.append(f"Recorded since {report.recorded_since:%a %d %b %Y} in {history}.")
    return "\n".join(lines)
