"""What an idle break reminder costs all day: deskbreak beside Workrave and Safe Eyes.

    python benchmarks/footprint.py            # every installed program, 3 rounds
    python benchmarks/footprint.py --quick    # a smoke run of the plumbing (seconds)
    python benchmarks/footprint.py --session headless   # deskbreak with no display, no bus

Each program runs with its default settings in a fresh headless desktop of its own (the
end-to-end tests' Xvfb + private buses + dunst + SNI host + trayer, empty home). After
it docks its tray icon and a warm-up, its whole process tree is sampled from /proc over
a window: memory (PSS, RSS, private), CPU, context switches (each one a wake-up), threads
and processes. Rounds take the programs in turn, so slow drift on the machine touches
all of them alike; each figure is the median over the rounds, and deskbreak's is also
given as a ratio to each other program's, measured in the same run.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _proc
import _report
from _programs import PROGRAMS, BenchmarkError, Program, desktop_for, headless_session, start

MIB = 1024.0

# report key, row label, number format
METRICS: list[tuple[str, str, str]] = [
    ("pss_mib", "PSS, MiB", "{:.1f}"),
    ("rss_mib", "RSS, MiB", "{:.1f}"),
    ("uss_mib", "Private (USS), MiB", "{:.1f}"),
    ("pss_growth_mib", "PSS growth over the window, MiB", "{:+.2f}"),
    ("cpu_s_per_h", "CPU s per idle hour", "{:.3f}"),
    ("wakeups_per_min", "Wake-ups per minute", "{:.1f}"),
    ("dock_s", "Tray icon docked after, s", "{:.2f}"),
    ("threads", "Threads", "{:.0f}"),
    ("processes", "Processes", "{:.0f}"),
]


def measure(program: Program, warmup: float, window: float, every: float,
            session: str = "desktop") -> dict[str, Any]:
    """One run of `program` in a fresh desktop (or headless session); its figures."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp, contextlib.ExitStack() as stack:
        if session == "headless":
            pid, dock_s = stack.enter_context(headless_session(Path(tmp)))(program)
        else:
            pid, dock_s = start(stack.enter_context(desktop_for(Path(tmp))), program)
        time.sleep(warmup)
        samples = [_proc.sample(pid, time.monotonic())]
        end = samples[0].at + window
        while (now := time.monotonic()) < end:
            time.sleep(min(every, end - now))
            samples.append(_proc.sample(pid, time.monotonic()))
        first, last = samples[0], samples[-1]
        if not last.pids or pid not in last.pids:
            raise BenchmarkError(f"{program.label} exited during the measurement")
        elapsed = last.at - first.at
        return {
            "pss_mib": statistics.median(s.pss_kib for s in samples) / MIB,
            "rss_mib": statistics.median(s.rss_kib for s in samples) / MIB,
            "uss_mib": statistics.median(s.uss_kib for s in samples) / MIB,
            "pss_growth_mib": (last.pss_kib - first.pss_kib) / MIB,
            "cpu_s_per_h": _proc.cpu_seconds(first, last) / elapsed * 3600,
            "wakeups_per_min": _proc.switches_between(first, last) / elapsed * 60,
            "dock_s": dock_s,
            "threads": last.threads,
            "processes": len(last.pids),
            "window_s": elapsed,
            "samples": len(samples),
        }


def goals(results: dict[str, dict[str, float]], session: str = "desktop"
          ) -> list[dict[str, Any]]:
    """deskbreak's goals from the benchmark issue, checked against this run."""
    mine = results.get("deskbreak")
    if mine is None:
        return []
    ready = "tray docked" if session == "desktop" else "control channel answering"
    checks = [
        ("CPU under 0.2 s per idle hour", mine["cpu_s_per_h"], "< 0.2", mine["cpu_s_per_h"] < 0.2),
        ("under 2 wake-ups a minute", mine["wakeups_per_min"], "< 2",
         mine["wakeups_per_min"] < 2),
        (f"{ready} in under 0.5 s", mine["dock_s"], "< 0.5", mine["dock_s"] < 0.5),
        ("memory flat (PSS growth within 1 MiB)", mine["pss_growth_mib"], "<= 1",
         abs(mine["pss_growth_mib"]) <= 1),
    ]
    if "workrave" in results:
        half = results["workrave"]["pss_mib"] / 2
        checks.insert(0, ("PSS at most half of Workrave's", mine["pss_mib"],
                          f"<= {half:.1f}", mine["pss_mib"] <= half))
    return [{"goal": g, "measured": round(m, 3), "target": t, "met": ok}
            for g, m, t, ok in checks]


def render(report: dict[str, Any]) -> str:
    results: dict[str, dict[str, float]] = report["results"]
    names = list(results)
    others = [n for n in names if n != "deskbreak" and "deskbreak" in results]
    header = ["", *(PROGRAMS[n].label for n in names),
              *(f"deskbreak / {PROGRAMS[n].label}" for n in others)]
    rows = []
    for key, label, fmt in METRICS:
        row = [label, *(fmt.format(results[n][key]) for n in names)]
        for other in others:
            theirs = results[other][key]
            row.append(f"{results['deskbreak'][key] / theirs:.2f}" if theirs else "-")
        rows.append(row)
    s = report["settings"]
    if s.get("session") == "headless":
        rows = [["Ready (control channel) after, s", *row[1:]] if row[0].startswith("Tray")
                else row for row in rows]
    lines = [
        f"deskbreak footprint benchmark, {report['machine']['date']}",
        f"{s['rounds']} round(s); warm-up {s['warmup_s']:g} s, window {s['window_s']:g} s,"
        f" sample every {s['every_s']:g} s; medians over rounds",
        "session: " + ("headless (no display, no session bus: no tray, no idle or "
                       "do-not-disturb source)" if s.get("session") == "headless"
                       else "headless desktop (Xvfb, buses, dunst, SNI host, trayer)"),
        "",
        _report.table(header, rows),
    ]
    if report["goals"]:
        lines += ["", _report.table(
            ["deskbreak goal", "measured", "target", "met"],
            [[g["goal"], f"{g['measured']:g}", g["target"], "yes" if g["met"] else "NO"]
             for g in report["goals"]])]
    for name, why in report["not_measured"].items():
        lines.append(f"\n{PROGRAMS[name].label}: not measured: {why}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(PROGRAMS),
                        help="programs to measure, comma-separated (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=60.0, help="seconds (default 60)")
    parser.add_argument("--window", type=float, default=120.0, help="seconds (default 120)")
    parser.add_argument("--every", type=float, default=10.0, help="sample period, seconds")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 1 round, 2 s warm-up, 4 s window")
    parser.add_argument("--session", choices=("desktop", "headless"), default="desktop",
                        help="desktop (default), or headless: deskbreak alone, no display "
                             "and no session bus")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--output", type=Path, help="also write the JSON report here")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.warmup, args.window, args.every = 1, 2.0, 4.0, 2.0
    wanted = [n.strip() for n in args.only.split(",") if n.strip()]
    if args.session == "headless":
        wanted = ["deskbreak"]  # the others need a display to run at all
    unknown = [n for n in wanted if n not in PROGRAMS]
    if unknown or args.rounds < 1 or args.window <= 0 or args.every <= 0 or args.warmup < 0:
        parser.error(f"unknown program(s) {unknown}; choose from {', '.join(PROGRAMS)}"
                     if unknown else "rounds, window and every must be positive")

    not_measured: dict[str, str] = {}
    runs: dict[str, list[dict[str, Any]]] = {}
    for name in wanted:
        why = PROGRAMS[name].available()
        if why is None:
            runs[name] = []
        else:
            not_measured[name] = why
    for round_no in range(1, args.rounds + 1):
        for name in list(runs):
            print(f"round {round_no}/{args.rounds}: {name}", file=sys.stderr, flush=True)
            try:
                runs[name].append(measure(PROGRAMS[name], args.warmup, args.window,
                                          args.every, args.session))
            except BenchmarkError as exc:
                not_measured[name] = str(exc)
                del runs[name]

    results = {name: {key: statistics.median(run[key] for run in per_round)
                      for key in per_round[0]}
               for name, per_round in runs.items()}
    report = {
        "machine": _report.machine(),
        "settings": {"rounds": args.rounds, "warmup_s": args.warmup, "window_s": args.window,
                     "every_s": args.every, "quick": args.quick, "session": args.session},
        "results": results,
        "runs": runs,
        "goals": goals(results, args.session),
        "not_measured": not_measured,
    }
    _report.emit(report, render(report), as_json=args.json, output=args.output)
    if "deskbreak" in wanted and "deskbreak" not in results:
        print(f"deskbreak could not be measured: {not_measured.get('deskbreak')}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
