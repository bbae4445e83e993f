"""The ``deskbreak`` command: browse the catalogue, check the config, run and steer the daemon.

Every user-facing failure is a DeskbreakError printed as one line on stderr with a
non-zero exit (2 for bad input, 1 when no daemon is running); a traceback reaching the
user is a bug.

``deskbreak run`` becomes the always-running daemon in this same process, so what this
module imports at the top stays in memory all day: the modules only other commands use
(output formatting, "did you mean" suggestions, the commands themselves) are imported
where they are used, and the parser is dropped before the daemon starts.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from deskbreak import __version__, config, paths
from deskbreak.catalogue import Catalogue, Exercise, load_catalogue, load_for_breaks
from deskbreak.core import commands
from deskbreak.core.durations import DurationError, check_range, format_duration, parse_duration
from deskbreak.core.model import INTERVAL_RANGE, PAUSE_RANGE, SNOOZE_RANGE, TRIP_RANGE
from deskbreak.errors import DeskbreakError, NotRunningError

CONTROL_COMMANDS = ("status", "pause", "resume", "snooze", "skip", "break-now", "start", "done",
                    "context", "trip", "reload", "quit")


def _global_options(parser: argparse.ArgumentParser, default: object) -> None:
    """--config and -v work before or after the command; after it, they must not reset them."""
    parser.add_argument("--config", metavar="PATH", default=default,
                        help=f"config file (default: ${config.ENV_VAR} or {paths.config_file()})")
    parser.add_argument("-v", "--verbose", action="store_true", default=default,
                        help="log more detail")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line and exit 2, like every other error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"deskbreak: {message} (see `{self.prog} --help`)\n")


def _parser() -> argparse.ArgumentParser:
    from deskbreak import arguments

    common = _Parser(add_help=False)
    _global_options(common, argparse.SUPPRESS)

    parser = _Parser(
        prog="deskbreak",
        description="Reminds you to get up and stretch your lower back every 30 minutes of work.")
    _global_options(parser, None)
    parser.add_argument("--version", action="version", version=f"deskbreak {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", parents=[common], help="start the daemon (tray icon and reminders)")
    run.add_argument("--interval", metavar="DURATION", help="time between breaks, e.g. 30m")
    run.add_argument("--no-tray", action="store_true", help="no tray icon")
    run.add_argument("--notifier", choices=config.NOTIFIERS, help="notification backend")

    lst = sub.add_parser("list", parents=[common], help="list the exercises")
    lst.add_argument("--context", choices=config.CONTEXTS, help="only those fit for a context")
    lst.add_argument("--json", action="store_true", help="machine-readable output")

    show = sub.add_parser("show", parents=[common], help="show one exercise in full")
    show.add_argument("id")
    show.add_argument("--json", action="store_true")
    show.add_argument("--picture", metavar="FILE.png",
                      help="write the figure of the held position to FILE.png")
    show.add_argument("--size", metavar="PIXELS", type=arguments.size_arg, default=512,
                      help="the picture's width and height, 64 to 2048 (default 512)")

    pictures = sub.add_parser("pictures", parents=[common],
                              help="a contact sheet of every exercise's figures (start, "
                                   "held, other side) beside its steps, for review")
    pictures.add_argument("file", metavar="SHEET.png")
    pictures.add_argument("ids", metavar="ID", nargs="*",
                          help="only these exercises (default: all)")

    nxt = sub.add_parser("next", parents=[common], help="what the next break will show")
    nxt.add_argument("--json", action="store_true")

    cfg = sub.add_parser("config", parents=[common], help="config file tools")
    cfg_sub = cfg.add_subparsers(dest="action", metavar="ACTION", required=True)
    cfg_sub.add_parser("path", parents=[common], help="print where the config file is read from")
    check = cfg_sub.add_parser("check", parents=[common], help="validate a config file")
    check.add_argument("path", nargs="?")
    cfg_sub.add_parser("show", parents=[common], help="print the effective settings")

    status = sub.add_parser("status", parents=[common], help="is the daemon running, and when")
    status.add_argument("--json", action="store_true")
    pause = sub.add_parser("pause", parents=[common], help="pause reminders")
    pause.add_argument("duration", nargs="?", help="e.g. 30m, 2h (at most 7 days), or "
                                                   "until-tomorrow (default: until resumed)")
    sub.add_parser("resume", parents=[common], help="resume after a pause")
    snooze = sub.add_parser("snooze", parents=[common], help="postpone the current break")
    snooze.add_argument("duration", nargs="?", help="e.g. 10m, at most a day (default: the "
                                                    "configured snooze)")
    sub.add_parser("skip", parents=[common], help="skip this break; a new interval starts")
    sub.add_parser("break-now", parents=[common], help="take a break now")
    sub.add_parser("start", parents=[common], help="start the break on screen: show its steps")
    sub.add_parser("done", parents=[common], help="say the break you started was done")
    ctx = sub.add_parser("context", parents=[common], help="which exercises breaks offer")
    ctx.add_argument("context", choices=config.CONTEXTS)
    trip = sub.add_parser("trip", parents=[common], help="trip mode: breaks in your seat "
                          "on a plane, train or car, or stops when driving")
    trip_sub = trip.add_subparsers(dest="action", metavar="ACTION", required=True)
    trip_start = trip_sub.add_parser("start", parents=[common], help="start a trip (and "
                                     "show a note on blood clots on long journeys)")
    trip_start.add_argument("duration", nargs="?", help="e.g. 2h, 90m, at most 7 days "
                                                        "(default: until `trip stop`)")
    trip_start.add_argument("--driving", action="store_true",
                            help="you drive: no exercises, only reminders to stop and walk")
    trip_sub.add_parser("stop", parents=[common], help="end the trip: back to your context")
    sub.add_parser("reload", parents=[common], help="apply the edited config file now")
    sub.add_parser("quit", parents=[common], help="stop the daemon")

    autostart = sub.add_parser("autostart", parents=[common], help="start deskbreak at "
                               "login: on, off, or status")
    install_desktop = sub.add_parser("install-desktop", parents=[common], help="put "
                                     "deskbreak in the application menu, with its icon")
    arguments.autostart(autostart, install_desktop)

    guide = sub.add_parser("guide", parents=[common], help="walk through an exercise one "
                           "step at a time, with a countdown")
    arguments.guide(guide)
    stats = sub.add_parser("stats", parents=[common], help="your breaks per day, totals, "
                           "streaks; export (--json, --csv) or draw them (--chart)")
    arguments.stats(stats)
    return parser


def _out(text: str) -> None:
    if sys.stdout is None:  # started with its standard output closed
        raise OSError(errno.EBADF, "cannot write the output: standard output is closed")
    sys.stdout.write(text + ("\n" if not text.endswith("\n") else ""))


def _json(data: Any) -> None:
    _out(json.dumps(data, indent=2, ensure_ascii=False))


def _catalogue(cfg: config.Config) -> Catalogue:
    return load_catalogue(cfg)


def cmd_list(args: argparse.Namespace, cfg: config.Config) -> int:
    from deskbreak import render

    catalogue = _catalogue(cfg)
    items = catalogue.in_context(args.context) if args.context else list(catalogue)
    if args.json:
        _json([e.to_json() for e in items])
    else:
        _out(render.table(render.exercise_rows(items), render.LIST_HEADER))
    return 0


def _lookup(catalogue: Catalogue, ident: str) -> Exercise:
    if not ident.strip():
        raise DeskbreakError("no exercise id given; `deskbreak list` shows them all")
    exercise = catalogue.get(ident)
    if exercise is None:
        guesses = config.did_you_mean(ident, catalogue.ids(), n=3, cutoff=0.5)
        guesses += [i for i in catalogue.ids() if ident in i and i not in guesses][:3]
        hint = f"; did you mean {', '.join(guesses[:3])}?" if guesses else \
            "; `deskbreak list` shows them all"
        raise DeskbreakError(f"no exercise with id {ident!r}{hint}")
    return exercise


def cmd_show(args: argparse.Namespace, cfg: config.Config) -> int:
    from deskbreak import render

    exercise = _lookup(_catalogue(cfg), args.id)
    if args.picture is not None and args.json:
        raise DeskbreakError("show: --picture writes a file and --json prints; choose one")
    if args.picture is not None:
        from deskbreak.figure import command as figure_command

        _out(figure_command.write_still(exercise, args.picture, args.size))
        return 0
    if args.json:
        _json(exercise.to_json())
    else:
        _out(render.exercise_text(exercise, render.width()))
    return 0


def cmd_next(args: argparse.Namespace, cfg: config.Config) -> int:
    from deskbreak import control, storage

    catalogue = _catalogue(cfg)
    try:
        reply = control.request(paths.runtime_dir(), commands.Next())
        ident, context = str(reply["id"]), str(reply["context"])
    except NotRunningError:  # no daemon: the deck on disk is the one it will deal from
        context = cfg.context
        eligible = [e.id for e in catalogue.eligible(cfg)]
        if not eligible:
            raise DeskbreakError(f"no exercises left in context {context!r} "
                                 "after your exclusions") from None
        state = storage.rotation_file()
        rotation = storage.load_rotation(state)
        ident = rotation.peek(context, eligible)
        storage.save_rotation(rotation, state)  # keep the shuffle so the daemon agrees
    exercise = _lookup(catalogue, ident)
    if args.json:
        _json({"context": context, **exercise.to_json()})
    else:
        _out(f"Next break ({context}): {exercise.name} - {exercise.summary}")
    return 0


def cmd_config(args: argparse.Namespace, cfg: config.Config | None) -> int:
    if args.action == "path":
        path, named = config.resolve_path(args.config)
        suffix = "" if os.path.lexists(path) else \
            " (does not exist; built-in defaults apply)" if not named else " (does not exist)"
        _out(f"{path}{suffix}")
        return 0
    if args.action == "check":
        if args.path is not None:
            checked = config.load_config(config.Path(args.path))
        else:
            checked = config.load(args.config)
        load_for_breaks(checked)  # all that `run` and a reload would refuse
        _out(f"{checked.source or 'built-in defaults'}: ok")
        return 0
    assert cfg is not None
    _json(_config_json(cfg))
    return 0


def _config_json(cfg: config.Config) -> dict[str, Any]:
    from deskbreak.core.durations import spell_duration

    hours = cfg.working_hours
    return {
        "source": str(cfg.source) if cfg.source else None,
        "interval": spell_duration(cfg.interval),
        "context": cfg.context,
        "notifier": cfg.notifier,
        "tray": cfg.tray,
        "snooze": spell_duration(cfg.snooze),
        "snooze_choices": [spell_duration(s) for s in cfg.snooze_choices],
        "pause_choices": [spell_duration(s) for s in cfg.pause_choices],
        "idle_threshold": spell_duration(cfg.idle_threshold),
        "do_not_disturb": cfg.do_not_disturb,
        "extra_catalogue": str(cfg.extra_catalogue) if cfg.extra_catalogue else "",
        "exclude": {"ids": list(cfg.exclude_ids), "positions": list(cfg.exclude_positions)},
        "working_hours": {
            "enabled": hours.enabled,
            **{day: [f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in spans]
               for day, spans in zip(config.WEEKDAYS, hours.days, strict=True)},
        },
        "guide": {"window": cfg.guide_window, "sound": cfg.guide_sound,
                  "illustrations": cfg.illustrations},
        "trip": {"interval": spell_duration(cfg.trip_interval),
                 "driving_interval": spell_duration(cfg.driving_interval),
                 "sound": cfg.trip_sound},
    }


def _duration_arg(text: str | None, bounds: tuple[float, float], *, what: str = "",
                  hint: str = "") -> float | None:
    """Seconds for a duration on the command line, within ``bounds``; else one line."""
    if text is None:
        return None
    try:
        return check_range(parse_duration(text), *bounds, text)
    except DurationError as exc:
        raise DeskbreakError(f"{what + ': ' if what else ''}{exc}{hint}") from None


def control_command(args: argparse.Namespace) -> commands.Command:
    """The command value a control subcommand stands for (the tray builds the same ones)."""
    name = args.command
    try:
        if name == "pause":
            if args.duration == "until-tomorrow":
                return commands.Pause(until_tomorrow=True)
            hint = "; or until-tomorrow" if "tomorrow" in (args.duration or "") else ""
            return commands.Pause(_duration_arg(args.duration, PAUSE_RANGE, hint=hint))
        if name == "snooze":
            return commands.Snooze(_duration_arg(args.duration, SNOOZE_RANGE))
        if name == "context":
            return commands.SetContext(args.context)
        if name == "trip":
            if args.action == "stop":
                return commands.TripStop()
            return commands.TripStart(_duration_arg(args.duration, TRIP_RANGE,
                                                    what="trip start"),
                                      driving=args.driving)
        return commands.COMMANDS[name]()
    except commands.CommandError as exc:
        raise DeskbreakError(str(exc)) from None


def cmd_control(args: argparse.Namespace) -> int:
    from deskbreak import control

    directory = paths.runtime_dir()
    command = control_command(args)
    if isinstance(command, commands.Status):
        try:
            reply = control.request(directory, command)
        except DeskbreakError as exc:
            if not isinstance(exc, NotRunningError):
                raise
            if args.json:
                _json({"running": False})
            else:
                _out("deskbreak is not running")
            return 1
        if args.json:
            _json(reply)
        else:
            _out(status_text(reply))
        return 0
    reply = control.request(directory, command)
    if reply.get("message"):
        _out(str(reply["message"]))
    if isinstance(command, commands.TripStart):
        _out("\n" + trip_note(command.driving))
    return 0


def trip_note(driving: bool) -> str:
    """The safety note ``trip start`` prints (the daemon shows it in a notification too),
    with its sources named in full."""
    from deskbreak.core import trip

    sources = "\n".join(f"  - {source}" for source in trip.SOURCES)
    return f"{trip.SAFETY_TITLE}\n{trip.safety_note(driving)}\n{sources}"


def _moment(iso: str) -> str:
    """"16:30", "tomorrow 04:00" or "Mon 30 Nov 04:00" for a local ISO time from the daemon."""
    import datetime as dt

    from deskbreak.core.presenter import local_moment

    try:
        return local_moment(dt.datetime.fromisoformat(iso), dt.datetime.now())
    except ValueError:
        return iso


def status_text(status: dict[str, Any]) -> str:
    """The human form of ``deskbreak status``."""
    from deskbreak import render

    rows = [["Running:", f"yes (pid {status.get('pid')})"]]
    state = status.get("state", "")
    if status.get("next_break_in") is not None:
        rows.append(["Next break:", f"in {format_duration(status['next_break_in'])}"])
    held = status.get("held_because")
    rows.append(["State:", state + (f" ({held})" if state == "held" and held else "")])
    if status.get("off_until"):
        rows.append(["Off until:", _moment(str(status["off_until"]))])
    if status.get("pause") == "until-resumed":
        rows.append(["Paused until:", "you resume"])
    elif status.get("paused_until"):
        rows.append(["Paused until:", _moment(str(status["paused_until"]))])
    if status.get("showing"):
        rows.append(["Showing:", str(status["showing"])])
    trip = status.get("trip")
    if isinstance(trip, dict):
        rows.append(["Trip:", _trip_text(trip)])
    rows.append(["Context:", str(status.get("context"))])
    rows.append(["Settings:", str(status.get("config") or "built-in defaults")])
    rows.append(["Notifier:", str(status.get("notifier"))])
    rows.append(["Tray:", str(status.get("tray"))])
    rows.append(["Idle time:", _idle_text(status)])
    rows.append(["History:", str(status.get("history") or "off ([history] record = false)")])
    for note in status.get("notes", []):
        rows.append(["Note:", str(note)])
    return render.table(rows)


def _idle_text(status: dict[str, Any]) -> str:
    """"wayland (org_kde_kwin_idle); not gnome: no D-Bus session bus": the source in use
    and why the ones before it were not."""
    source = str(status.get("idle_backend") or "none")
    if source == "none":
        source = "none: all time counts as active"
    others = [str(t) for t in status.get("idle_tried") or [] if not str(t).endswith(": in use")]
    return source + "".join(f"; not {t}" for t in others)


def _trip_text(trip: dict[str, Any]) -> str:
    """"driving, until 18:30 (in 3 h 58 min); a stop every 2 h; then back to desk"."""
    kind = "driving" if trip.get("driving") else "in your seat"
    if trip.get("ends_at"):
        ends = f"until {_moment(str(trip['ends_at']))} (in " \
               f"{format_duration(float(trip.get('ends_in') or 0))})"
    else:
        ends = "until you stop it"
    every = format_duration(float(trip.get("interval") or 0))
    what = "a stop" if trip.get("driving") else "a break"
    back = f"; then back to {trip['back_to']}" if trip.get("back_to") else ""
    return f"{kind}, {ends}; {what} every {every}{back}"


def _run_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """``run``'s options, which outlive reloads of the config file."""
    overrides: dict[str, Any] = {}
    if args.interval is not None:
        overrides["interval"] = _duration_arg(args.interval, INTERVAL_RANGE, what="--interval")
    if args.no_tray:
        overrides["tray"] = False
    if args.notifier:
        overrides["notifier"] = args.notifier
    return overrides


def _negative_durations_are_arguments(argv: list[str]) -> list[str]:
    """``deskbreak pause -5m``: argparse takes "-5m" for an option; say what is wrong.

    ``trip start --driving -2h`` too: the duration may follow an option there, so it moves
    to the end, after ``--``.
    """
    for index, word in enumerate(argv[:-1]):
        if word in ("pause", "snooze") and re.match(r"-[\d.]", argv[index + 1]):
            return [*argv[:index + 1], "--", *argv[index + 1:]]
        if word == "start" and "trip" in argv[:index] and "--" not in argv:
            rest = argv[index + 1:]
            negative = [w for w in rest if re.match(r"-[\d.]", w)][:1]
            if negative:
                rest.remove(negative[0])
                return [*argv[:index + 1], *rest, "--", *negative]
    return argv


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; whatever goes wrong, one line on stderr and an exit status."""
    try:
        code = _main(list(sys.argv[1:] if argv is None else argv))
        if sys.stdout is not None:
            sys.stdout.flush()  # a full disk is an error now, not a traceback at exit
        return code
    except BrokenPipeError:  # `deskbreak list | head -1`: the reader had enough
        _drain_stdout()
        return 0
    except OSError as exc:  # a path the OS cannot use, or output that cannot be written
        _drain_stdout()
        where = f": {exc.filename}" if exc.filename else ""
        _fail(f"{exc.strerror or exc}{where}")
        return 1


def _drain_stdout() -> None:
    """Point fd 1 at /dev/null so what could not be written does not fail again at exit."""
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)


def _fail(message: str) -> None:
    if sys.stderr is not None:
        with contextlib.suppress(OSError):
            sys.stderr.write(f"deskbreak: {message}\n")


def _main(argv: list[str]) -> int:
    parser = _parser()
    args = parser.parse_args(_negative_durations_are_arguments(argv))
    args.verbose = bool(args.verbose)
    if args.command is None:
        parser.print_help()
        return 0
    del parser  # or every subcommand's parser (about 0.1 MiB) outlives it in `run`
    try:
        if args.command == "config" and args.action in ("path", "check"):
            return cmd_config(args, None)
        if args.command in CONTROL_COMMANDS:
            return cmd_control(args)
        if args.command == "stats":
            from deskbreak.history import command as stats_command
            return stats_command.run(args, stats_command.Output())
        if args.command in ("autostart", "install-desktop"):
            from deskbreak.autostart import command as autostart_command
            if args.command == "autostart":
                return autostart_command.run(args, _out)
            return autostart_command.install_desktop(args, _out)
        if args.command == "run":
            from deskbreak import lean

            lean.without_tls()  # before asyncio is imported: see lean.py
            from deskbreak.run import run_daemon
            return run_daemon(args.config, _run_overrides(args), args.verbose)
        cfg = config.load(args.config)
        if args.command == "guide":
            from deskbreak.guide import command as guide_command
            return guide_command.run(args, cfg)
        if args.command == "pictures":
            from deskbreak.figure import command as figure_command
            catalogue = _catalogue(cfg)
            ids = [_lookup(catalogue, i).id for i in args.ids]
            _out(figure_command.write_sheet(catalogue, args.file, ids))
            return 0
        handler = {"list": cmd_list, "show": cmd_show, "next": cmd_next}.get(args.command)
        if handler is not None:
            return handler(args, cfg)
        return cmd_config(args, cfg)
    except DeskbreakError as exc:
        _fail(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
