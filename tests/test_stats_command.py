"""``deskbreak stats`` as a person and a script see it: the table with bars on a terminal,
TSV in a pipe, stable JSON and CSV, and a --forget that asks first."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from deskbreak import arguments
from deskbreak.core.history import Record
from deskbreak.history import command, store


class Screen(command.Output):
    def __init__(self, *, tty: bool = True, answer: str | None = None) -> None:
        self.lines: list[str] = []
        self.tty, self.answer = tty, answer
        self.asked: list[str] = []

    def text(self, line: str) -> None:
        self.lines.append(line)

    def interactive(self) -> bool:
        return self.tty

    def can_ask(self) -> bool:
        return self.answer is not None

    def ask(self, question: str) -> bool:
        self.asked.append(question)
        return self.answer == "y"

    @property
    def out(self) -> str:
        return "\n".join(self.lines)


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    arguments.stats(parser)
    return parser.parse_args(argv)


@pytest.fixture
def history() -> Path:
    """Today: two breaks, one done; yesterday: one skipped."""
    today = dt.datetime.combine(dt.date.today(), dt.time(10, 0))
    yesterday = today - dt.timedelta(days=1)
    command.history_file().parent.mkdir(parents=True, exist_ok=True)
    conn = store.connect(command.history_file(), write=True)
    store.insert(conn, [
        Record("shown", yesterday, exercise="b"), Record("skipped", yesterday, exercise="b"),
        Record("sat", today, seconds=1800.0), Record("shown", today, exercise="a"),
        Record("started", today, exercise="a"), Record("completed", today, exercise="a",
                                                       fraction=1.0),
        Record("shown", today, exercise="c"),
        Record("ignored", today, exercise="c", detail="next break"),
    ])
    conn.close()
    return command.history_file()


def test_a_terminal_gets_the_table_with_bars_and_the_totals(history: Path) -> None:
    screen = Screen()
    assert command.run(parse(), screen) == 0
    assert screen.out.startswith("The last 7 days: ")
    table = screen.out.splitlines()
    row = next(line for line in table if line.startswith(f"{dt.date.today():%a} "))
    assert row.split()[3:5] == ["2", "1"]  # breaks, done
    assert "50%" in row and "█" in row and "░" in row
    assert "Done: 1 of 3 breaks due (33%)" in screen.out
    assert "Most done: a (1)." in screen.out


def test_a_pipe_gets_only_tab_separated_numbers(history: Path) -> None:
    screen = Screen(tty=False)
    command.run(parse("--days", "2"), screen)
    rows = list(csv.reader(io.StringIO(screen.out), delimiter="\t"))
    assert rows[0][:4] == ["date", "breaks", "completed", "started"]
    assert [r[0] for r in rows[1:]] == [
        (dt.date.today() - dt.timedelta(days=1)).isoformat(), dt.date.today().isoformat()]
    assert rows[2][1:3] == ["2", "1"] and "█" not in screen.out


def test_json_is_stable_for_scripts(history: Path) -> None:
    screen = Screen(tty=False)
    command.run(parse("--json", "--days", "1"), screen)
    data = json.loads(screen.out)
    assert data["version"] == 1
    (day,) = data["days"]
    assert day["date"] == dt.date.today().isoformat()
    assert (day["breaks"], day["completed"], day["ignored"], day["due"], day["done"],
            day["adherence"], day["active_seconds"]) == (2, 1, 1, 2, 1, 0.5, 1800)
    assert data["most_done"] == [{"id": "a", "shown": 1, "completed": 1}]


def test_csv_goes_to_the_file_named(history: Path, tmp_path: Path) -> None:
    target = tmp_path / "breaks.csv"
    screen = Screen()
    command.run(parse("--csv", str(target), "--week"), screen)
    rows = list(csv.DictReader(target.open()))
    assert rows[-1]["date"] == dt.date.today().isoformat() and rows[-1]["completed"] == "1"
    assert screen.lines == [f"Wrote {len(rows)} days to {target}"]


def test_forget_asks_and_does_nothing_without_a_yes(history: Path) -> None:
    screen = Screen(answer="n")
    assert command.run(parse("--forget"), screen) == 1
    assert "Delete all 8 records of your break history since" in screen.asked[0]
    assert len(store.load(history)) == 8


def test_forget_without_a_terminal_needs_yes(history: Path) -> None:
    with pytest.raises(command.DeskbreakError, match="add --yes"):
        command.run(parse("--forget"), Screen())
    assert len(store.load(history)) == 8
    assert command.run(parse("--forget", "--yes"), Screen()) == 0
    assert store.load(history) == []


@pytest.mark.parametrize("argv", [("--yes",), ("--open",), ("--chart", "x.gif"),
                                  ("--forget", "--json")])
def test_options_that_do_not_go_together_are_one_line_errors(argv: tuple[str, ...]) -> None:
    with pytest.raises(command.DeskbreakError) as caught:
        command.run(parse(*argv), Screen())
    assert "\n" not in str(caught.value)


def test_no_history_yet_says_so(tmp_path: Path) -> None:
    screen = Screen()
    command.run(parse(), screen)
    assert "No history yet" in screen.out
