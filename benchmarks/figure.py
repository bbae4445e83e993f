"""What the moving figure costs: a frame's paint, and the guide process through a routine.

    python benchmarks/figure.py            # 3 rounds of 40 s each way, plus every figure
    python benchmarks/figure.py --quick    # one 12 s round each way (seconds)

Why: the illustrations issue wants the animation smooth at a modest frame rate and cheap
in CPU, and nothing added to the idle daemon. The daemon side needs no run: it never
imports Pillow or the pose code (tests/test_imports.py; it only checks that a shipped
PNG exists when it shows the steps). What is measured here:

- **Paint**: every built-in figure's start, held and halfway poses painted at the guide
  canvas's size at 96 dpi (320x280 px), as the window paints a frame; the median and
  slowest milliseconds a frame. At ``FRAME_MS`` (66 ms), a frame's share of one core is
  paint / 66.
- **The guide through a routine**: ``deskbreak guide ID`` in a private Xvfb, started
  with Enter, left to play ``--seconds`` of its routine (steps read, then holds moving
  in and out), with the figure and with ``[guide] illustrations = false`` side by side,
  alternating, ``--rounds`` times. CPU seconds (schedstat, nanoseconds), context
  switches and RSS of the guide's process at the end are read from /proc.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _proc
import _report

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EXERCISE = "hamstring-stretch"  # steps, then 20 s holds each side: moves in and out


def paint_costs() -> dict[str, Any]:
    from deskbreak.figure.illustrations import builtin
    from deskbreak.figure.pictures import picture
    from deskbreak.figure.skeleton import blend

    times = []
    for figure in builtin().values():
        for pose in (figure.start, blend(figure.start, figure.hold, 0.5), figure.hold):
            began = time.perf_counter()
            picture(figure, pose, (320, 280))
            times.append((time.perf_counter() - began) * 1000)
    return {"figures": len(builtin()), "frames": len(times),
            "median_ms": statistics.median(times), "max_ms": max(times)}


def _free_display() -> str:
    for number in range(140, 200):
        if not Path(f"/tmp/.X11-unix/X{number}").exists():
            return f":{number}"
    raise RuntimeError("no free X display number")


def one_run(display: str, home: Path, figure: bool, seconds: float) -> dict[str, Any]:
    settings = home / ("on.toml" if figure else "off.toml")
    settings.write_text(f"[guide]\nillustrations = {'true' if figure else 'false'}\n")
    env = {**os.environ, "DISPLAY": display, "HOME": str(home),
           "XDG_RUNTIME_DIR": str(home), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "deskbreak", "guide", EXERCISE,
                             "--config", str(settings)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        window = ""
        deadline = time.monotonic() + 15
        while not window and time.monotonic() < deadline:
            time.sleep(0.1)
            found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name",
                                    "^deskbreak: "], env=env, capture_output=True,
                                   text=True, check=False)
            window = found.stdout.split()[0] if found.stdout.split() else ""
        if not window:
            raise RuntimeError("the guide window did not appear")
        time.sleep(1.2)  # the input guard
        subprocess.run(["xdotool", "key", "--window", window, "Return"], env=env, check=False)
        first = _proc.sample(proc.pid, time.monotonic())
        time.sleep(seconds)
        last = _proc.sample(proc.pid, time.monotonic())
        return {"cpu_s": _proc.cpu_seconds(first, last),
                "switches": _proc.switches_between(first, last),
                "rss_mib": last.rss_kib / 1024, "seconds": last.at - first.at}
    finally:
        _proc.stop_group(proc)


def guide_runs(rounds: int, seconds: float) -> dict[str, list[dict[str, Any]]]:
    display = _free_display()
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten",
                             "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    home = Path(tempfile.mkdtemp(prefix="deskbreak-figure-bench-"))
    try:
        time.sleep(1.0)
        runs: dict[str, list[dict[str, Any]]] = {"figure": [], "text only": []}
        for _ in range(rounds):
            for name, figure in (("figure", True), ("text only", False)):
                runs[name].append(one_run(display, home, figure, seconds))
        return runs
    finally:
        xvfb.terminate()
        xvfb.wait(5)
        shutil.rmtree(home, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    rounds, seconds = (1, 12.0) if args.quick else (args.rounds, args.seconds)
    paint = paint_costs()
    runs = guide_runs(rounds, seconds)
    rows = []
    medians = {}
    for name, results in runs.items():
        cpu = statistics.median(r["cpu_s"] for r in results)
        medians[name] = cpu
        rows.append([name, f"{cpu:.2f}", f"{cpu / seconds * 60:.2f}",
                     f"{statistics.median(r['switches'] for r in results) / seconds:.1f}",
                     f"{statistics.median(r['rss_mib'] for r in results):.1f}"])
    ratio = medians["figure"] / medians["text only"] if medians["text only"] else float("nan")
    text = "\n".join([
        f"Paint: {paint['frames']} frames of {paint['figures']} figures at 320x280 px: "
        f"median {paint['median_ms']:.1f} ms, slowest {paint['max_ms']:.1f} ms "
        f"(a frame every 66 ms while a limb moves: {paint['median_ms'] / 66:.0%} of a core)",
        "",
        f"The guide playing {EXERCISE} for {seconds:.0f} s, median of {rounds}:",
        _report.table(["guide", "CPU s", "CPU s a minute", "switches a second", "RSS MiB"],
                      rows),
        f"figure / text only: {ratio:.2f}x CPU",
    ])
    report = {"machine": _report.machine(), "paint": paint, "runs": runs,
              "seconds": seconds, "rounds": rounds, "cpu_ratio": ratio}
    _report.emit(report, text, as_json=args.json, output=args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
