"""A year of break history: how long `deskbreak stats` takes, and what the store costs.

    python benchmarks/history.py            # a heavy year, 7 runs of each command
    python benchmarks/history.py --quick    # a smoke run of the plumbing (about a minute)

Why: the history feature promises that a heavy user's year (about 50,000 events)
answers `deskbreak stats` in well under half a second and `--chart` in about a second,
that recording never stalls the daemon's loop or its tray, and that the store adds well
under 1 MiB to the idle daemon. Each promise is checked here the way a user meets it:

- The history is a generated, deterministic year (`random.Random(seed)`) written through
  `store.insert` in batches, as a person at a desk makes it: weekdays from about 8 to
  19 h, a break due after each 30 minutes of sitting and every answer the daemon
  records (shown, snoozed and shown again, started, completed, skipped, ignored),
  sitting in spans of up to 10 minutes, lunch, meetings and coffee as natural breaks,
  overnight and lunchtime suspends, pauses, breaks held during fullscreen calls, the
  daemon started and stopped. A heavy user (the issue's about 50,000 events) is also
  at the desk most evenings and weekends; see HEAVY and ORDINARY.
- Commands are timed whole, each in a fresh `python -m deskbreak` process, from spawn
  to exit: what a user waits for. The table output runs on a pseudo-terminal (its
  interactive path); every command gets one discarded warm-up, and the first chart
  ever (matplotlib builds its font cache then) is reported on its own. Beside them:
  the bare interpreter, and the same command with no history at all, so the year's own
  share can be read off.
- A write is timed with the daemon's settings (WAL, synchronous=FULL) on the disk the
  state directory lives on, against synchronous=NORMAL; and through the daemon's own
  `Recorder`, the loop thread's share (the subscriber call, which only queues) against
  the writer thread's (wall and CPU).
- The idle daemon (headless: `run --no-tray --notifier terminal`) is started after
  `break-now` and `skip` have been recorded and it has settled; its memory is read from
  /proc (as footprint.py does) for this tree and for a checkout of the commit before
  the history store, with an empty history and with the generated year in place.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import pty
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # benchmarks run as scripts: `python benchmarks/x.py`

import _proc  # noqa: E402
import _report  # noqa: E402
import platformdirs  # noqa: E402

from deskbreak.core import events as ev  # noqa: E402
from deskbreak.core import stats  # noqa: E402
from deskbreak.core.history import Record  # noqa: E402
from deskbreak.history import report as stats_report  # noqa: E402
from deskbreak.history import store  # noqa: E402
from deskbreak.history.recorder import Recorder  # noqa: E402

MIB = 1024.0
BEFORE = "61875e1"  # the commit before the history store
SEED = 2026
BATCH = 1000  # records per store.insert while the year is written
STATS_GOAL_S = 0.5
CHART_GOAL_S = 1.0  # "about a second"
CHART_ABOUT_S = 1.2  # what still counts as about a second
MEMORY_GOAL_MIB = 1.0
EXERCISES = ("hamstring-stretch", "lunge", "overhead-reach", "walk-around",
             "seated-knee-to-chest", "seated-trunk-rotation", "seated-figure-4",
             "seated-pelvic-tilt", "standing-back-extension", "seated-cat-camel",
             "standing-hip-flexor-stretch", "seated-hamstring-stretch")
MINUTE = 60.0
SIT_SPAN_S = 600.0  # the planner reports sitting in spans of at most 10 minutes
INTERVAL_S = 30 * MINUTE
IDLE_THRESHOLD_S = 5 * MINUTE
SNOOZE_S = 5 * MINUTE
HEADLESS_DROP = ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "XDG_SESSION_TYPE",
                 "DESKBREAK_CONFIG", "MPLCONFIGDIR", "XDG_CACHE_HOME")


class BenchmarkError(RuntimeError):
    """Something could not be measured; the message says what and why."""


# --- a year at the desk ----------------------------------------------------------------


class _Desk:
    """One person's year, written record by record in the order the daemon writes them.

    ``now`` only moves forward. Sitting is reported as the planner does: a span closes
    every 10 minutes, and when a break is started or done, a pause begins, the person
    walks away or the daemon stops.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.records: list[Record] = []
        self.now = dt.datetime(2000, 1, 1)
        self.span_from: dt.datetime | None = None  # an open sitting span
        self.on_screen: str | None = None  # a break shown and not answered
        self.context = "desk"
        self.asleep_since: dt.datetime | None = None  # the machine is suspended
        self.running = False

    def add(self, kind: str, **values: Any) -> None:
        self.records.append(Record(kind, self.now, **values))

    def wait(self, seconds: float) -> None:
        """Time passes, not sitting at the desk (or not counted)."""
        self.now += dt.timedelta(seconds=seconds)

    def sit(self, seconds: float) -> None:
        """Time passes at the desk: a span closes each time it reaches 10 minutes."""
        end = self.now + dt.timedelta(seconds=seconds)
        if self.span_from is None:
            self.span_from = self.now
        while (self.span_from + dt.timedelta(seconds=SIT_SPAN_S)) <= end:
            self.now = self.span_from + dt.timedelta(seconds=SIT_SPAN_S)
            self.add("sat", seconds=SIT_SPAN_S)
            self.span_from = self.now
        self.now = end

    def cut(self, *, reopen: bool = True) -> None:
        if self.span_from is not None and self.now > self.span_from:
            self.add("sat", seconds=(self.now - self.span_from).total_seconds())
        self.span_from = self.now if reopen else None

    # A day begins with a login or with waking the machine, and ends with either.
    def arrive(self, at: dt.datetime) -> None:
        if self.asleep_since is not None and self.running:
            self.now = at
            slept = (at - self.asleep_since).total_seconds()
            self.add("suspended", seconds=slept)
            self.add("natural", seconds=slept, detail="suspend")
            self.on_screen = None
        else:
            self.now = at
            self.add("daemon-start")
            self.running = True
            self.on_screen = None
        self.asleep_since = None
        self.span_from = self.now

    def leave(self, *, shut_down: bool) -> None:
        self.ignore("natural break")
        self.cut(reopen=False)
        if shut_down:
            self.add("daemon-stop")
            self.running = False
        else:  # the lid closes until the next morning
            self.asleep_since = self.now

    def ignore(self, why: str) -> None:
        if self.on_screen is not None:
            self.add("ignored", exercise=self.on_screen, detail=why)
            self.on_screen = None

    def away(self, seconds: float, *, suspend: bool = False) -> None:
        """A natural break: walked away (seen after the idle threshold) or lid closed."""
        self.cut(reopen=False)
        if suspend:
            self.ignore("natural break")
            self.wait(seconds)
            self.add("suspended", seconds=seconds)
            self.add("natural", seconds=seconds, detail="suspend")
        else:
            self.wait(IDLE_THRESHOLD_S)
            self.add("away", seconds=IDLE_THRESHOLD_S)
            self.ignore("natural break")
            self.wait(seconds - IDLE_THRESHOLD_S)
            self.add("natural", seconds=seconds, detail="away")
        self.span_from = self.now

    def pause(self, seconds: float) -> None:
        self.cut(reopen=False)
        until = self.now + dt.timedelta(seconds=seconds)
        self.ignore("paused")
        self.add("paused", seconds=seconds, detail=until.isoformat(timespec="minutes"))
        early = self.rng.random() < 0.3
        self.wait(seconds * (self.rng.uniform(0.4, 0.9) if early else 1.0))
        self.add("resumed", detail="you" if early else "end of pause")
        self.span_from = self.now

    def one_break(self, diligence: float) -> None:
        """A break that came due: shown, perhaps snoozed, and answered (or not)."""
        exercise = self.rng.choice(EXERCISES)
        if self.rng.random() < 0.06:  # a call in a fullscreen window holds it back
            self.add("held", detail="fullscreen")
            self.sit(self.rng.uniform(2, 25) * MINUTE)
            self.add("released", detail="fullscreen")
            self.sit(self.rng.uniform(5, 30))
        self.ignore("next break")
        requested = self.rng.random() < 0.03
        self.add("shown", exercise=exercise, context=self.context, requested=requested)
        snoozes = 0
        while snoozes < 2 and self.rng.random() < 0.22:  # not now; answered when back
            snoozes += 1
            self.sit(self.rng.uniform(3, 40))
            self.add("snoozed", exercise=exercise, seconds=SNOOZE_S)
            self.sit(SNOOZE_S)
            self.add("shown", exercise=exercise, context=self.context, requested=False)
        roll = self.rng.random()
        if roll < diligence:
            self.sit(self.rng.uniform(5, 60))
            self.cut()
            self.add("started", exercise=exercise)
            self.sit(self.rng.uniform(1, 3) * MINUTE)
            self.cut()
            fraction = 1.0 if self.rng.random() < 0.85 else round(self.rng.uniform(0.3, 0.9), 2)
            self.add("completed", exercise=exercise, fraction=fraction)
        elif roll < diligence + (1 - diligence) * 0.55:
            self.sit(self.rng.uniform(3, 45))
            self.add("skipped", exercise=exercise)
        else:
            self.on_screen = exercise  # left there; the next reminder replaces it

    def work(self, until: dt.datetime, diligence: float, *, lunch: bool) -> None:
        """Sit and take breaks until ``until``, with lunch, meetings and a pause or so.

        Every break, absence and pause starts a fresh 30-minute interval.
        """
        interruptions: list[tuple[dt.datetime, str, float]] = []  # when, what, how long
        if lunch:
            at = dt.datetime.combine(self.now.date(), dt.time(12)) + dt.timedelta(
                minutes=self.rng.randint(0, 75))
            lid = self.rng.random() < 0.35  # the laptop sleeps through lunch
            interruptions.append((at, "suspend" if lid else "away",
                                  self.rng.randint(35, 65) * MINUTE))
        for _ in range(self.rng.choice((0, 1, 1, 2, 3))):  # meetings
            at = self.now + (until - self.now) * self.rng.random()
            interruptions.append((at, "away", self.rng.uniform(20, 60) * MINUTE))
        for _ in range(self.rng.randint(1, 5)):  # coffee, a chat, the post
            at = self.now + (until - self.now) * self.rng.random()
            interruptions.append((at, "away", self.rng.uniform(5.5, 15) * MINUTE))
        if self.rng.random() < 0.12:
            at = self.now + (until - self.now) * self.rng.random()
            interruptions.append((at, "pause", self.rng.choice((30, 60, 60, 120)) * MINUTE))
        interruptions.sort()
        while self.now < until:
            due = self.now + dt.timedelta(seconds=INTERVAL_S)
            if interruptions and interruptions[0][0] < min(due, until):
                at, what, length = interruptions.pop(0)
                self.sit(max(0.0, (at - self.now).total_seconds()))
                if what == "pause":
                    self.pause(length)
                else:
                    self.away(length, suspend=what == "suspend")
            elif due >= until:
                self.sit((until - self.now).total_seconds())
            else:
                self.sit(INTERVAL_S)
                self.one_break(diligence)
                if self.rng.random() < 0.004:
                    self.context = "home" if self.context == "desk" else "desk"
                    self.add("context", context=self.context)


@dataclass(frozen=True)
class Profile:
    """How much of the week a person spends at the desk with the daemon running."""

    name: str
    day: tuple[dt.time, int, dt.time, int]  # weekday start, jitter (min), end, jitter
    evening: float  # chance of an evening session after a weekday
    evening_minutes: tuple[int, int]
    weekend: tuple[float, float]  # chance of a session on a Saturday, on a Sunday
    weekend_hours: tuple[float, float]


# A full-time job: weekdays of about 9 to 18 h, an evening now and then, rare weekends.
ORDINARY = Profile("ordinary", (dt.time(8, 30), 50, dt.time(17, 45), 75), 0.35, (60, 150),
                   (0.3, 0.0), (2, 4))
# The heavy user (about 50,000 events a year): longer weekdays, back at the desk
# most evenings and on most weekends: about 64 hours of counted sitting a week. A year
# of ORDINARY gives about 27,000 records; events grow with desk time, not with the days.
HEAVY = Profile("heavy", (dt.time(7, 45), 45, dt.time(19), 90), 0.9, (150, 240),
                (0.9, 0.85), (7, 11))


def generated_year(days: int, last: dt.date, profile: Profile = HEAVY,
                   seed: int = SEED) -> list[Record]:
    """``days`` days of history ending with ``last``; deterministic for a given seed."""
    rng = random.Random(seed)
    desk = _Desk(rng)
    begin, begin_jitter, finish, finish_jitter = profile.day
    for offset in range(days - 1, -1, -1):
        date = last - dt.timedelta(days=offset)
        weekday = date.weekday()
        if weekday < 5 and rng.random() >= 0.06:  # a weekday, not a holiday
            start = dt.datetime.combine(date, begin) + dt.timedelta(
                minutes=rng.randint(0, begin_jitter))
            end = dt.datetime.combine(date, finish) + dt.timedelta(
                minutes=rng.randint(0, finish_jitter))
            desk.arrive(start)
            desk.work(end, rng.uniform(0.55, 0.85), lunch=True)
            evening = rng.random() < profile.evening
            desk.leave(shut_down=not evening and rng.random() < 0.4)
            if evening:  # back after dinner
                at = dt.datetime.combine(date, dt.time(20)) + dt.timedelta(
                    minutes=rng.randint(0, 60))
                desk.arrive(at)
                desk.work(at + dt.timedelta(minutes=rng.randint(*profile.evening_minutes)),
                          rng.uniform(0.4, 0.7), lunch=False)
                desk.leave(shut_down=rng.random() < 0.4)
        elif weekday >= 5 and rng.random() < profile.weekend[weekday - 5]:
            at = dt.datetime.combine(date, dt.time(10)) + dt.timedelta(
                minutes=rng.randint(0, 60))
            hours = rng.uniform(*profile.weekend_hours)
            desk.arrive(at)
            desk.work(at + dt.timedelta(hours=hours), rng.uniform(0.4, 0.7), lunch=hours > 4)
            desk.leave(shut_down=rng.random() < 0.5)
    return desk.records


def write_year(records: Sequence[Record], path: Path) -> float:
    """Write ``records`` to a new history at ``path`` in batches; seconds it took."""
    began = time.perf_counter()
    conn = store.connect(path, write=True)
    try:
        for i in range(0, len(records), BATCH):
            store.insert(conn, records[i:i + BATCH])
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return time.perf_counter() - began


# --- whole commands, each in a fresh process ---------------------------------------------


@dataclass
class Timed:
    seconds: float
    cpu_s: float
    output: bytes


def run_timed(argv: Sequence[str], env: dict[str, str], cwd: Path, *, tty: bool) -> Timed:
    """Run ``argv`` to its end; wall time from spawn to exit, and its CPU time.

    With ``tty`` its standard output is a pseudo-terminal, so the command takes its
    interactive path (the table); the output is read as it comes either way.
    """
    if tty:
        reader, writer = pty.openpty()
    else:
        reader, writer = os.pipe()
    chunks = []
    began = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=writer,
                            stderr=subprocess.PIPE)
    os.close(writer)
    try:
        while True:
            try:
                chunk = os.read(reader, 65536)
            except OSError:  # EIO: the pseudo-terminal's other end is closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - began
    finally:
        os.close(reader)
    proc.returncode = os.waitstatus_to_exitcode(status)
    errors = proc.stderr.read() if proc.stderr else b""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode != 0:
        raise BenchmarkError(f"{' '.join(argv[1:])} exited {proc.returncode}: "
                             f"{errors.decode(errors='replace').strip()[-500:]}")
    return Timed(seconds, usage.ru_utime + usage.ru_stime, b"".join(chunks))


def session_env(home: Path, tree: Path) -> dict[str, str]:
    """A private home: config, state, runtime and caches, and nothing from a desktop."""
    env = {k: v for k, v in os.environ.items() if k not in HEADLESS_DROP}
    for var, name in (("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state"),
                      ("XDG_RUNTIME_DIR", "runtime"), ("HOME", "home")):
        (home / name).mkdir(mode=0o700, parents=True, exist_ok=True)
        env[var] = str(home / name)
    env["PYTHONPATH"] = str(tree)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def deskbreak(*args: str) -> list[str]:
    return [sys.executable, "-m", "deskbreak", *args]


@dataclass(frozen=True)
class Command:
    key: str
    label: str
    argv: list[str]
    tty: bool = False
    empty: bool = False  # run against no history at all


def commands(out: Path) -> list[Command]:
    return [
        Command("python", "python -c pass (interpreter start)", [sys.executable, "-c", "pass"]),
        Command("matplotlib", "python -c 'import matplotlib Figure + Agg'",
                [sys.executable, "-c", "import matplotlib.figure, "
                 "matplotlib.backends.backend_agg, matplotlib.style"]),
        Command("numpy", "python -c 'import numpy'", [sys.executable, "-c", "import numpy"]),
        Command("empty_json", "stats --json, no history", deskbreak("stats", "--json"),
                empty=True),
        Command("table", "stats (table, on a terminal)", deskbreak("stats"), tty=True),
        Command("tsv", "stats (TSV, piped)", deskbreak("stats")),
        Command("json", "stats --json", deskbreak("stats", "--json")),
        Command("json365", "stats --days 365 --json", deskbreak("stats", "--days", "365",
                                                                "--json")),
        Command("png", "stats --chart x.png", deskbreak("stats", "--chart", str(out / "x.png"))),
        Command("svg", "stats --chart x.svg", deskbreak("stats", "--chart", str(out / "x.svg"))),
    ]


def time_commands(cmds: Sequence[Command], env: dict[str, str], empty_env: dict[str, str],
                  runs: int) -> tuple[dict[str, list[Timed]], dict[str, Timed]]:
    """Each command ``runs`` times after one discarded warm-up, in rounds that take the
    commands in turn (so drift on the machine touches all alike); and the warm-ups.

    The chart's warm-up comes first of all: nothing has imported matplotlib in this home
    yet, so it is the first chart ever, which builds matplotlib's font cache.
    """
    first: dict[str, Timed] = {}
    for cmd in sorted(cmds, key=lambda c: c.key != "png"):
        first[cmd.key] = run_timed(cmd.argv, empty_env if cmd.empty else env, ROOT,
                                   tty=cmd.tty)
    timed: dict[str, list[Timed]] = {cmd.key: [] for cmd in cmds}
    for round_no in range(runs):
        print(f"commands: round {round_no + 1}/{runs}", file=sys.stderr, flush=True)
        for cmd in cmds:
            timed[cmd.key].append(run_timed(cmd.argv, empty_env if cmd.empty else env, ROOT,
                                            tty=cmd.tty))
    return timed, first


# --- in this process ---------------------------------------------------------------------


def best_of(fn: Callable[[], object], runs: int) -> list[float]:
    fn()  # warm-up
    out = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        out.append(time.perf_counter() - began)
    return out


def in_process(path: Path, out: Path, runs: int) -> dict[str, list[float]]:
    """The command's parts without the interpreter: load, tally, words, and chart."""
    today = dt.date.today()
    week = stats.date_range(today)
    year = stats.date_range(today, days=365)
    records = store.load(path)
    week_report = stats.report(records, *week, today)
    year_report = stats.report(records, *year, today)
    figures: dict[str, list[float]] = {
        "load": best_of(lambda: store.load(path), runs),
        "report7": best_of(lambda: stats.report(records, *week, today), runs),
        "report365": best_of(lambda: stats.report(records, *year, today), runs),
        "load_report": best_of(lambda: stats.report(store.load(path), *week, today), runs),
        "text": best_of(lambda: stats_report.text(week_report, "The last 7 days", str(path)),
                        runs),
        "json365": best_of(lambda: stats_report.to_json(year_report, *year, str(path)), runs),
    }
    from deskbreak.history import chart  # imports matplotlib on the first draw

    began = time.perf_counter()
    chart.draw(week_report, out / "in-process.png", today)
    figures["draw_png_first"] = [time.perf_counter() - began]
    figures["draw_png"] = best_of(lambda: chart.draw(week_report, out / "in-process.png",
                                                     today), runs)
    figures["draw_svg"] = best_of(lambda: chart.draw(week_report, out / "in-process.svg",
                                                     today), runs)
    return figures


# --- what a write costs ------------------------------------------------------------------


def insert_costs(path: Path, synchronous: str, writes: int, gap: float) -> list[float]:
    """Seconds for each of ``writes`` one-record ``store.insert`` calls, as the daemon
    makes them (WAL; ``synchronous`` FULL as it ships, or NORMAL to compare)."""
    conn = store.connect(path, write=True)
    try:
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        got = conn.execute("PRAGMA synchronous").fetchone()[0]
        if got != {"FULL": 2, "NORMAL": 1}[synchronous]:
            raise BenchmarkError(f"synchronous is {got}, not {synchronous}")
        times = []
        for _ in range(writes):
            record = Record("sat", dt.datetime.now(), seconds=SIT_SPAN_S)
            began = time.perf_counter()
            store.insert(conn, [record])
            times.append(time.perf_counter() - began)
            time.sleep(gap)
    finally:
        conn.close()
    return times


class _TimedRecorder(Recorder):
    """The daemon's recorder, with each write timed on the writer thread (wall and CPU)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def _write(self, record: Record) -> None:
        wall, cpu = time.perf_counter(), time.thread_time()
        super()._write(record)
        self.cpu.append(time.thread_time() - cpu)
        self.wall.append(time.perf_counter() - wall)


def recorder_costs(path: Path, writes: int, gap: float) -> dict[str, list[float]]:
    """The loop's side (``Recorder.__call__``) against the writer thread's, one event at
    a time, awaited as the daemon awaits it before it shows a break."""
    recorder = _TimedRecorder(path)
    calls: list[float] = []
    waits: list[float] = []

    async def drive() -> None:
        for i in range(writes + 1):
            now = dt.datetime.now()
            event: ev.Event = (ev.Sat(mono=time.monotonic(), wall=now, seconds=SIT_SPAN_S)
                               if i % 2 else
                               ev.BreakShown(mono=time.monotonic(), wall=now,
                                             exercise_id="overhead-reach", context="desk",
                                             requested=False))
            began = time.perf_counter()
            recorder(event)
            called = time.perf_counter()
            if not await recorder.written(5.0):
                raise BenchmarkError("a record took over 5 s to write")
            calls.append(called - began)
            waits.append(time.perf_counter() - began)
            await asyncio.sleep(gap)

    try:
        asyncio.run(drive())
    finally:
        recorder.close()
    if recorder.problem or recorder.written_count != writes + 1:
        raise BenchmarkError(f"the recorder wrote {recorder.written_count} of {writes + 1}: "
                             f"{recorder.problem}")
    # The first event starts the thread, opens and checks the file and prunes it.
    return {"call_first": calls[:1], "call": calls[1:], "wait_first": waits[:1],
            "wait": waits[1:], "writer_wall_first": recorder.wall[:1],
            "writer_wall": recorder.wall[1:], "writer_cpu": recorder.cpu[1:]}


def open_costs(path: Path, runs: int) -> list[float]:
    """``store.connect(write=True)``: what the daemon's first record waits for (the
    file checked with quick_check and brought up to date)."""
    def once() -> None:
        store.connect(path, write=True).close()
    return best_of(once, runs)


# --- the idle daemon's memory, before and after the store ------------------------------


@dataclass(frozen=True)
class Variant:
    key: str
    label: str
    tree: Path
    history: Path | None  # a history file put in place before the daemon starts


@dataclass
class DaemonRun:
    rss_mib: float
    pss_mib: float
    uss_mib: float
    anon_mib: float  # private by nature: never shared, whatever else runs
    sqlite_rss_mib: float  # libsqlite3 and _sqlite3, resident (file-backed, shareable)
    threads: int
    ready_s: float
    sqlite: bool
    matplotlib: bool
    numpy: bool
    records: int | None
    libs: list[str] = field(default_factory=list)


def _wait_socket(sock: Path, proc: subprocess.Popen[bytes], began: float) -> float:
    while time.monotonic() < began + 30.0:
        if proc.poll() is not None:
            break
        with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX) as probe:
            probe.connect(str(sock))
            return time.monotonic() - began
        time.sleep(0.01)
    raise BenchmarkError("the daemon did not open its control channel")


def _smaps(pid: int) -> tuple[int, int]:
    """(anonymous KiB, KiB resident of mappings whose file name mentions sqlite)."""
    anon = sqlite_kib = 0
    with contextlib.suppress(OSError), open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            if line.startswith("Anonymous:"):
                anon = int(line.split()[1])
    current = ""
    with contextlib.suppress(OSError), open(f"/proc/{pid}/smaps") as smaps:
        for line in smaps:
            first = line.split(maxsplit=1)[0]
            if not first.endswith(":"):  # a mapping's header line: its range and file
                parts = line.split(maxsplit=5)
                current = parts[5].strip() if len(parts) == 6 else ""
            elif first == "Rss:" and "sqlite" in current and ".so" in current:
                sqlite_kib += int(line.split()[1])
    return anon, sqlite_kib


def _loaded(pid: int) -> list[str]:
    """Shared objects and mapped files of ``pid`` that tell what it imported."""
    found = set()
    with contextlib.suppress(OSError), open(f"/proc/{pid}/maps") as maps:
        for line in maps:
            parts = line.split(maxsplit=5)
            if len(parts) == 6 and parts[5].startswith("/"):
                found.add(parts[5].strip())
    return sorted(found)


def daemon_memory(variant: Variant, home: Path, settle: float) -> DaemonRun:
    env = session_env(home, variant.tree)
    if variant.history is not None:
        target = home / "state" / "deskbreak"
        target.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.copyfile(variant.history, target / store.FILE_NAME)
        os.chmod(target / store.FILE_NAME, 0o600)
    began = time.monotonic()
    with open(home / "daemon.log", "wb") as log:
        proc = subprocess.Popen(deskbreak("run", "--no-tray", "--notifier", "terminal"),
                                env=env, cwd=variant.tree, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=log, start_new_session=True)
    try:
        ready = _wait_socket(home / "runtime" / "deskbreak" / "control.sock", proc, began)
        for command in ("break-now", "skip"):
            subprocess.run(deskbreak(command), env=env, cwd=variant.tree, check=True,
                           capture_output=True, timeout=30)
        time.sleep(settle)
        sample = _proc.sample(proc.pid, time.monotonic())
        anon_kib, sqlite_kib = _smaps(proc.pid)
        libs = _loaded(proc.pid)
        subprocess.run(deskbreak("quit"), env=env, cwd=variant.tree, check=False,
                       capture_output=True, timeout=30)
        proc.wait(10)
    finally:
        _proc.stop_group(proc)
    if sample.pids != (proc.pid,):
        raise BenchmarkError(f"{variant.label}: expected one process, found {sample.pids}")
    history = home / "state" / "deskbreak" / store.FILE_NAME
    records = None
    if history.exists():
        with contextlib.closing(sqlite3.connect(f"file:{history}?mode=ro", uri=True)) as conn:
            records = int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    return DaemonRun(
        rss_mib=sample.rss_kib / MIB, pss_mib=sample.pss_kib / MIB,
        uss_mib=sample.uss_kib / MIB, anon_mib=anon_kib / MIB,
        sqlite_rss_mib=sqlite_kib / MIB, threads=sample.threads, ready_s=ready,
        sqlite=any("sqlite" in lib for lib in libs),
        matplotlib=any("matplotlib" in lib for lib in libs),
        numpy=any("/numpy" in lib for lib in libs), records=records,
        libs=[lib for lib in libs if any(k in lib for k in ("sqlite", "matplotlib", "numpy"))])


@contextlib.contextmanager
def checkout(rev: str, parent: Path) -> Iterator[Path]:
    """A detached worktree of ``rev`` (the branch and index of ROOT are left alone)."""
    where = parent / f"before-{rev}"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet",
                    str(where), rev], check=True, capture_output=True, timeout=120)
    try:
        yield where
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(where)],
                       check=False, capture_output=True, timeout=120)


# --- the report --------------------------------------------------------------------------


def summary(values: Sequence[float], scale: float = 1.0) -> dict[str, float]:
    ordered = sorted(v * scale for v in values)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"median": statistics.median(ordered), "min": ordered[0], "max": ordered[-1],
            "p95": p95, "n": len(ordered)}


def _tree_state() -> str:
    """This tree's commit, and whether it has changes not committed (read-only git)."""
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "--no-optional-locks", "-C", str(ROOT), "status",
                                "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    changed = [line[3:] for line in dirty if line.strip()]
    return head + (f" + uncommitted changes to {', '.join(changed)}" if changed else "")


def _filesystem(path: Path) -> str:
    best, kind = "", "unknown"
    with contextlib.suppress(OSError), open("/proc/mounts") as mounts:
        for line in mounts:
            parts = line.split()
            mount = parts[1]
            if str(path.resolve()).startswith(mount.rstrip("/") + "/") and len(mount) > len(best):
                best, kind = mount, f"{parts[2]} on {parts[0]} ({mount})"
    return kind


def goals(report: dict[str, Any]) -> list[dict[str, Any]]:
    c = report["commands"]
    checks = [
        ("stats (table) under 0.5 s", c["table"]["median"], f"< {STATS_GOAL_S}",
         c["table"]["median"] < STATS_GOAL_S),
        ("stats --json under 0.5 s", c["json"]["median"], f"< {STATS_GOAL_S}",
         c["json"]["median"] < STATS_GOAL_S),
        ("stats --days 365 --json under 0.5 s", c["json365"]["median"], f"< {STATS_GOAL_S}",
         c["json365"]["median"] < STATS_GOAL_S),
        ("stats --chart x.png in about 1 s", c["png"]["median"],
         f"~{CHART_GOAL_S:g} (<= {CHART_ABOUT_S:g})", c["png"]["median"] <= CHART_ABOUT_S),
        ("stats --chart x.svg in about 1 s", c["svg"]["median"],
         f"~{CHART_GOAL_S:g} (<= {CHART_ABOUT_S:g})", c["svg"]["median"] <= CHART_ABOUT_S),
    ]
    memory = report.get("memory") or {}
    if "before" in memory:
        for key, what in (("after", "empty history"), ("after_year", "a year of history")):
            if key not in memory:
                continue
            for metric, name in (("rss_mib", "RSS"), ("uss_mib", "USS"),
                                 ("anon_mib", "anonymous")):
                grew = memory[key][metric] - memory["before"][metric]
                checks.append((f"the store adds under 1 MiB {name} ({what})", grew,
                               f"< {MEMORY_GOAL_MIB:g}", grew < MEMORY_GOAL_MIB))
    return [{"goal": g, "measured": round(m, 3), "target": t, "met": ok}
            for g, m, t, ok in checks]


def render(report: dict[str, Any]) -> str:
    s, h = report["settings"], report["history"]
    lines = [
        f"deskbreak history benchmark, {report['machine']['date']}; tree {report['tree']}",
        f"history: {h['records']} records over {h['days']} days ({h['active_days']} with "
        f"records, {h['sitting_h_per_week']:.0f} h of sitting a week; an ordinary "
        f"full-time year: {h['ordinary_records']}), {h['file_mib']:.1f} MiB; written in "
        f"{h['write_s']:.2f} s ({BATCH} records per transaction); seed {s['seed']}",
        f"disk: {report['filesystem']}",
        "",
        "Whole commands, each in a fresh process (spawn to exit), "
        f"{s['runs']} runs after a warm-up; seconds:",
        "",
    ]
    rows = []
    for cmd in report["command_list"]:
        c = report["commands"][cmd["key"]]
        rows.append([cmd["label"], f"{c['median']:.3f}", f"{c['min']:.3f}–{c['max']:.3f}",
                     f"{c['cpu_median']:.3f}"])
    first = report["first_chart_s"]
    rows.append(["first stats --chart x.png ever (font cache)", f"{first:.3f}", "1 run", "-"])
    lines.append(_report.table(["", "median, s", "min–max, s", "CPU, s"], rows))

    p = report["in_process"]
    labels = [("load", "store.load (the year)"), ("report7", "stats.report, 7 days"),
              ("report365", "stats.report, 365 days"),
              ("load_report", "store.load + stats.report, 7 days"),
              ("text", "report.text (the table)"), ("json365", "report.to_json, 365 days"),
              ("draw_png_first", "chart.draw png, first (imports matplotlib)"),
              ("draw_png", "chart.draw png"), ("draw_svg", "chart.draw svg")]
    lines += ["", "In this process (no interpreter start, no imports but the first draw's), ms:",
              "", _report.table(["", "median, ms", "min–max, ms"], [
                  [label, f"{p[key]['median']:.1f}",
                   f"{p[key]['min']:.1f}–{p[key]['max']:.1f}"] for key, label in labels])]

    w = report["writes"]
    wrows = [
        ["store.insert, 1 record, WAL + synchronous=FULL (ms)", w["full"]],
        ["store.insert, 1 record, WAL + synchronous=NORMAL (ms)", w["normal"]],
        ["store.connect(write=True) on the year: quick_check (ms)", w["open"]],
        ["loop thread: Recorder.__call__ (µs)", w["call_us"]],
        ["loop thread: first call, starts the writer (µs)", w["call_first_us"]],
        ["writer thread: one record, wall (ms)", w["writer_wall"]],
        ["writer thread: one record, CPU (ms)", w["writer_cpu"]],
        ["writer thread: first record (open, check, prune), wall (ms)", w["writer_wall_first"]],
        ["event to on disk, as the daemon awaits it (ms)", w["wait"]],
    ]
    lines += ["", f"A write ({s['writes']} one-record writes each, {s['write_gap_s']:g} s apart):",
              "", _report.table(["", "median", "p95", "max"], [
                  [label, f"{v['median']:.3f}", f"{v['p95']:.3f}", f"{v['max']:.3f}"]
                  for label, v in wrows])]

    memory = report.get("memory")
    if memory:
        keys = [k for k in ("before", "after", "after_year") if k in memory]
        names = {"before": f"before ({s['before']})", "after": "after, empty history",
                 "after_year": "after, a year of history"}
        header = ["", *(names[k] for k in keys)]
        diffs = [k for k in keys if k != "before" and "before" in memory]
        header += [f"{names[k].split(',', 1)[1].strip()} − before" for k in diffs]
        header += [f"{names[k].split(',', 1)[1].strip()} / before" for k in diffs]
        mrows = []
        for metric, label, fmt in (("rss_mib", "RSS, MiB", "{:.2f}"),
                                   ("pss_mib", "PSS, MiB", "{:.2f}"),
                                   ("uss_mib", "Private (USS), MiB", "{:.2f}"),
                                   ("anon_mib", "Anonymous, MiB", "{:.2f}"),
                                   ("sqlite_rss_mib", "libsqlite3 + _sqlite3 resident, MiB",
                                    "{:.2f}"),
                                   ("threads", "Threads", "{:.0f}"),
                                   ("ready_s", "Ready (control) after, s", "{:.2f}")):
            row = [label, *(fmt.format(memory[k][metric]) for k in keys)]
            row += [f"{memory[k][metric] - memory['before'][metric]:+.2f}" for k in diffs]
            row += [f"{memory[k][metric] / memory['before'][metric]:.3f}"
                    if memory["before"][metric] else "-" for k in diffs]
            mrows.append(row)
        for flag, label in (("sqlite", "sqlite3 loaded"), ("matplotlib", "matplotlib loaded"),
                            ("numpy", "numpy loaded")):
            row = [label, *("yes" if memory[k][flag] else "no" for k in keys)]
            mrows.append(row + [""] * (2 * len(diffs)))
        lines += ["", f"The idle daemon (headless; medians of {s['starts']} starts; after "
                  f"break-now + skip and {s['settle_s']:g} s settling):", "",
                  _report.table(header, mrows)]
    lines += ["", _report.table(["goal", "measured", "target", "met"], [
        [g["goal"], f"{g['measured']:g}", g["target"], "yes" if g["met"] else "NO"]
        for g in report["goals"]])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=365, help="days of history (default 365)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--runs", type=int, default=7, help="runs of each command (default 7)")
    parser.add_argument("--writes", type=int, default=200,
                        help="one-record writes timed per setting (default 200)")
    parser.add_argument("--write-gap", type=float, default=0.02,
                        help="seconds between two timed writes (default 0.02)")
    parser.add_argument("--starts", type=int, default=5,
                        help="daemon starts per variant for memory (default 5)")
    parser.add_argument("--settle", type=float, default=5.0,
                        help="seconds the daemon settles before its memory is read")
    parser.add_argument("--before", default=BEFORE,
                        help="the commit before the history store (default %(default)s); "
                             "'' to skip the daemon comparison")
    parser.add_argument("--dir", type=Path,
                        help="where the temporary history lives (default: beside the real "
                             "state directory, so writes hit the disk the daemon uses)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 60 days, 2 runs, 20 writes, 1 start, 1 s settling")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--output", type=Path, help="also write the JSON report here")
    args = parser.parse_args(argv)
    if args.quick:
        args.days, args.runs, args.writes, args.starts, args.settle = 60, 2, 20, 1, 1.0
    if min(args.days, args.runs, args.writes, args.starts) < 1 or args.settle < 0:
        parser.error("days, runs, writes and starts must be positive")
    base = args.dir or Path(platformdirs.user_state_dir())
    base.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="deskbreak-history-bench-", dir=base) as tmp:
        work = Path(tmp)
        home = work / "home"
        env = session_env(home, ROOT)
        empty_env = session_env(work / "empty", ROOT)
        history = home / "state" / "deskbreak" / store.FILE_NAME
        history.parent.mkdir(mode=0o700, parents=True)

        print("generating the history", file=sys.stderr, flush=True)
        last = dt.date.today() - dt.timedelta(days=1)
        records = generated_year(args.days, last, HEAVY, args.seed)
        ordinary = len(generated_year(args.days, last, ORDINARY, args.seed))
        write_s = write_year(records, history)
        kinds = Counter(r.kind for r in records)
        pristine = work / "year.sqlite3"
        shutil.copyfile(history, pristine)

        cmds = commands(work)
        timed, first = time_commands(cmds, env, empty_env, args.runs)
        print("in-process figures", file=sys.stderr, flush=True)
        inner = in_process(history, work, args.runs)

        print("write costs", file=sys.stderr, flush=True)
        copy = work / "writes.sqlite3"
        shutil.copyfile(pristine, copy)
        full = insert_costs(copy, "FULL", args.writes, args.write_gap)
        normal = insert_costs(copy, "NORMAL", args.writes, args.write_gap)
        opened = open_costs(pristine, args.runs)
        shutil.copyfile(pristine, copy)
        for suffix in ("-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        rec = recorder_costs(copy, args.writes, args.write_gap)

        memory: dict[str, dict[str, Any]] = {}
        runs_by_variant: dict[str, list[dict[str, Any]]] = {}
        with contextlib.ExitStack() as stack:
            variants = [Variant("after", "after, empty history", ROOT, None),
                        Variant("after_year", "after, a year of history", ROOT, pristine)]
            if args.before:
                print(f"checking out {args.before}", file=sys.stderr, flush=True)
                tree = stack.enter_context(checkout(args.before, work))
                variants.insert(0, Variant("before", f"before ({args.before})", tree, None))
            for start_no in range(args.starts):
                for variant in variants:
                    print(f"daemon memory: start {start_no + 1}/{args.starts}: {variant.label}",
                          file=sys.stderr, flush=True)
                    run = daemon_memory(variant, work / f"d-{variant.key}-{start_no}",
                                        args.settle)
                    runs_by_variant.setdefault(variant.key, []).append(vars(run))
        for key, runs in runs_by_variant.items():
            memory[key] = {m: statistics.median(r[m] for r in runs)
                           for m in ("rss_mib", "pss_mib", "uss_mib", "anon_mib",
                                     "sqlite_rss_mib", "threads", "ready_s")}
            for flag in ("sqlite", "matplotlib", "numpy"):
                memory[key][flag] = any(r[flag] for r in runs)

        report: dict[str, Any] = {
            "machine": _report.machine(),
            "tree": _tree_state(),
            "filesystem": _filesystem(history),
            "settings": {"days": args.days, "seed": args.seed, "runs": args.runs,
                         "writes": args.writes, "write_gap_s": args.write_gap,
                         "starts": args.starts, "settle_s": args.settle,
                         "before": args.before, "quick": args.quick},
            "history": {
                "records": len(records), "days": args.days, "profile": HEAVY.name,
                "ordinary_records": ordinary,
                "sitting_h_per_week": sum(r.seconds or 0.0 for r in records
                                          if r.kind == "sat") / 3600 / (args.days / 7),
                "active_days": len({r.local.date() for r in records}),
                "kinds": dict(kinds.most_common()),
                "file_mib": pristine.stat().st_size / MIB / MIB, "write_s": write_s,
            },
            "command_list": [{"key": c.key, "label": c.label} for c in cmds],
            "commands": {k: {**summary([t.seconds for t in v]),
                             "cpu_median": statistics.median(t.cpu_s for t in v)}
                         for k, v in timed.items()},
            "first_chart_s": first["png"].seconds,
            "in_process": {k: summary(v, 1000) for k, v in inner.items()},
            "writes": {
                "full": summary(full, 1000), "normal": summary(normal, 1000),
                "open": summary(opened, 1000),
                "call_us": summary(rec["call"], 1e6),
                "call_first_us": summary(rec["call_first"], 1e6),
                "writer_wall": summary(rec["writer_wall"], 1000),
                "writer_cpu": summary(rec["writer_cpu"], 1000),
                "writer_wall_first": summary(rec["writer_wall_first"], 1000),
                "wait": summary(rec["wait"], 1000),
            },
            "memory": memory,
            "daemon_runs": runs_by_variant,
        }
        report["goals"] = goals(report)
    _report.emit(report, render(report), as_json=args.json, output=args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
