"""Each subcommand's arguments, kept apart from the code that runs it.

argparse needs every subcommand's arguments to parse any command line, ``deskbreak run``
included; importing the commands themselves for that would load statistics, reports and
the guide into the always-running daemon, which never uses them. So the arguments live
here, import-cheap, and each command module is imported only when it runs.
"""

from __future__ import annotations

import argparse

MAX_DAYS = 3660  # `stats --days`: ten years of history at most


def days_arg(text: str) -> int:
    """``--days N``: a whole number of days, 1 to MAX_DAYS (argparse turns the error into
    one line)."""
    try:
        days = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of days, got {text!r}") from None
    if not 1 <= days <= MAX_DAYS:
        raise argparse.ArgumentTypeError(f"{days} is out of range (1 to {MAX_DAYS} days)")
    return days


def size_arg(text: str) -> int:
    """A picture's size in pixels: below 64 a figure is a smudge, and above 2048 it is
    painted at twice that (about 70 MB of memory) for no sharper a print."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected whole pixels, got {text!r}") from None
    if not 64 <= value <= 2048:
        raise argparse.ArgumentTypeError(f"expected 64 to 2048 pixels, got {value}")
    return value


def stats(parser: argparse.ArgumentParser) -> None:
    """`deskbreak stats`."""
    span = parser.add_mutually_exclusive_group()
    span.add_argument("--days", type=days_arg, metavar="N", help="the last N days (default 7)")
    span.add_argument("--week", action="store_true", help="this week, since Monday")
    span.add_argument("--month", action="store_true", help="this month, since the 1st")
    parser.add_argument("--json", action="store_true", help="machine-readable, to stdout")
    parser.add_argument("--csv", metavar="FILE", help="one row per day, to FILE (- for stdout)")
    parser.add_argument("--chart", metavar="FILE",
                        help="draw the week and a calendar of the last months to FILE "
                             "(.png or .svg)")
    parser.add_argument("--open", action="store_true",
                        help="with --chart: open the picture in the desktop's viewer")
    parser.add_argument("--forget", action="store_true",
                        help="delete the whole history, for good (asks first)")
    parser.add_argument("--yes", action="store_true", help="with --forget: do not ask")


def guide(parser: argparse.ArgumentParser) -> None:
    """`deskbreak guide`."""
    parser.add_argument("id", nargs="*", help="an exercise id, or several to play one "
                                              "after the other (default: the break on "
                                              "screen, or the next one)")
    parser.add_argument("--walk", action="store_true",
                        help="end with a minute's walk, as every second trip break does")
    parser.add_argument("--terminal", action="store_true",
                        help="count down in the terminal instead of a window")
    parser.add_argument("--sound", action="store_true",
                        help="a gentle sound at each change of step")
    parser.add_argument("--report", action="store_true", help=argparse.SUPPRESS)


def autostart(autostart: argparse.ArgumentParser,
                  install_desktop: argparse.ArgumentParser) -> None:
    """`deskbreak autostart` and `deskbreak install-desktop`."""
    autostart.add_argument("action", choices=("on", "off", "status"),
                           help="on: start deskbreak at login; off: do not; status: which, "
                                "and why")
    autostart.add_argument("--json", action="store_true",
                           help="print the resulting state as JSON")
    install_desktop.add_argument("--remove", action="store_true",
                                 help="remove the launcher (and the icon, unless "
                                      "an autostart entry shows it)")
