"""What a process tree costs, read from /proc (Linux): memory, CPU time, context switches.

A "tree" is a process, its descendants, and anything else still in its session (so a
child that daemonized away from its parent is still counted). Everything here is a
plain read of /proc: sampling does not wake the processes being measured.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
CLK_TCK = os.sysconf("SC_CLK_TCK")


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None  # the process or thread is gone, or was never ours to read


def _stat_fields(pid: int) -> list[str] | None:
    """/proc/PID/stat fields from `state` on (the command name may hold spaces)."""
    text = _read(PROC / str(pid) / "stat")
    return None if text is None else text[text.rindex(")") + 2 :].split()


def tree(root: int) -> list[int]:
    """`root`, its descendants and the rest of its session, as a sorted pid list."""
    parents: dict[int, int] = {}
    sessions: dict[int, int] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (fields := _stat_fields(int(entry.name))) is not None:
            parents[int(entry.name)] = int(fields[1])  # ppid
            sessions[int(entry.name)] = int(fields[3])  # session id
    if root not in parents:
        return []
    found = {root} | {pid for pid, sid in sessions.items() if sid == sessions[root]}
    grew = True
    while grew:
        children = {pid for pid, ppid in parents.items() if ppid in found} - found
        found |= children
        grew = bool(children)
    return sorted(found)


def cmdline(pid: int) -> list[str]:
    """The argument vector of `pid` ([] for a kernel thread or a vanished process)."""
    text = _read(PROC / str(pid) / "cmdline")
    return [] if not text else text.rstrip("\0").split("\0")


def all_pids() -> list[int]:
    return [int(e.name) for e in PROC.iterdir() if e.name.isdigit()]


def _threads(pid: int) -> list[int]:
    try:
        return [int(t.name) for t in (PROC / str(pid) / "task").iterdir()]
    except (FileNotFoundError, ProcessLookupError):
        return []


@dataclass(frozen=True)
class Sample:
    """One reading of a whole tree at monotonic time `at`."""

    at: float
    pids: tuple[int, ...]
    pss_kib: int
    rss_kib: int
    cpu_ticks: int  # utime + stime + cutime + cstime over the tree, in CLK_TCK ticks
    run_ns: int  # time on CPU of every live thread (schedstat), nanoseconds
    switches: dict[int, int]  # thread id -> voluntary + nonvoluntary context switches

    @property
    def threads(self) -> int:
        return len(self.switches)


def sample(root: int, at: float) -> Sample:
    """Read memory, CPU and context switches of `root`'s tree now."""
    pids = tree(root)
    pss = rss = ticks = run_ns = 0
    switches: dict[int, int] = {}
    for pid in pids:
        rollup = _read(PROC / str(pid) / "smaps_rollup") or ""
        for line in rollup.splitlines():
            key, _, rest = line.partition(":")
            if key in ("Pss", "Rss"):
                kib = int(rest.split()[0])
                pss, rss = (pss + kib, rss) if key == "Pss" else (pss, rss + kib)
        fields = _stat_fields(pid)
        if fields is not None:
            ticks += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
        for tid in _threads(pid):
            task = PROC / str(pid) / "task" / str(tid)
            schedstat = _read(task / "schedstat")
            status = _read(task / "status")
            if schedstat is None or status is None:
                continue
            run_ns += int(schedstat.split()[0])
            switches[tid] = sum(
                int(line.split()[1]) for line in status.splitlines()
                if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"))
            )
    return Sample(at, tuple(pids), pss, rss, ticks, run_ns, switches)


def switches_between(first: Sample, last: Sample) -> int:
    """Context switches in (first, last] of the threads alive at `last`.

    A thread born in between counts from zero; one that died in between is lost (the
    kernel keeps no per-thread count after exit), so this is a lower bound.
    """
    return sum(n - first.switches.get(tid, 0) for tid, n in last.switches.items())
