"""What the idle daemon imports, and what each import costs it in memory, all day.

    python benchmarks/imports.py                  # per top-level package, sorted by RSS
    python benchmarks/imports.py --by importer    # per deskbreak line that pulled it in
    python benchmarks/imports.py --by module      # every module on its own
    python benchmarks/imports.py --allocations 15 # live memory by deskbreak line, at idle
    python benchmarks/imports.py --json           # the raw figures

Why it exists: the idle daemon's resident set (issue 13: at most 30 MiB) is mostly
anonymous memory, and the largest part of that is the code objects unmarshalled for
every module it has imported. ``benchmarks/footprint.py`` measures the whole process in
a real desktop but cannot say where the memory goes; this script says which imports
cost what, so that making one lazy (or dropping it) can be measured before and after,
in seconds rather than minutes.

How: it starts ``deskbreak run`` exactly as ``python -m deskbreak run`` would (runpy,
then deskbreak/__main__.py), headless, in an empty temporary home, in a fresh child
interpreter that first wraps the import system's ``_load_unlocked`` (the one place every
module is executed). For each module it records the growth of the resident set, of its
anonymous part (/proc/self/statm) and, in a second run, of the memory Python's
allocator traces (tracemalloc), then subtracts what the modules it imported in turn
cost: each module is charged its own cost only. Once the daemon's control channel
answers and a few seconds have passed (it loads its notifier and sensors lazily after
starting), the child takes its final figures and stops the daemon with SIGTERM.

Caveats: RSS grows by whole pages and by allocator arenas, so one module's marginal
RSS is noisy; group totals and the sum are what to compare (tracemalloc's figures are
steady to a few KiB). Headless (``--no-tray``), the daemon loads no tray and no X11
idle source; ``--display`` keeps this shell's display and session bus and the tray, and
so measures those too, but then starts a second deskbreak on that desktop for a few
seconds. The deskbreak measured is the one beside this script (PYTHONPATH), so a second
checkout can be compared with this one (keep both at paths of the same length: path
strings are in every code object). Measure twice after an edit: a module compiled from
source, before its .pyc is written, leaves the run's RSS about 1 MiB higher.

The child must import nothing of its own before it measures, so this file's top level
imports only ``os`` and ``sys`` (already loaded by every interpreter) and the child uses
the C modules ``_signal`` and ``_tracemalloc`` directly.
"""

from __future__ import annotations

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHILD_FLAG = "--child"
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
TRACE_FRAMES = 40  # deep enough to reach the deskbreak line under asyncio and importlib


# --- the child: runs the daemon and measures it (keep it free of imports) -----------------


def _statm() -> tuple[int, int]:
    """(resident, anonymous-ish) bytes of this process: statm's resident minus shared."""
    fd = os.open("/proc/self/statm", os.O_RDONLY)
    try:
        fields = os.read(fd, 256).split()
    finally:
        os.close(fd)
    resident, shared = int(fields[1]), int(fields[2])
    return resident * PAGE, (resident - shared) * PAGE


def _importer(package_dir: str) -> str:
    """The deskbreak line (``deskbreak.config:17``) whose import led to this one, if any."""
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith(package_dir):
            return f"{frame.f_globals.get('__name__', '?')}:{frame.f_lineno}"
        frame = frame.f_back
    return "-"


def _child(out_path: str, trace: bool, settle: float, timeout: float, tray: bool) -> None:
    """Run ``deskbreak run`` under the import meter; write the figures to ``out_path``."""
    # Only what every interpreter has loaded already, C modules, and what `python -m`
    # itself loads before deskbreak (runpy): none of it is deskbreak's cost.
    import _frozen_importlib as bootstrap  # the import system itself
    import _signal
    import _tracemalloc
    import runpy
    import time

    package_dir = os.path.join(ROOT, "deskbreak") + os.sep
    baseline = {name for name, module in sys.modules.items() if module is not None}
    if trace:
        _tracemalloc.start(TRACE_FRAMES)

    def measure() -> tuple[int, int, int, float]:
        rss, anon = _statm()
        traced = _tracemalloc.get_traced_memory()[0] if trace else 0
        return rss, anon, traced, time.perf_counter()

    original = bootstrap._load_unlocked
    stack: list[list[float]] = []  # per import in progress: what its children cost
    records: dict[str, list[object]] = {}
    start = measure()

    def load_unlocked(spec: object) -> object:
        name = str(getattr(spec, "name", "?"))
        importer = _importer(package_dir)
        before = measure()
        stack.append([0.0, 0.0, 0.0, 0.0])
        try:
            return original(spec)
        finally:
            children = stack.pop()
            after = measure()
            inclusive = [after[i] - before[i] for i in range(4)]
            if stack:
                for i in range(4):
                    stack[-1][i] += inclusive[i]
            own = [inclusive[i] - children[i] for i in range(4)]
            records[name] = [importer, *own]

    bootstrap._load_unlocked = load_unlocked
    runtime = os.path.join(os.environ["XDG_RUNTIME_DIR"], "deskbreak", "control.sock")
    began = time.monotonic()
    final: dict[str, object] = {}
    ready: list[float] = []

    def on_alarm(signum: int, frame: object) -> None:
        now = time.monotonic()
        if not ready and os.path.exists(runtime):
            ready.append(now)
        if not ready and now - began < timeout:
            _signal.setitimer(_signal.ITIMER_REAL, 0.1)
            return
        if ready and now < ready[0] + settle:
            _signal.setitimer(_signal.ITIMER_REAL, ready[0] + settle - now)
            return
        bootstrap._load_unlocked = original
        end = measure()
        final["ready"] = bool(ready)
        final["start"] = list(start)
        final["end"] = list(end)
        final["modules"] = sorted(name for name, module in sys.modules.items()
                                  if module is not None)
        final["baseline"] = sorted(baseline)
        final["records"] = dict(records)
        if trace:
            final["allocations"] = _live_by_line(package_dir)
        os.kill(os.getpid(), _signal.SIGTERM)  # the daemon's own clean stop

    _signal.signal(_signal.SIGALRM, on_alarm)
    _signal.setitimer(_signal.ITIMER_REAL, 0.1)
    sys.argv = ["deskbreak", "run"] if tray else ["deskbreak", "run", "--no-tray"]
    try:
        runpy.run_module("deskbreak", run_name="__main__", alter_sys=True)
    except SystemExit as exc:  # deskbreak/__main__.py exits with the daemon's status
        final["exit"] = exc.code
    _signal.setitimer(_signal.ITIMER_REAL, 0)
    if trace:
        _tracemalloc.stop()
    import json

    with open(out_path, "w", encoding="utf-8") as out:
        json.dump(final, out)


def _live_by_line(package_dir: str) -> dict[str, int]:
    """Live traced bytes, each charged to the innermost deskbreak line on its traceback
    (``-`` when none: the interpreter's start, or a thread of a library)."""
    import _tracemalloc

    totals: dict[str, int] = {}
    for trace in _tracemalloc._get_traces():
        size, frames = trace[1], trace[2]
        key = "-"
        for filename, lineno in frames:  # innermost first
            if filename.startswith(package_dir):
                key = f"{filename[len(package_dir):]}:{lineno}"
                break
        totals[key] = totals.get(key, 0) + size
    return totals


# --- the parent: starts the children and reports ----------------------------------------


def _run_child(trace: bool, settle: float, timeout: float, display: bool) -> dict[str, object]:
    import json
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="deskbreak-imports-") as tmp:
        env = dict(os.environ)
        if not display:
            for name in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS",
                         "XDG_SESSION_TYPE"):
                env.pop(name, None)
        env.pop("DESKBREAK_CONFIG", None)
        for var, name in (("HOME", "home"), ("XDG_CONFIG_HOME", "config"),
                          ("XDG_STATE_HOME", "state"), ("XDG_DATA_HOME", "data"),
                          ("XDG_RUNTIME_DIR", "runtime")):
            os.mkdir(os.path.join(tmp, name), 0o700)
            env[var] = os.path.join(tmp, name)
        env["PYTHONPATH"] = os.pathsep.join([ROOT, *filter(None, [env.get("PYTHONPATH")])])
        out = os.path.join(tmp, "figures.json")
        argv = [sys.executable, os.path.abspath(__file__), CHILD_FLAG, out,
                "trace" if trace else "rss", str(settle), str(timeout),
                "tray" if display else "no-tray"]
        result = subprocess.run(argv, env=env, cwd=tmp, stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, timeout=timeout + settle + 60,
                                check=False)
        if not os.path.exists(out):
            raise SystemExit(f"the daemon did not run to the measurement (exit "
                             f"{result.returncode}):\n{result.stdout}{result.stderr}")
        with open(out, encoding="utf-8") as handle:
            figures: dict[str, object] = json.load(handle)
        if not figures.get("ready"):
            raise SystemExit("the daemon never opened its control channel:\n"
                             f"{result.stdout}{result.stderr}")
        return figures


def _group(name: str, importer: str, by: str) -> str:
    if by == "module":
        return name
    top = name.split(".")[0]
    if by == "importer":
        return ".".join(name.split(".")[:2]) if top == "deskbreak" else importer
    return ".".join(name.split(".")[:2]) if top == "deskbreak" else top


def _source_line(importer: str) -> str:
    """``deskbreak.config:17`` -> that line of the source, for the report."""
    import linecache

    module, _, line = importer.rpartition(":")
    if not module.startswith("deskbreak") or not line.isdigit():
        return ""
    path = os.path.join(ROOT, *module.split(".")) + ".py"
    if not os.path.exists(path):
        path = os.path.join(ROOT, *module.split("."), "__init__.py")
    return linecache.getline(path, int(line)).strip()


def report(rss: dict[str, object], traced: dict[str, object], by: str, top: int,
           allocations: int) -> dict[str, object]:
    """Per group: modules, own RSS, anonymous and traced bytes, import time; and totals."""
    rss_records: dict[str, list[float]] = rss["records"]  # type: ignore[assignment]
    traced_records: dict[str, list[float]] = traced["records"]  # type: ignore[assignment]
    groups: dict[str, dict[str, float]] = {}
    names: dict[str, list[str]] = {}
    for name, (importer, own_rss, own_anon, _, own_s) in rss_records.items():
        key = _group(name, str(importer), by)
        group = groups.setdefault(key, {"modules": 0, "rss": 0.0, "anon": 0.0,
                                        "traced": 0.0, "ms": 0.0})
        names.setdefault(key, []).append(name)
        group["modules"] += 1
        group["rss"] += own_rss
        group["anon"] += own_anon
        group["ms"] += own_s * 1000
        if name in traced_records:
            group["traced"] += traced_records[name][3]
    rows = sorted(groups.items(), key=lambda item: (-item[1]["rss"], -item[1]["traced"]))
    start, end = rss["start"], rss["end"]
    modules: list[str] = rss["modules"]  # type: ignore[assignment]
    baseline: list[str] = rss["baseline"]  # type: ignore[assignment]
    imported = sum(g["rss"] for g in groups.values())
    return {
        "by": by,
        "groups": [{"group": name, **figures, "names": sorted(names[name])}
                   for name, figures in rows[:top or None]],
        "others": [{"group": name, **figures, "names": sorted(names[name])}
                   for name, figures in rows[top:]] if top else [],
        "modules_total": len(modules),
        "modules_before_deskbreak": len(baseline),
        "modules_imported": len(rss_records),
        "rss_start": start[0], "rss_end": end[0],  # type: ignore[index]
        "anon_end": end[1],  # type: ignore[index]
        "imports_rss": imported,
        "imports_traced": sum(g["traced"] for g in groups.values()),
        "traced_end": traced["end"][2],  # type: ignore[index]
        "allocations": sorted(traced.get("allocations", {}).items(),  # type: ignore[union-attr]
                              key=lambda item: -item[1])[:allocations],
    }


def render(data: dict[str, object]) -> str:
    """The report as text: a table of groups, then the totals."""
    kib = 1024.0
    lines = [f"{'group (' + str(data['by']) + ')':<44} {'mods':>5} {'RSS KiB':>8} "
             f"{'anon KiB':>8} {'traced KiB':>10} {'ms':>6}"]
    groups: list[dict[str, object]] = data["groups"]  # type: ignore[assignment]
    others: list[dict[str, object]] = data["others"]  # type: ignore[assignment]
    for row in groups:
        label = str(row["group"])
        if data["by"] == "importer" and ":" in label:
            label = f"{label} {_source_line(label)}"
        lines.append(f"{label[:44]:<44} {row['modules']:>5} {row['rss'] / kib:>8.0f} "
                     f"{row['anon'] / kib:>8.0f} {row['traced'] / kib:>10.0f} "
                     f"{row['ms']:>6.1f}")
        if data.get("imported") and int(row["modules"]) > 1:  # type: ignore[call-overload]
            lines.append(f"    {' '.join(row['names'])}")  # type: ignore[arg-type]
    if others:
        lines.append(f"{f'({len(others)} more groups)':<44} "
                     f"{sum(int(r['modules']) for r in others):>5} "  # type: ignore[call-overload]
                     f"{sum(float(r['rss']) for r in others) / kib:>8.0f} "  # type: ignore[arg-type]
                     f"{sum(float(r['anon']) for r in others) / kib:>8.0f} "  # type: ignore[arg-type]
                     f"{sum(float(r['traced']) for r in others) / kib:>10.0f}")  # type: ignore[arg-type]
    mib = kib * kib
    lines += [
        "",
        f"modules: {data['modules_total']} in sys.modules at idle; "
        f"{data['modules_before_deskbreak']} before deskbreak (interpreter, site, runpy), "
        f"{data['modules_imported']} imported by `deskbreak run`",
        f"RSS: {float(data['rss_start']) / mib:.1f} MiB before deskbreak, "  # type: ignore[arg-type]
        f"{float(data['rss_end']) / mib:.1f} MiB at idle (anonymous "  # type: ignore[arg-type]
        f"{float(data['anon_end']) / mib:.1f}); imports' own share "  # type: ignore[arg-type]
        f"{float(data['imports_rss']) / mib:.1f} MiB",  # type: ignore[arg-type]
        f"traced by tracemalloc: imports {float(data['imports_traced']) / mib:.2f} MiB, "  # type: ignore[arg-type]
        f"all live at idle {float(data['traced_end']) / mib:.2f} MiB",  # type: ignore[arg-type]
    ]
    allocations: list[tuple[str, int]] = data["allocations"]  # type: ignore[assignment]
    if allocations:
        lines += ["", "live traced memory at idle, by the innermost deskbreak line on its stack:"]
        lines += [f"{size / kib:>8.0f} KiB  {where}" for where, size in allocations]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure twice (RSS without tracemalloc, then traced), print one report."""
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--by", choices=("top", "importer", "module"), default="top",
                        help="group by top-level package (deskbreak by subpackage), by the "
                             "deskbreak line whose import pulled it in, or not at all")
    parser.add_argument("--top", type=int, default=30, help="groups shown (0: all)")
    parser.add_argument("--allocations", type=int, default=0, metavar="N",
                        help="also the N deskbreak lines holding the most live memory")
    parser.add_argument("--settle", type=float, default=3.0,
                        help="seconds after the control channel answers (default 3)")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--display", action="store_true",
                        help="keep this shell's DISPLAY and session bus, and the tray (starts "
                             "a second deskbreak on your desktop for a few seconds)")
    parser.add_argument("--modules", action="store_true",
                        help="also name each group's modules")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rss = _run_child(False, args.settle, args.timeout, args.display)
    traced = _run_child(True, args.settle, args.timeout, args.display)
    data = report(rss, traced, args.by, args.top, args.allocations)
    if args.modules:
        data["imported"] = sorted(rss["records"])  # type: ignore[arg-type]
    print(json.dumps(data, indent=1) if args.json else render(data))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 7 and sys.argv[1] == CHILD_FLAG:
        _child(sys.argv[2], sys.argv[3] == "trace", float(sys.argv[4]), float(sys.argv[5]),
               sys.argv[6] == "tray")
    else:
        sys.exit(main())
