"""How punctually deskbreak's breaks land, and that no extra one ever does.

    python benchmarks/timing.py               # 12 breaks, one every 5 s
    python benchmarks/timing.py --quick       # 3 breaks, a smoke run of the plumbing

deskbreak runs with a short interval in a fresh headless desktop (dunst and the SNI
host). Before each break the benchmark asks the daemon over its control channel when
the break is due (the query itself takes about a millisecond; its midpoint is the
reference), and dbus-monitor records when the Notify call reached the bus. Lateness is
arrival minus due time, in milliseconds; every Notify beyond the expected ones is an
extra notification, a bug.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _report
from _programs import PROGRAMS, BenchmarkError, desktop_for, start

from deskbreak import control
from deskbreak.core.commands import Status
from deskbreak.notify.base import TITLE_PREFIX
from tests.e2e.desktop import Desktop


def _due(directory: Path) -> float:
    """Wall-clock time the next break is due, as the running daemon plans it."""
    before = time.time()
    status = control.request(directory, Status())
    after = time.time()
    if status.get("next_break_in") is None:
        raise BenchmarkError(f"deskbreak plans no break: {status}")
    return (before + after) / 2 + float(status["next_break_in"])


def _arrivals(desktop: Desktop) -> list[float]:
    return [n.time for n in desktop.notifications() if n.summary.startswith(TITLE_PREFIX)]


def measure(breaks: int, interval: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp, desktop_for(Path(tmp)) as desk:
        start(desk, PROGRAMS["deskbreak"], ["--interval", f"{interval:g}s"])
        channel = Path(desk.env["XDG_RUNTIME_DIR"]) / "deskbreak"
        deadline = time.monotonic() + 10
        while not (channel / "control.sock").exists():  # the tray can dock before it listens
            if time.monotonic() > deadline:
                raise BenchmarkError("deskbreak opened no control channel within 10 s")
            time.sleep(0.01)
        lateness_ms: list[float] = []
        for number in range(1, breaks + 1):
            due = _due(channel)
            limit = time.monotonic() + interval * 3 + 5
            while len(arrived := _arrivals(desk)) < number:
                if time.monotonic() > limit:
                    raise BenchmarkError(f"break {number} did not arrive within {limit:.0f} s")
                time.sleep(0.01)
            lateness_ms.append((arrived[number - 1] - due) * 1000)
        # Anything more in the next half interval (before the next break is due) is extra.
        time.sleep(interval / 2)
        extra = len(_arrivals(desk)) - breaks
    return {
        "breaks": breaks,
        "interval_s": interval,
        "lateness_ms": [round(x, 1) for x in lateness_ms],
        "median_ms": statistics.median(lateness_ms),
        "worst_ms": max(lateness_ms, key=abs),
        "extra_notifications": extra,
    }


def render(report: dict[str, Any]) -> str:
    r = report["results"]
    return "\n".join([
        f"deskbreak timing benchmark, {report['machine']['date']}",
        f"{r['breaks']} breaks, one every {r['interval_s']:g} s of activity",
        "",
        _report.table(["", "deskbreak"], [
            ["Median lateness, ms", f"{r['median_ms']:.1f}"],
            ["Worst lateness, ms", f"{r['worst_ms']:.1f}"],
            ["Extra notifications", str(r["extra_notifications"])],
        ]),
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--breaks", type=int, default=12, help="breaks to time (default 12)")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds (default 5)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 3 breaks, 2 s apart")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--output", type=Path, help="also write the JSON report here")
    args = parser.parse_args(argv)
    if args.quick:
        args.breaks, args.interval = 3, 2.0
    if args.breaks < 1 or args.interval < 1:
        parser.error("--breaks must be at least 1 and --interval at least 1 second")
    try:
        results = measure(args.breaks, args.interval)
    except BenchmarkError as exc:
        print(f"timing benchmark failed: {exc}", file=sys.stderr)
        return 1
    report = {"machine": _report.machine(),
              "settings": {"breaks": args.breaks, "interval_s": args.interval,
                           "quick": args.quick},
              "results": results}
    _report.emit(report, render(report), as_json=args.json, output=args.output)
    return 1 if results["extra_notifications"] else 0


if __name__ == "__main__":
    sys.exit(main())
