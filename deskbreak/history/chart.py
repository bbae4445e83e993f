"""``deskbreak stats --chart FILE``: the statistics as a picture instead of a table.

Two panels: the range's breaks done against breaks due, one bar pair per day, and a
calendar heatmap of the last half year (or year) of breaks done, GitHub style.

Why matplotlib: it writes PNG and SVG by itself (Agg and its own SVG writer), needs no
system libraries such as Cairo or a display, and a calendar heatmap needs nothing but
rectangles and text. It is heavy to import, so only this module imports it, and only
``deskbreak stats --chart`` imports this module: the daemon never pays for it. No pyplot
either: a ``Figure`` drawn by ``FigureCanvasAgg`` never touches a GUI backend.

The picture ignores the user's matplotlibrc (it starts from matplotlib's defaults) so it
looks the same everywhere, and the same report gives the same bytes: SVGs carry no date
and keep their text as text, so it can be searched and read by a screen reader.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from deskbreak.core.durations import format_duration
from deskbreak.core.stats import Day, Report
from deskbreak.history.output import writing

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FORMATS = {".png": "png", ".svg": "svg"}
WIDTH, HEIGHT, DPI = 12.0, 8.0, 100  # inches; a PNG is 1200 x 800 px

# ColorBrewer YlGn (5 classes): sequential, colour-blind safe, readable in greyscale.
LEVELS = ("#ffffcc", "#c2e699", "#78c679", "#31a354", "#006837")
NOTHING = "#e3e3e3"  # a day with nothing recorded: neutral, no hue
DUE = "#c7e9c0"  # the light bar: breaks that came due
DONE = "#238b45"  # the strong bar: breaks done
INK = "#262626"
MUTED = "#5f5f5f"
WEEKEND = "#f3f3f3"
HEATMAP_WEEKS = (26, 53)  # at least half a year, at most a year
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
          "Dec")


def draw(report: Report, path: Path, today: dt.date) -> None:
    """Write the chart of ``report`` to ``path``, a ``.png`` or ``.svg`` file, atomically.

    Raises ValueError for any other extension, before anything is imported or written.
    """
    fmt = chart_format(path)
    import matplotlib
    import matplotlib.style

    with matplotlib.style.context("default"), matplotlib.rc_context(_RC):
        figure = _figure(report, today)
        with writing(path) as stream:
            figure.savefig(stream, format=fmt, dpi=DPI,
                           metadata={"Date": None} if fmt == "svg" else None)


def chart_format(path: Path) -> str:
    """``"png"`` or ``"svg"`` for ``path``'s extension; ValueError for anything else."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        allowed = " or ".join(FORMATS)
        raise ValueError(f"cannot draw a chart as {path.name!r}: the file name must end in "
                         f"{allowed}")
    return fmt


_RC = {
    "svg.fonttype": "none",  # text stays text: searchable, selectable, smaller
    "svg.hashsalt": "deskbreak",  # stable element ids: the same report, the same bytes
    "font.size": 10,
    "axes.edgecolor": "#b0b0b0",
    "axes.labelcolor": INK,
    "text.color": INK,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.labelcolor": INK,
    "ytick.labelcolor": INK,
}


# -- the figure -------------------------------------------------------------------------


def _figure(report: Report, today: dt.date) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    figure.text(0.04, 0.935, title(report), fontsize=17, fontweight="bold",
                va="baseline")
    recorded = _recorded_days(report)
    if not recorded:
        figure.text(0.04, 0.885, f"{_range_name(report, today)}: nothing recorded",
                    fontsize=11.5, color=MUTED, va="baseline")
        figure.text(0.5, 0.5, "No breaks recorded yet", fontsize=26, color=MUTED,
                    ha="center", va="center")
        figure.text(0.5, 0.43, "deskbreak counts breaks due and done while it runs; "
                    "draw the chart again after a day at the desk.", fontsize=12,
                    color=MUTED, ha="center", va="center")
        return figure
    figure.text(0.04, 0.885, summary(report, today), fontsize=11.5, color=MUTED,
                va="baseline")
    figure.text(0.975, 0.935, streak_line(report), fontsize=11.5, color=MUTED, ha="right",
                va="baseline")
    bars = figure.add_axes((0.06, 0.47, 0.915, 0.33))
    _bars(bars, report.days)
    heat = figure.add_axes((0.06, 0.10, 0.915, 0.22))
    _heatmap(heat, recorded, today)
    return figure


def _recorded_days(report: Report) -> dict[dt.date, Day]:
    """The days on which anything at all was counted."""
    return {date: day for date, day in report.all_days.items()
            if day.active or day.due > 0 or day.done > 0}


def title(report: Report) -> str:
    if not report.days:
        return "deskbreak"
    return f"deskbreak: breaks, {_span(report.days[0].day, report.days[-1].day)}"


def summary(report: Report, today: dt.date) -> str:
    """One line: "Last 7 days: 23 of 31 breaks done (74%), 5 h 12 min sitting, ..."."""
    total = report.total
    parts = []
    if total.due > 0:
        percent = round(100 * (total.adherence or 0.0))
        breaks = "break" if total.due == 1 else "breaks"
        parts.append(f"{total.done} of {total.due} {breaks} done ({percent}%)")
    else:
        parts.append("no breaks due")
    if total.active_seconds >= 1:
        sitting = f"{format_duration(total.active_seconds)} sitting"
        active = sum(1 for day in report.days if day.active_seconds >= 1)
        if active > 1:
            sitting += f" ({format_duration(total.active_seconds / active)} a day)"
        parts.append(sitting)
    if total.longest_stretch >= 1:
        parts.append(f"longest stretch {format_duration(total.longest_stretch)}")
    return f"{_range_name(report, today)}: {', '.join(parts)}"


def _range_name(report: Report, today: dt.date) -> str:
    if not report.days:
        return "No days"
    first, last = report.days[0].day, report.days[-1].day
    count = len(report.days)
    if last == today:
        return "Today" if count == 1 else f"Last {count} days"
    return _date(first) if count == 1 else f"{count} days"


def _date(date: dt.date | None) -> str:
    return "" if date is None else f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def _span(first: dt.date | None, last: dt.date | None) -> str:
    if first is None or last is None or first == last:
        return _date(first or last)
    if first.year == last.year:
        if first.month == last.month:
            return f"{first.day}–{_date(last)}"
        return f"{first.day} {MONTHS[first.month - 1]} – {_date(last)}"
    return f"{_date(first)} – {_date(last)}"


# -- breaks done and due, per day -----------------------------------------------------


def _bars(ax: Axes, days: Sequence[Day]) -> None:
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    count = len(days)
    xs = list(range(count))
    due = [day.due for day in days]
    done = [day.done for day in days]
    if count == 1:
        wide, narrow = 0.5, 0.35
    elif count <= 62:  # done inside due
        wide, narrow = 0.8, 0.56
    elif count <= 120:  # done over due: too narrow to nest
        wide = narrow = 0.8
    else:  # a bar a pixel or two wide: gaps would only flicker
        wide = narrow = 1.0
    pad = max(0.0, (7 - count) / 2)  # a short range keeps the bar widths of a week
    ax.set_xlim(-0.5 - pad, count - 0.5 + pad)
    top = max([*due, *done, 1])
    ax.set_ylim(0, top * 1.18 + 0.5)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    ax.grid(axis="y", color="#e6e6e6", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    if count <= 62:  # weekends shaded: the week's shape without reading a label
        for x, day in zip(xs, days, strict=True):
            if day.day is not None and day.day.weekday() >= 5:
                ax.axvspan(x - 0.5, x + 0.5, color=WEEKEND, zorder=0, linewidth=0)
    ax.bar(xs, due, width=wide, color=DUE, linewidth=0, zorder=2)
    ax.bar(xs, done, width=narrow, color=DONE, linewidth=0, zorder=3)
    if count <= 16:  # few bars: the numbers too
        for x, day in zip(xs, days, strict=True):
            if day.due or day.done:
                ax.text(x, max(day.due, day.done) + top * 0.02, f"{day.done}/{day.due}",
                        ha="center", va="bottom", fontsize=9, color=INK)
    _day_ticks(ax, days)
    ax.set_title("Breaks per day", loc="left", fontsize=12, fontweight="bold", pad=10)
    ax.legend(handles=[Patch(color=DONE, label="done"), Patch(color=DUE, label="due")],
              loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, frameon=False,
              fontsize=10, borderaxespad=0.2, handlelength=1.2, columnspacing=1.2)
    if not any(due) and not any(done):
        ax.text(0.5, 0.55, "No breaks due in these days", transform=ax.transAxes,
                ha="center", va="center", fontsize=14, color=MUTED)


def _day_ticks(ax: Axes, days: Sequence[Day]) -> None:
    """Weekday and date under each bar, each Monday, or each month, as room allows."""
    count = len(days)
    dates = [day.day for day in days]
    if count <= 16:
        chosen = list(range(count))
        labels = [f"{WEEKDAYS[d.weekday()]}\n{d.day} {MONTHS[d.month - 1]}"
                  for d in dates if d is not None]
        ax.set_xticks(chosen, labels)
        ax.tick_params(axis="x", length=0, labelsize=9)
        return
    if count <= 120:
        chosen = [i for i, d in enumerate(dates) if d is not None and d.weekday() == 0]
        step = math.ceil(len(chosen) / 16) or 1
        chosen = chosen[::step]
        labels = [f"Mon\n{d.day} {MONTHS[d.month - 1]}"
                  for d in (dates[i] for i in chosen) if d is not None]
        ax.set_xticks(range(count), minor=True)
        ax.tick_params(axis="x", which="minor", length=2)
    else:
        chosen = [i for i, d in enumerate(dates) if d is not None and d.day == 1]
        if chosen and chosen[0] > 0 and dates[0] is not None and dates[0].day <= 12:
            chosen.insert(0, 0)  # the range's first month, if enough of it is shown
        labels = []
        for n, i in enumerate(chosen):
            d = dates[i]
            assert d is not None
            name = MONTHS[d.month - 1]
            labels.append(f"{name}\n{d.year}" if n == 0 or d.month == 1 else name)
    ax.set_xticks(chosen, labels)
    ax.tick_params(axis="x", which="major", length=4, labelsize=9)


# -- the calendar heatmap ---------------------------------------------------------------


def heatmap_weeks(recorded: Sequence[dt.date], today: dt.date) -> int:
    """Columns in the heatmap: half a year, or as much of the last year as was recorded."""
    low, high = HEATMAP_WEEKS
    past = [d for d in recorded if d <= today]
    if not past:
        return low
    monday = today - dt.timedelta(days=today.weekday())
    first = min(past)
    span = (monday - (first - dt.timedelta(days=first.weekday()))).days // 7 + 1
    return max(low, min(high, span))


def levels(top: int) -> list[tuple[int, int]]:
    """The heatmap's colour classes as (low, high) breaks done; the first is (0, 0)."""
    if top <= len(LEVELS) - 1:
        return [(n, n) for n in range(len(LEVELS))]
    step = math.ceil(top / (len(LEVELS) - 1))
    return [(0, 0)] + [(1 + k * step, (k + 1) * step) for k in range(len(LEVELS) - 1)]


def _level(done: int, classes: Sequence[tuple[int, int]]) -> int:
    for index, (_, high) in enumerate(classes):
        if done <= high:
            return index
    return len(classes) - 1


def _heatmap(ax: Axes, recorded: dict[dt.date, Day], today: dt.date) -> None:
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Patch, Rectangle

    weeks = heatmap_weeks(list(recorded), today)
    start = today - dt.timedelta(days=today.weekday(), weeks=weeks - 1)
    shown = [d for d in recorded if start <= d <= today]
    classes = levels(max((recorded[d].done for d in shown), default=0))
    cells: list[Rectangle] = []
    colours: list[str] = []
    size = 0.86
    for column in range(weeks):
        for row in range(7):
            date = start + dt.timedelta(weeks=column, days=row)
            if date > today:
                break
            day = recorded.get(date)
            colours.append(NOTHING if day is None else LEVELS[_level(day.done, classes)])
            cells.append(Rectangle((column - size / 2, row - size / 2), size, size))
    ax.add_collection(PatchCollection(cells, facecolors=colours, edgecolors="#00000024",
                                      linewidths=0.5))
    column, row = weeks - 1, today.weekday()
    ax.add_patch(Rectangle((column - size / 2, row - size / 2), size, size, fill=False,
                           edgecolor=INK, linewidth=1.2))
    ax.set_xlim(-0.5, weeks - 0.5)
    ax.set_ylim(6.5, -0.5)  # Monday on top
    ax.set_aspect("equal", adjustable="box")
    ax.set_anchor("NW")
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xticks([])
    ax.set_yticks(range(7), WEEKDAYS)
    ax.tick_params(axis="y", length=0, labelsize=8, pad=3)
    for column, label in _month_labels(start, weeks):
        ax.text(column - size / 2, -0.75, label, fontsize=8.5, color=INK, ha="left",
                va="bottom")
    name = "year" if weeks >= 52 else f"{weeks} weeks"
    ax.set_title(f"Breaks done per day, the last {name}", loc="left", fontsize=12,
                 fontweight="bold", pad=22)
    handles = [Patch(facecolor=NOTHING, edgecolor="#00000024", label="nothing recorded")]
    for (low, high), colour in zip(classes, LEVELS, strict=True):
        last = (low, high) == classes[-1] and len(classes) > 1 and high > low
        text = f"{low}+" if last else str(low) if low == high else f"{low}–{high}"
        handles.append(Patch(facecolor=colour, edgecolor="#00000024", label=text))
    ax.legend(handles=handles, loc="upper right", bbox_to_anchor=(1.0, -0.02),
              ncol=len(handles), frameon=False, fontsize=9, handlelength=1.0,
              handleheight=1.0, columnspacing=1.0, handletextpad=0.4, borderaxespad=0.0,
              title="breaks done:", title_fontsize=9, alignment="left")


def _month_labels(start: dt.date, weeks: int) -> list[tuple[int, str]]:
    """(column, name) over each week in which a month begins, GitHub style."""
    found: list[tuple[int, dt.date]] = []
    for column in range(weeks):
        monday = start + dt.timedelta(weeks=column)
        sunday = monday + dt.timedelta(days=6)
        if sunday.day <= 7:  # the 1st of sunday's month falls in this week
            found.append((column, sunday))
        elif column == 0:  # the month already under way when the heatmap begins
            found.append((column, monday))
    if len(found) > 1 and found[1][0] - found[0][0] < 4:
        del found[0]  # too little of it shown: its name would run into the next
    return [(column, f"{MONTHS[d.month - 1]} {d.year}" if n == 0 or d.month == 1
             else MONTHS[d.month - 1]) for n, (column, d) in enumerate(found)]


def streak_line(report: Report) -> str:
    """Days in a row with a break completed: "Streak 4 days, best 12 days"."""

    def days(n: int) -> str:
        return f"{n} day" if n == 1 else f"{n} days"

    return (f"Streak {days(report.current_streak)}, "
            f"best {days(report.best_streak)}")
