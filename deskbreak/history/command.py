"""``deskbreak stats``: read the history, print or export the statistics, draw, forget.

It runs in the command's own process, with or without a daemon: reading needs only the
file, and deleting goes through SQLite so a running daemon keeps recording into it.
matplotlib is imported only when a chart is asked for.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from deskbreak import paths
from deskbreak.core import stats
from deskbreak.errors import DeskbreakError
from deskbreak.history import report, store
from deskbreak.history.output import writing

CHART_TYPES = (".png", ".svg")


def history_file() -> Path:
    """Where the daemon records; looking it up creates nothing (a read-only home works)."""
    return paths.state_dir(create=False) / store.FILE_NAME


def run(args: argparse.Namespace, out: Output) -> int:
    if args.forget:
        return _forget(args, out)
    if args.yes:
        raise DeskbreakError("--yes only goes with --forget")
    if args.open and not args.chart:
        raise DeskbreakError("--open only goes with --chart FILE")
    for option, value in (("--csv", args.csv), ("--chart", args.chart)):
        if value is not None and not value.strip():
            raise DeskbreakError(f"{option} needs a file name")
    if args.json and args.csv == "-":
        raise DeskbreakError("--json and --csv - would both go to standard output; "
                             "give --csv a file")
    chart = Path(args.chart) if args.chart is not None else None
    if chart is not None and chart.suffix.lower() not in CHART_TYPES:
        raise DeskbreakError(f"--chart: {args.chart!r} must end in .png or .svg")
    path = history_file()
    today = dt.date.today()
    first, last = stats.date_range(today, days=args.days, week=args.week, month=args.month)
    try:
        records = store.load(path)
    except store.Damaged as exc:
        raise store.HistoryError(f"{exc}; `deskbreak run` sets it aside and starts a new "
                                 "one") from None
    result = stats.report(records, first, last, today)
    if args.json:
        out.json(report.to_json(result, first, last, str(path)))
    if args.csv is not None:
        _write(args.csv, report.to_csv(result), out)
    if chart is not None:
        _chart(result, chart, today, args.open, out)
    if not (args.json or args.csv is not None or chart):
        if out.interactive():
            out.text(report.text(result, _title(first, last, args), str(path)))
        else:
            out.text(report.tsv(result))
    return 0


def _title(first: dt.date, last: dt.date, args: argparse.Namespace) -> str:
    what = "This week" if args.week else "This month" if args.month else \
        f"The last {(last - first).days + 1} days" if first != last else "Today"
    return f"{what}: {first:%a %d %b} to {last:%a %d %b %Y}" if first != last else \
        f"{what}: {last:%a %d %b %Y}"


def _write(target: str, content: str, out: Output) -> None:
    if target == "-":
        out.text(content.rstrip("\n"))
        return
    try:
        with writing(Path(target)) as stream:
            stream.write(content.encode("utf-8"))
    except OSError as exc:
        raise DeskbreakError(f"cannot write {target}: {exc.strerror or exc}") from None
    out.note(f"Wrote {len(content.splitlines()) - 1} days to {target}")


def _chart(result: stats.Report, path: Path, today: dt.date, open_it: bool,
           out: Output) -> None:
    from deskbreak.history import chart

    try:
        chart.draw(result, path, today)
    except OSError as exc:
        raise DeskbreakError(f"cannot write {path}: {exc.strerror or exc}") from None
    out.note(f"Chart written to {path}")
    if open_it:
        from deskbreak.opener import open_file

        problem = open_file(path)
        if problem:
            raise DeskbreakError(problem)


def _forget(args: argparse.Namespace, out: Output) -> int:
    if args.json or args.csv or args.chart or args.open or args.days or args.week \
            or args.month:
        raise DeskbreakError("--forget goes alone (with --yes at most)")
    path = history_file()
    try:
        records, damaged = store.load(path), False
    except store.Damaged:
        records, damaged = [], True
    asides = sorted(path.parent.glob(f"{path.name}.corrupt-*"))
    if not records and not asides and not damaged:
        out.text("There is no history to delete.")
        return 0
    since = f" since {records[0].local:%a %d %b %Y}" if records else ""
    what = f"all {len(records)} records of your break history{since}" if not damaged else \
        f"the damaged history file {path}"
    if asides:
        what += f" and {len(asides)} damaged {'copy' if len(asides) == 1 else 'copies'} set aside"
    if not args.yes:
        if not out.can_ask():
            raise DeskbreakError("stats --forget asks before deleting; add --yes to delete "
                                 "without asking")
        if not out.ask(f"Delete {what}, for good? [y/N] "):
            out.text("Nothing deleted.")
            return 1
    store.forget(path)
    out.text(f"Deleted {what}.")
    return 0


class Output:
    """Where the command's words go; the CLI gives the real terminal, tests a fake."""

    def text(self, line: str) -> None:
        sys.stdout.write(line + "\n")

    def note(self, line: str) -> None:
        """A confirmation a person wants and a script does not: only on a terminal."""
        if self.interactive():
            self.text(line)

    def json(self, data: object) -> None:
        import json

        self.text(json.dumps(data, indent=2, ensure_ascii=False))

    def interactive(self) -> bool:
        return sys.stdout is not None and sys.stdout.isatty()

    def can_ask(self) -> bool:
        return sys.stdin is not None and sys.stdin.isatty()

    def ask(self, question: str) -> bool:
        try:
            answer = input(question)
        except EOFError:
            return False
        return answer.strip().lower() in ("y", "yes")
