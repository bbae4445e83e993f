"""What an idle break reminder costs all day: deskbreak beside Workrave, Safe Eyes and others.

    python benchmarks/footprint.py            # every installed program, 3 rounds, 3 sessions
    python benchmarks/footprint.py --quick    # a smoke run of the plumbing (seconds)
    python benchmarks/footprint.py --session headless   # deskbreak with no display, no bus

Each program runs with its default settings in a fresh headless desktop of its own (the
end-to-end tests' Xvfb + private buses + dunst + SNI host + trayer, empty home). deskbreak
gets one setting of its own: an idle threshold of --idle-threshold (default 1 minute), so
that the window crosses it (Xvfb never gets input: its idle counter runs from its start)
and the figures include going "away" and staying away. deskbreak also runs in two more
sessions: headless (no display, no session bus) and Wayland-like (WAYLAND_DISPLAY names
a compositor that isn't there, no DISPLAY; the session bus with dunst and the SNI host:
a tray, but no idle source).

Fair figures: a page of a shared library counts in PSS (and is not private, USS) by how
many processes map it at that moment. So nothing that maps deskbreak's interpreter may
live while it is sampled. This script therefore runs in two parts:

- The sampler and driver (this file's `main`) re-executes itself under Debian's
  /usr/bin/python3 (--sampler-python), stdlib only: it reads /proc and never imports
  dbus-fast, python-xlib or anything of the venv.
- For each run it starts a launcher (this file with --launch, on the venv's interpreter:
  it needs the desktop helpers) that builds the session, starts the program, waits until
  it is ready (tray docked, or control channel answering headless), prints what it
  started and exits, leaving the session running. The driver is the subreaper of that
  session, warms up, samples, then stops it.

After the warm-up, the program's whole process tree is sampled from /proc over a window:
memory (RSS, USS, PSS), CPU, context switches (each one a wake-up), threads and processes.
RSS and USS are the headline (they don't depend on who else maps a page; USS only on
whether anyone else does), PSS is beside them. Rounds take the programs in turn, so slow
drift on the machine touches all of them alike; each figure is the median over the
rounds, and deskbreak's is also given as a ratio to each other program's.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import math
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import _proc  # noqa: E402
import _report  # noqa: E402
from _programs import PROGRAMS, ROOT, BenchmarkError, Program  # noqa: E402

MIB = 1024.0
SAMPLER_PYTHON = "/usr/bin/python3"
SESSIONS = ("desktop", "headless", "wayland", "sway")
SESSION_TEXT = {
    "desktop": "X11 desktop: Xvfb, private buses, dunst, SNI host (status-notifier-watcher"
               " + gtk-sni-tray-standalone), trayer; X idle counter",
    "headless": "headless: no display, no session bus (no tray, no idle or do-not-disturb"
                " source)",
    "wayland": "Wayland-like: WAYLAND_DISPLAY set to a compositor that isn't there, no"
               " DISPLAY; session bus with dunst and the SNI host (a tray); no idle source",
    "sway": "Wayland: a headless sway (its idle notifications, its window states), no"
            " DISPLAY; session bus with dunst and the SNI host (a tray)",
}
WAKEUP_GOAL = 2.0  # a minute, idle
RSS_GOAL_MIB = 30.0
CPU_GOAL_S_H = 0.2

# report key, row label, number format
METRICS: list[tuple[str, str, str]] = [
    ("rss_mib", "RSS, MiB", "{:.1f}"),
    ("uss_mib", "Private (USS), MiB", "{:.1f}"),
    ("pss_mib", "PSS, MiB", "{:.1f}"),
    ("anon_mib", "Anonymous, MiB", "{:.1f}"),
    ("interpreter_sharers", "Others mapping its interpreter", "{:.0f}"),
    ("rss_growth_mib", "RSS growth over the window, MiB", "{:+.2f}"),
    ("cpu_s_per_h", "CPU s per idle hour", "{:.3f}"),
    ("wakeups_per_min", "Wake-ups per minute", "{:.1f}"),
    ("dock_s", "Ready (tray docked) after, s", "{:.2f}"),
    ("threads", "Threads", "{:.0f}"),
    ("processes", "Processes", "{:.0f}"),
]
SESSION_METRICS: list[tuple[str, str, str]] = [
    *METRICS[:5],
    ("cpu_s_per_h", "CPU s per idle hour", "{:.3f}"),
    ("wakeups_per_min", "Wake-ups per minute, whole window", "{:.2f}"),
    ("wakeups_per_min_before_away", "Wake-ups per minute, before going away", "{:.2f}"),
    ("wakeups_per_min_away", "Wake-ups per minute, while away", "{:.2f}"),
    ("away_at_s", "Went away after (into the window), s", "{:.0f}"),
    ("dock_s", "Ready after, s", "{:.2f}"),
    ("threads", "Threads", "{:.0f}"),
]


# ---- the launcher: runs on the program's interpreter, never while sampling ------------

def launch(spec: dict[str, Any]) -> None:
    """Start one session and program as `spec` says; print what was started; exit at once.

    os._exit skips the desktop helpers' atexit clean-up, so the session outlives this
    process: the driver samples it and stops it (it knows every process group).
    """
    tmp = Path(spec["tmp"])
    program = PROGRAMS[spec["program"]]
    extra = spec["args"]
    groups: list[int] = []
    try:
        if spec["session"] == "headless":
            from _programs import headless_session

            session = headless_session(tmp)
            starter = session.__enter__()
            try:
                pid, ready = starter(program, extra)
            except BaseException:
                session.__exit__(None, None, None)
                raise
            groups = [pid]
        else:
            from _programs import desktop_for, start, start_sway

            desk = desktop_for(tmp, xembed=spec["session"] == "desktop")
            desk.start()
            try:
                socket = start_sway(desk) if spec["session"] == "sway" else None
                pid, ready = start(desk, program, extra,
                                   wayland=spec["session"] in ("wayland", "sway"),
                                   wayland_display=socket)
            except BaseException:
                desk.stop()
                raise
            groups = [c.proc.pid for c in desk._components]  # oldest first
        print(json.dumps({"pid": pid, "ready_s": ready, "groups": groups}), flush=True)
    except Exception as exc:  # the driver reports it as "not measured"
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
    os._exit(0)


# ---- the driver and sampler: stdlib only, on another interpreter ---------------------

def _become_subreaper() -> None:
    """Adopt the launcher's orphans (the session), so that they can be reaped here."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def _reap() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _stop_groups(groups: list[int]) -> None:
    """TERM each process group, newest first, then KILL what is left after 5 s."""
    for group in reversed(groups):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signal.SIGTERM)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        _reap()
        if not any(_group_alive(g) for g in groups):
            break
        time.sleep(0.05)
    for group in groups:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signal.SIGKILL)
    time.sleep(0.1)
    _reap()


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _away_at(tmp: Path, since_wall: float) -> float | None:
    """When deskbreak recorded going away (its history), seconds after `since_wall`."""
    for path in tmp.rglob("history.sqlite3"):
        with contextlib.suppress(sqlite3.Error), contextlib.closing(
                sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            row = db.execute("SELECT min(utc) FROM events WHERE kind = 'away'").fetchone()
            if row and row[0] is not None:
                return float(row[0]) - since_wall
    return None


def _rate(samples: list[_proc.Sample], lo: float, hi: float) -> float | None:
    """Wake-ups a minute between the first sample at or after `lo` and the last before `hi`."""
    inside = [s for s in samples if lo <= s.at <= hi]
    if len(inside) < 2 or inside[-1].at - inside[0].at < 30:
        return None
    return _proc.switches_between(inside[0], inside[-1]) / (inside[-1].at - inside[0].at) * 60


def measure(program: Program, session: str, warmup: float, window: float, every: float,
            program_python: str, extra_args: list[str], idle_threshold: str | None
            ) -> dict[str, Any]:
    """One run of `program` in a fresh session; its figures."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    args = list(extra_args)
    if program.key == "deskbreak" and idle_threshold:
        config = tmp / "deskbreak-bench.toml"
        config.write_text(f'idle_threshold = "{idle_threshold}"\n')
        args += ["--config", str(config)]
    spec = {"tmp": str(tmp), "program": program.key, "session": session, "args": args}
    groups: list[int] = []
    try:
        out = subprocess.run(
            [program_python, str(Path(__file__).resolve()), "--launch", json.dumps(spec)],
            capture_output=True, text=True, timeout=120, check=False,
            env={**os.environ, "DESKBREAK_BENCH_PYTHON": program_python})
        lines = out.stdout.strip().splitlines()
        info = json.loads(lines[-1]) if lines else {"error": out.stderr.strip()[-500:]}
        if "error" in info:
            raise BenchmarkError(info["error"])
        pid, groups = info["pid"], info["groups"]
        time.sleep(warmup)
        first_wall = time.time()
        samples = [_proc.sample(pid, time.monotonic())]
        end = samples[0].at + window
        while (now := time.monotonic()) < end:
            time.sleep(min(every, end - now))
            samples.append(_proc.sample(pid, time.monotonic()))
        first, last = samples[0], samples[-1]
        if not last.pids or pid not in last.pids:
            raise BenchmarkError(f"{program.label} exited during the measurement")
        elapsed = last.at - first.at
        away = _away_at(tmp, first_wall) if program.key == "deskbreak" else None
        # Read after the window, not during it: a scan of every process's maps.
        sharing = [p for p in _proc.sharers(pid) if p not in last.pids]
        top = _proc.smaps_top(pid, 8) if program.key == "deskbreak" else []
        figures: dict[str, Any] = {
            "pss_mib": statistics.median(s.pss_kib for s in samples) / MIB,
            "rss_mib": statistics.median(s.rss_kib for s in samples) / MIB,
            "uss_mib": statistics.median(s.uss_kib for s in samples) / MIB,
            "anon_mib": statistics.median(s.anon_kib for s in samples) / MIB,
            "rss_growth_mib": (last.rss_kib - first.rss_kib) / MIB,
            "pss_growth_mib": (last.pss_kib - first.pss_kib) / MIB,
            "cpu_s_per_h": _proc.cpu_seconds(first, last) / elapsed * 3600,
            "wakeups_per_min": _proc.switches_between(first, last) / elapsed * 60,
            "dock_s": info["ready_s"],
            "threads": last.threads,
            "processes": len(last.pids),
            "window_s": elapsed,
            "samples": len(samples),
            "away_at_s": away,
            "wakeups_per_min_before_away": _rate(
                samples, first.at, first.at + away if away is not None else last.at),
            "wakeups_per_min_away": (_rate(samples, first.at + away, last.at)
                                     if away is not None else None),
            # for reading the window minute by minute: seconds, switches, CPU ns so far
            # Other processes mapping the program's interpreter (lowers its PSS and USS):
            "interpreter_sharers": len(sharing),
            "smaps_top": [[name, round(rss / MIB, 2), round(private / MIB, 2)]
                          for name, rss, private in top],
            "series": [[round(s.at - first.at, 1), _proc.switches_between(first, s),
                        round(_proc.cpu_seconds(first, s), 4)] for s in samples],
        }
        return figures
    finally:
        _stop_groups(groups)
        shutil.rmtree(tmp, ignore_errors=True)


def _median(values: list[Any]) -> Any:
    numbers = [v for v in values if isinstance(v, int | float) and not math.isnan(v)]
    return statistics.median(numbers) if numbers else None


def combine(per_round: list[dict[str, Any]]) -> dict[str, Any]:
    return {key: _median([run[key] for run in per_round])
            for key in per_round[0] if key not in ("series", "smaps_top")}


def _fmt(fmt: str, value: Any) -> str:
    return "-" if value is None else fmt.format(value)


def goals(results: dict[str, dict[str, dict[str, Any]]], idle_threshold: str | None = None
          ) -> list[dict[str, Any]]:
    """deskbreak's goals from the benchmark issue, checked against this run."""
    rows: list[tuple[str, float, str, bool, str]] = []
    where = {"desktop": "with a StatusNotifierItem host (X11 desktop)",
             "headless": "headless (no display, no bus)",
             "wayland": "Wayland-like (no X, session bus, no idle source)",
             "sway": "Wayland (headless sway: idle notifications, window states)"}
    for session in SESSIONS:
        mine = results.get(session, {}).get("deskbreak")
        if mine is None:
            continue
        note = ""
        if mine.get("away_at_s") is not None:
            note = (f"window crosses the {idle_threshold} idle threshold at "
                    f"{mine['away_at_s']:.0f} s")
        rows.append((f"wake-ups a minute, idle, {where[session]}", mine["wakeups_per_min"],
                     f"<= {WAKEUP_GOAL:g}", mine["wakeups_per_min"] <= WAKEUP_GOAL, note))
    for session in SESSIONS:
        mine = results.get(session, {}).get("deskbreak")
        if mine is None:
            continue
        rows.append((f"CPU s per idle hour, {session}", mine["cpu_s_per_h"],
                     f"< {CPU_GOAL_S_H:g}", mine["cpu_s_per_h"] < CPU_GOAL_S_H,
                     "" if mine.get("away_at_s") is None else "includes going away"))
    desk = results.get("desktop", {}).get("deskbreak")
    if desk is not None:
        rows.insert(0, ("RSS, MiB, idle with its full tray menu (X11 desktop, SNI)",
                        desk["rss_mib"], f"<= {RSS_GOAL_MIB:g}", desk["rss_mib"] <= RSS_GOAL_MIB,
                        f"USS {desk['uss_mib']:.1f}, PSS {desk['pss_mib']:.1f}, anonymous"
                        f" {desk.get('anon_mib') or 0:.1f}; sharers"
                        f" {desk.get('interpreter_sharers') or 0:.0f}"))
        rows.append(("memory flat over the window (RSS growth), MiB", desk["rss_growth_mib"],
                     "within 1", abs(desk["rss_growth_mib"]) <= 1, ""))
        rows.append(("tray docked after, s", desk["dock_s"], "< 0.5", desk["dock_s"] < 0.5, ""))
    return [{"goal": g, "measured": round(m, 3), "target": t, "met": ok, "note": n}
            for g, m, t, ok, n in rows]


def render(report: dict[str, Any]) -> str:
    results: dict[str, dict[str, dict[str, Any]]] = report["results"]
    s = report["settings"]
    m = report["machine"]
    lines = [
        f"deskbreak footprint benchmark, {m['date']}, commit {m.get('commit', '?')}",
        f"{s['rounds']} round(s); warm-up {s['warmup_s']:g} s, window {s['window_s']:g} s,"
        f" sample every {s['every_s']:g} s; medians over rounds; deskbreak's idle threshold"
        f" {s.get('idle_threshold') or 'default'}",
        f"sampler: {s.get('sampler', '?')}; programs: {s.get('program_python', '?')}",
    ]
    desktop = results.get("desktop", {})
    if desktop:
        names = list(desktop)
        others = [n for n in names if n != "deskbreak" and "deskbreak" in desktop]
        header = ["", *(PROGRAMS[n].label for n in names),
                  *(f"deskbreak / {PROGRAMS[n].label}" for n in others)]
        rows = []
        for key, label, fmt in METRICS:
            row = [label, *(_fmt(fmt, desktop[n].get(key)) for n in names)]
            for other in others:
                mine, theirs = desktop["deskbreak"].get(key), desktop[other].get(key)
                row.append(f"{mine / theirs:.2f}" if mine is not None and theirs else "-")
            rows.append(row)
        lines += ["", "session: " + SESSION_TEXT["desktop"], "", _report.table(header, rows)]
    sessions = [x for x in SESSIONS if "deskbreak" in results.get(x, {})]
    if sessions:
        rows = [[label, *(_fmt(fmt, results[x]["deskbreak"].get(key)) for x in sessions)]
                for key, label, fmt in SESSION_METRICS]
        lines += ["", "deskbreak by session:",
                  *(f"- {x}: {SESSION_TEXT[x]}" for x in sessions), "",
                  _report.table(["deskbreak", *sessions], rows)]
    if report["goals"]:
        lines += ["", _report.table(
            ["deskbreak goal", "measured", "target", "met", "note"],
            [[g["goal"], f"{g['measured']:g}", g["target"], "yes" if g["met"] else "NO",
              g.get("note", "")] for g in report["goals"]])]
    for name, why in report["not_measured"].items():
        lines.append(f"\n{name}: not measured: {why}")
    return "\n".join(lines)


def _reexec_argv(argv: list[str], sampler: str) -> list[str] | None:
    """The command line to run the driver under `sampler`, or None to stay here."""
    if not Path(sampler).exists():
        return None
    if Path(sys.executable).resolve() == Path(sampler).resolve() \
            and os.environ.get("DESKBREAK_BENCH_PYTHON"):
        return None  # already the sampler
    return [sampler, str(Path(__file__).resolve()), *argv]


def main(argv: list[str] | None = None) -> int:
    as_script = argv is None
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--launch"]:
        launch(json.loads(argv[1]))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(PROGRAMS),
                        help="programs to measure, comma-separated (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=20.0, help="seconds (default 20)")
    parser.add_argument("--window", type=float, default=180.0, help="seconds (default 180)")
    parser.add_argument("--every", type=float, default=10.0, help="sample period, seconds")
    parser.add_argument("--idle-threshold", default="1m",
                        help="deskbreak's idle_threshold for the run (default 1m; '' for its"
                             " own default)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 1 round, 1 s warm-up, 3 s window")
    parser.add_argument("--session", default="desktop,headless,wayland,sway",
                        help="sessions, comma-separated: desktop (every program), headless,"
                             " wayland and sway (deskbreak only) (default: %(default)s)")
    parser.add_argument("--sampler-python", default=SAMPLER_PYTHON,
                        help="interpreter the sampler runs on: not deskbreak's (default"
                             " %(default)s)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--output", type=Path, help="also write the JSON report here")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.warmup, args.window, args.every = 1, 1.0, 3.0, 1.5
    wanted = [n.strip() for n in args.only.split(",") if n.strip()]
    sessions = [x.strip() for x in args.session.split(",") if x.strip()]
    unknown = [n for n in wanted if n not in PROGRAMS]
    bad = [x for x in sessions if x not in SESSIONS]
    if unknown or bad or args.rounds < 1 or args.window <= 0 or args.every <= 0 \
            or args.warmup < 0:
        parser.error(f"unknown program(s) {unknown}; choose from {', '.join(PROGRAMS)}"
                     if unknown else f"unknown session(s) {bad}; choose from {SESSIONS}"
                     if bad else "rounds, window and every must be positive")

    program_python = os.environ.get("DESKBREAK_BENCH_PYTHON") or sys.executable
    if as_script and (new := _reexec_argv(argv, args.sampler_python)):
        os.environ["DESKBREAK_BENCH_PYTHON"] = program_python
        sys.stdout.flush()
        os.execv(new[0], new)  # from here on nothing of the program's interpreter is mapped
    shared = Path(sys.executable).resolve() == Path(program_python).resolve()
    if shared and os.path.exists(ROOT / ".venv" / "bin" / "python"):
        program_python = str(ROOT / ".venv" / "bin" / "python")
        shared = Path(sys.executable).resolve() == Path(program_python).resolve()
    _become_subreaper()
    # Stopped from outside (TERM, or INT where a shell left it on): still stop the sessions.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)

    not_measured: dict[str, str] = {}
    plan: list[tuple[str, str]] = []  # (session, program)
    for session in sessions:
        for name in wanted:
            if session != "desktop" and name != "deskbreak":
                continue  # the others run only in the X11 desktop
            why = PROGRAMS[name].available()
            if why is None:
                plan.append((session, name))
            else:
                not_measured[PROGRAMS[name].label] = why
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for round_no in range(1, args.rounds + 1):
        for session, name in list(plan):
            print(f"round {round_no}/{args.rounds}: {name} ({session})", file=sys.stderr,
                  flush=True)
            try:
                runs.setdefault(session, {}).setdefault(name, []).append(measure(
                    PROGRAMS[name], session, args.warmup, args.window, args.every,
                    program_python, [], args.idle_threshold or None))
            except BenchmarkError as exc:
                not_measured[f"{PROGRAMS[name].label} ({session})"] = str(exc)
                plan.remove((session, name))
                runs.get(session, {}).pop(name, None)

    results = {session: {name: combine(per_round) for name, per_round in progs.items()}
               for session, progs in runs.items()}
    machine = _report.machine()
    machine["python"] = subprocess.run(
        [program_python, "-c", "import platform; print(platform.python_version())"],
        capture_output=True, text=True, check=False).stdout.strip() or machine["python"]
    report = {
        "machine": machine,
        "settings": {"rounds": args.rounds, "warmup_s": args.warmup, "window_s": args.window,
                     "every_s": args.every, "quick": args.quick, "sessions": sessions,
                     "idle_threshold": args.idle_threshold or None,
                     "sampler": f"{sys.executable} (Python {sys.version.split()[0]})",
                     "program_python": program_python,
                     "sampler_shares_interpreter": shared},
        "results": results,
        "runs": runs,
        "goals": goals(results, args.idle_threshold or None),
        "not_measured": not_measured,
    }
    _report.emit(report, render(report), as_json=args.json, output=args.output)
    if "deskbreak" in wanted and not any("deskbreak" in r for r in results.values()):
        print(f"deskbreak could not be measured: {not_measured}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
