"""What a process tree costs, read from /proc (Linux): memory, CPU time, context switches.

A "tree" is a process, its descendants, and anything else still in its session (so a
child that daemonized away from its parent is still counted). Everything here is a
plain read of /proc: sampling does not wake the processes being measured.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
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
    uss_kib: int  # private pages: what quitting the program would give back
    reaped_ticks: int  # cutime + cstime: CPU of children that exited and were waited for
    run_ns: dict[int, int]  # thread id -> time on CPU so far (schedstat), nanoseconds
    switches: dict[int, int]  # thread id -> voluntary + nonvoluntary context switches
    anon_kib: int = 0  # anonymous memory: private whoever else runs the same libraries

    @property
    def threads(self) -> int:
        return len(self.switches)


def sample(root: int, at: float) -> Sample:
    """Read memory, CPU and context switches of `root`'s tree now."""
    pids = tree(root)
    pss = rss = uss = anon = reaped = 0
    run_ns: dict[int, int] = {}
    switches: dict[int, int] = {}
    for pid in pids:
        rollup = _read(PROC / str(pid) / "smaps_rollup") or ""
        for line in rollup.splitlines():
            key, _, rest = line.partition(":")
            if key == "Pss":
                pss += int(rest.split()[0])
            elif key == "Rss":
                rss += int(rest.split()[0])
            elif key in ("Private_Clean", "Private_Dirty"):
                uss += int(rest.split()[0])
            elif key == "Anonymous":
                anon += int(rest.split()[0])
        fields = _stat_fields(pid)
        if fields is not None:
            reaped += int(fields[13]) + int(fields[14])  # cutime cstime
        for tid in _threads(pid):
            task = PROC / str(pid) / "task" / str(tid)
            schedstat = _read(task / "schedstat")
            status = _read(task / "status")
            if schedstat is None or status is None:
                continue
            run_ns[tid] = int(schedstat.split()[0])
            switches[tid] = sum(
                int(line.split()[1]) for line in status.splitlines()
                if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"))
            )
    return Sample(at, tuple(pids), pss, rss, uss, reaped, run_ns, switches, anon)


def _growth(first: dict[int, int], last: dict[int, int]) -> int:
    """Sum over the threads alive at `last` of what they added since `first`.

    A thread born in between counts from zero. One that died in between is lost (the
    kernel keeps no per-thread count after exit), so the figure is a lower bound; the
    reaped-children term in `cpu_seconds` recovers CPU of whole processes that exited.
    """
    return sum(n - first.get(tid, 0) for tid, n in last.items())


def switches_between(first: Sample, last: Sample) -> int:
    """Context switches (each one a sleep and a wake-up, or a preemption) in between."""
    return _growth(first.switches, last.switches)


def cpu_seconds(first: Sample, last: Sample) -> float:
    """CPU time the tree used in between, to the nanosecond for live threads.

    utime/stime in /proc/PID/stat tick at 10 ms, too coarse for a program that should
    use a few milliseconds a minute; schedstat counts nanoseconds.
    """
    reaped = max(0, last.reaped_ticks - first.reaped_ticks) / CLK_TCK
    return _growth(first.run_ns, last.run_ns) / 1e9 + reaped


def stop_group(proc: subprocess.Popen[bytes]) -> None:
    """TERM the process group a benchmark started, then KILL whatever is left after 5 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def interpreter_files(pid: int) -> set[str]:
    """The files of `pid`'s interpreter it maps: its executable and any libpython."""
    files = set()
    for line in (_read(PROC / str(pid) / "maps") or "").splitlines():
        path = line.split(maxsplit=5)[5].strip() if len(line.split(maxsplit=5)) > 5 else ""
        if "libpython" in path.rsplit("/", 1)[-1]:
            files.add(path)
    with contextlib.suppress(OSError):
        files.add(os.readlink(PROC / str(pid) / "exe"))
    return files


def sharers(pid: int) -> list[int]:
    """Other processes that map any of `pid`'s interpreter files right now.

    Each one lowers `pid`'s PSS and USS for those pages (a page two processes map is
    shared, not private): the figures are fair only when this list is empty.
    """
    wanted = interpreter_files(pid)
    found = []
    for other in all_pids():
        if other == pid or not wanted:
            continue
        maps = _read(PROC / str(other) / "maps") or ""
        if any(path in maps for path in wanted):
            found.append(other)
    return found


def smaps_top(pid: int, count: int = 12) -> list[tuple[str, int, int]]:
    """Where a process's resident memory is: (mapping, RSS KiB, private KiB), largest first.

    Mappings of one file are added up under its name; anonymous ones under "[anon]"
    (heap, arenas, stacks), so the list reads as "the interpreter's objects, then each
    library". A plain read of /proc/PID/smaps: it does not wake the process.
    """
    totals: dict[str, list[int]] = {}
    name = "[anon]"
    for line in (_read(PROC / str(pid) / "smaps") or "").splitlines():
        first = line.split(maxsplit=5)
        if first and "-" in first[0] and len(first) >= 5 and ":" not in first[0]:
            path = first[5].strip() if len(first) > 5 else ""
            name = "[anon]" if not path or path in ("[heap]", "[stack]") or \
                path.startswith("[anon") else path
            totals.setdefault(name, [0, 0])
        elif line.startswith("Rss:"):
            totals[name][0] += int(line.split()[1])
        elif line.startswith(("Private_Clean:", "Private_Dirty:")):
            totals[name][1] += int(line.split()[1])
    ranked = sorted(totals.items(), key=lambda kv: -kv[1][0])
    return [(n, rss, private) for n, (rss, private) in ranked[:count]]


if __name__ == "__main__":  # python3 _proc.py PID: the top mappings, for a look by hand
    import sys

    for mapping, rss, private in smaps_top(int(sys.argv[1]), 25):
        print(f"{rss / 1024:7.2f} MiB RSS {private / 1024:7.2f} private  {mapping}")
