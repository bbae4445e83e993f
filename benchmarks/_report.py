"""What every benchmark report carries: the machine, the versions, and a plain-text table."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _debian_version(package: str) -> str | None:
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package],
                             capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return None
    return out.stdout.strip() or None


def _commit() -> str:
    """The commit measured, with "+changes" when deskbreak/ differs from it.

    A tree exported from git (to measure one commit while the work tree moves on) has
    no history: DESKBREAK_BENCH_COMMIT then says which commit it is.
    """
    if os.environ.get("DESKBREAK_BENCH_COMMIT"):
        return os.environ["DESKBREAK_BENCH_COMMIT"]
    root = Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=10, check=False)
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--",
                                "deskbreak"], capture_output=True, text=True, timeout=10,
                               check=False)
    except OSError:
        return "unknown"
    return (head.stdout.strip() or "unknown") + ("+changes" if dirty.stdout.strip() else "")


def machine() -> dict[str, Any]:
    """Enough about the machine and software to tell two reports apart."""
    try:
        deskbreak = metadata.version("deskbreak")
    except metadata.PackageNotFoundError:
        deskbreak = "source tree"
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "versions": {
            "deskbreak": deskbreak,
            "workrave": _debian_version("workrave"),
            "safeeyes": _debian_version("safeeyes"),
            "xwrits": _debian_version("xwrits"),
            "rsibreak": _debian_version("rsibreak"),
            "dunst": _debian_version("dunst"),
            "xvfb": _debian_version("xvfb"),
        },
        "command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
    }


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table, aligned so it also reads well in a terminal."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))) + " |"

    rule = "|" + "|".join(
        "-" * (w + 1) + ("-" if i == 0 else ":") for i, w in enumerate(widths)) + "|"
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def emit(report: dict[str, Any], text: str, *, as_json: bool, output: Path | None) -> None:
    """Print the report (as JSON or as text) and optionally keep the JSON in a file."""
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2) if as_json else text)
