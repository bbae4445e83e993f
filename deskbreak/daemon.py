"""The running daemon: one asyncio loop carrying the break timer, D-Bus and the control channel.

It sleeps until the next thing is due (the break, the end of a pause, a wall-clock job
from ``schedule``, the once-a-minute tray label), asks the pure BreakTimer what to do,
and hands the result to the edges: notifier, tray, storage. Edge failures are logged and
survived; only a second instance or bad config stops it from starting.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import logging.handlers
import os
import signal
import sys
from typing import Any

import schedule

from deskbreak import config as config_mod
from deskbreak import paths, storage
from deskbreak.catalogue import Catalogue, Exercise, load_catalogue
from deskbreak.clocks import Clocks, system_clocks
from deskbreak.config import WEEKDAYS, Config
from deskbreak.control import ControlServer
from deskbreak.core.planner import EventKind, Hold, Observation, Outcome, Planner
from deskbreak.durations import DurationError, check_range, format_duration, parse_duration
from deskbreak.errors import DeskbreakError
from deskbreak.instance import AlreadyRunning, InstanceLock
from deskbreak.notify import Action, BreakNotice, NotifierChain
from deskbreak.tray.icon import Look, draw, quantize
from deskbreak.tray.menu import MenuView, build_menu

log = logging.getLogger("deskbreak")
ROLLOVER = "04:00"  # "until tomorrow" ends here: a night owl's 01:00 is still today
LABEL_REFRESH_S = 60.0
MAX_SLEEP_S = 60.0  # bounds how late a resume or a clock change is noticed


def _headless() -> bool:
    if sys.platform.startswith("linux"):
        return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return False


def setup_logging(verbose: bool) -> None:
    """A rotating log in the state directory; warnings (or everything with -v) on stderr."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    handler = logging.handlers.RotatingFileHandler(
        paths.state_dir() / "deskbreak.log", maxBytes=512 * 1024, backupCount=2,
        encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    console.setFormatter(logging.Formatter("deskbreak: %(message)s"))
    root.addHandler(console)
    for noisy in ("desktop_notifier", "dbus_fast", "PIL", "schedule"):
        logging.getLogger(noisy).setLevel(logging.INFO if verbose else logging.ERROR)


class Daemon:
    """Owns the timer and the edges; every mutation happens on the loop thread."""

    def __init__(self, cfg: Config, catalogue: Catalogue, *,
                 clocks: Clocks | None = None,
                 notifier: NotifierChain | None = None,
                 idle: Any = None, dnd: Any = None) -> None:
        self.cfg = cfg
        self.catalogue = catalogue
        self.clocks = clocks or system_clocks()
        self.clock = self.clocks.mono
        self.wall = self.clocks.wall
        self.planner = Planner(interval=cfg.interval, idle_threshold=cfg.idle_threshold,
                               hours=cfg.working_hours, dnd=cfg.do_not_disturb,
                               first=self._observe())
        self.timer = self.planner.timer
        self.idle = idle
        self.dnd = dnd
        self.sensor_notes: list[str] = []
        self._sensors_chosen = idle is not None or dnd is not None
        self.state_file = storage.rotation_file()
        saved = self.state_file.read()
        self.rotation = storage.load_rotation(self.state_file)
        self.context = self._saved_context(saved)
        self.notifier = notifier or NotifierChain(cfg.notifier, self._on_action)
        self.scheduler = schedule.Scheduler()
        self.tray: Any = None
        self.tray_notes: list[str] = []
        self.view = MenuView(context=self.context)
        self.paused_until_tomorrow = False
        self.last_break: dict[str, Any] | None = None
        self._shown: Exercise | None = None
        self._look: tuple[Look, int] | None = None
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.events: list[tuple[str, Any]] = []  # (local time, planner event), newest last

    # --- context (the tray's choice outlives restarts) -----------------------------
    def _saved_context(self, saved: dict[str, Any]) -> str:
        choice = saved.get("context")
        if isinstance(choice, dict) and choice.get("base") == self.cfg.context \
                and choice.get("value") in config_mod.CONTEXTS:
            return str(choice["value"])
        return self.cfg.context  # the config changed since: the config wins

    def _save(self) -> None:
        try:
            storage.save_rotation(self.rotation, self.state_file,
                                  context={"value": self.context, "base": self.cfg.context})
        except OSError as exc:
            log.warning("cannot save state: %s", exc)

    def _eligible(self) -> list[str]:
        return [e.id for e in self.catalogue.eligible(self.cfg, self.context)]

    # --- the loop --------------------------------------------------------------------
    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._plan_jobs()
        if not self._sensors_chosen:
            await self._choose_sensors()
        control = ControlServer(paths.runtime_dir(), self.handle_control)
        await control.start()
        backend = await self.notifier.start()
        log.info("notifications via %s", backend)
        for note in self.notifier.notes:
            log.info(note)
        if self.cfg.tray:
            await self._open_tray()
        else:
            self.tray_notes = ["tray disabled (--no-tray or tray = false)"]
        log.info("deskbreak running: a break every %s of activity, context %s",
                 format_duration(self.cfg.interval), self.context)
        try:
            while not self._stop.is_set():
                await self.step()
                await self._sleep()
        finally:
            await control.close()
            await self.notifier.withdraw()
            await self.notifier.close()
            for sensor in (self.idle, self.dnd):
                if sensor is not None:
                    with contextlib.suppress(Exception):
                        await sensor.close()
            if self.tray is not None:
                with contextlib.suppress(Exception):
                    await self.tray.close()
            log.info("deskbreak stopped")

    async def _open_tray(self) -> None:
        from deskbreak.tray import open_tray

        menu = build_menu(lambda: self.view, self._command_threadsafe,
                          self.cfg.snooze_choices, self.cfg.pause_choices)
        look = self._current_look()
        choice = await open_tray("deskbreak", draw(*look), self._headline(), menu)
        self.tray, self.tray_notes = choice.tray, choice.notes
        self._look = look
        for note in choice.notes:
            log.warning(note) if choice.tray is None else log.info(note)
        if self.tray is not None:
            log.info("tray icon via %s", self.tray.backend)

    async def _choose_sensors(self) -> None:
        from deskbreak.dnd import choose_dnd
        from deskbreak.idle import choose_idle

        self.idle, notes = await choose_idle()
        self.sensor_notes = list(notes)
        log.info("idle time via %s", self.idle.name if self.idle else "nothing")
        if self.cfg.do_not_disturb:
            self.dnd, notes = await choose_dnd()
            self.sensor_notes += notes
            log.info("do-not-disturb sources: %s", ", ".join(self.dnd.names) or "none")
        for note in self.sensor_notes:
            log.info(note)

    def _plan_jobs(self) -> None:
        """Wall-clock jobs: the daily rollover and a wake-up at every working-hours edge."""
        self.scheduler.clear()
        self.scheduler.every().day.at(ROLLOVER).do(self._rollover)
        hours = self.cfg.working_hours
        if hours.enabled:
            for day, spans in zip(WEEKDAYS, hours.days, strict=True):
                edges = {minute for span in spans for minute in span if minute < 24 * 60}
                for minute in sorted(edges):
                    job = getattr(self.scheduler.every(), _WEEKDAY_NAMES[day])
                    job.at(f"{minute // 60:02d}:{minute % 60:02d}").do(self._poke)

    def _observe(self, idle: Any = None, dnd: tuple[str, ...] | None = None) -> Observation:
        return Observation(self.clocks.mono(), self.clocks.boot(), self.clocks.wall(), idle, dnd)

    async def _measure(self) -> Observation:
        needs = self.planner.needs(self.clock())
        idle = dnd = None
        if needs.idle and self.idle is not None:
            try:
                idle = await self.idle.sample()
            except Exception as exc:
                self._sensor_failed("idle", exc)
                self.idle = None
        if needs.dnd:
            dnd = await self.dnd.reasons() if self.dnd is not None else ()
        return self._observe(idle, dnd)

    def _sensor_failed(self, what: str, exc: Exception) -> None:
        note = f"{what} source stopped working: {exc}; counting all time as active"
        log.warning(note)
        self.sensor_notes.append(note)

    async def step(self) -> None:
        """One wake-up: measure what the planner asks for, act on its outcome."""
        outcome = self.planner.observe(await self._measure())
        self._log_events(outcome)
        self.scheduler.run_pending()
        if outcome.withdraw and not outcome.fire:
            await self.notifier.withdraw()
        if outcome.fire:
            await self._fire(self.clock())
        self._refresh_tray()

    def _log_events(self, outcome: Outcome) -> None:
        for event in outcome.events:
            if event.kind is EventKind.CLOCK_JUMP:
                log.info("wall clock moved by %+.0f s; re-planning wall-clock jobs",
                         event.seconds)
                for job in self.scheduler.jobs:
                    job._schedule_next_run()  # schedule keeps the old local time otherwise
            elif event.kind is EventKind.NATURAL_BREAK:
                log.info("natural break: %s for %s", event.detail,
                         format_duration(event.seconds))
            elif event.kind is EventKind.SUSPEND:
                log.info("machine slept for %s", format_duration(event.seconds))
            else:
                log.info("%s %s", event.kind.value, event.detail)
            self.events.append((self.wall().isoformat(timespec="seconds"), event))

    def next_delay(self) -> float:
        """Seconds until the loop must look again; the loop sleeps exactly this long."""
        now = self.clock()
        delays = [MAX_SLEEP_S]
        wake = self.planner.next_wakeup(now)
        if wake is not None:
            delays.append(wake - now)
        idle = self.scheduler.idle_seconds
        if idle is not None:
            delays.append(idle)
        return max(0.05, min(delays))

    async def _sleep(self) -> None:
        delay = self.next_delay()
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), delay)

    def _poke(self) -> None:
        self._wake.set()

    async def _fire(self, now: float) -> None:
        eligible = self._eligible()
        if not eligible:
            log.warning("no exercises left in context %s after exclusions", self.context)
            self.timer.skip(now)
            return
        exercise = self.catalogue.get(self.rotation.take(self.context, eligible))
        assert exercise is not None
        self._save()
        self._shown = exercise
        self.timer.fired(now)
        self.last_break = {"id": exercise.id, "at": self.wall().isoformat(timespec="seconds")}
        log.info("break: %s", exercise.id)
        await self.notifier.show(BreakNotice.for_exercise(exercise))

    # --- tray ------------------------------------------------------------------------
    def _current_look(self) -> tuple[Look, int]:
        status = self.planner.status(self.clock(), self.wall())
        if status.held_because is Hold.PAUSED:
            return Look.PAUSED, 0
        if status.held_because is Hold.OFF_DUTY:
            return Look.OFF_DUTY, 0
        if status.pending or status.held_because is Hold.DND:
            return Look.DUE, 0
        return Look.COUNTING, quantize(status.progress)

    def _headline(self) -> str:
        status = self.planner.status(self.clock(), self.wall())
        if status.held_because is Hold.OFF_DUTY:
            return "Off until " + status.off_until.strftime("%a %H:%M") \
                if status.off_until else "Off duty"
        if status.held_because is Hold.AWAY:
            return "Away: counts as a break"
        if status.held_because is Hold.DND:
            return "Break held: " + ", ".join(status.dnd_reasons)
        if self.timer.paused:
            if self.paused_until_tomorrow:
                return "Paused until tomorrow"
            if status.paused_for is None or status.paused_for == float("inf"):
                return "Paused"
            return f"Paused for {format_duration(max(60.0, status.paused_for))}"
        if status.due_in is None:
            return "No break planned"
        return f"Next break in {_minutes(status.due_in)}"

    def _refresh_tray(self) -> None:
        self.view = MenuView(headline=self._headline(), paused=self.timer.paused,
                             context=self.context)
        if self.tray is None:
            return
        try:
            look = self._current_look()
            if look != self._look:
                self._look = look
                self.tray.set_image(draw(*look))
            self.tray.set_title(f"deskbreak: {self.view.headline}")
            self.tray.refresh_menu()
        except Exception as exc:  # a panel crash must not end the daemon
            log.warning("tray update failed: %s", exc)

    # --- commands (control channel, tray menu, notification buttons) -----------------
    def _command_threadsafe(self, name: str, args: dict[str, Any]) -> None:
        """Tray callbacks may come from a backend's own thread."""
        if self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._spawn, self.command(name, args))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(_log_failure)

    def _on_action(self, action: Action) -> None:
        name = {Action.START: "start", Action.SNOOZE: "snooze", Action.SKIP: "skip"}[action]
        log.info("notification answered: %s", name)
        self._spawn(self.command(name, {"from_notification": True}))

    async def handle_control(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        if name == "status":
            return self.status()
        if name == "next":
            eligible = self._eligible()
            if not eligible:
                raise DeskbreakError(f"no exercises left in context {self.context!r}")
            ident = self.rotation.peek(self.context, eligible)
            self._save()
            return {"id": ident, "context": self.context}
        return {"message": await self.command(name, args)}

    async def command(self, name: str, args: dict[str, Any]) -> str:
        now = self.clock()
        message = ""
        if name == "break-now":
            await self._fire(now)
            message = "Break now"
        elif name == "start":
            self.timer.answered()
            if self._shown is not None:
                await self.notifier.show_steps(BreakNotice.for_exercise(self._shown))
            message = "Started"
        elif name == "snooze":
            seconds = _seconds(args.get("seconds"), self.cfg.snooze)
            self.timer.snooze(now, seconds)
            await self.notifier.withdraw()
            message = f"Snoozed: next break in {_minutes(self.timer.status(now).due_in or 0)}"
        elif name == "skip":
            self.timer.skip(now)
            await self.notifier.withdraw()
            message = f"Skipped: next break in {format_duration(self.cfg.interval)}"
        elif name == "pause":
            message = self._pause(now, args)
            await self.notifier.withdraw()
        elif name == "resume":
            self.paused_until_tomorrow = False
            self.timer.resume(now)
            message = f"Resumed: next break in {format_duration(self.cfg.interval)}"
        elif name == "context":
            context = args.get("context")
            if context not in config_mod.CONTEXTS:
                raise DeskbreakError(f"unknown context {context!r}")
            self.context = str(context)
            self._save()
            message = f"Context: {self.context}"
        elif name == "open-settings":
            message = self._open_settings()
        elif name == "quit":
            self._stop.set()
            message = "deskbreak is stopping"
        else:
            raise DeskbreakError(f"unknown command {name!r}")
        log.info("%s: %s", name, message)
        self._refresh_tray()
        self._poke()
        return message

    def _pause(self, now: float, args: dict[str, Any]) -> str:
        if args.get("until_tomorrow"):
            self.timer.pause(now, None)
            self.paused_until_tomorrow = True
            return f"Paused until tomorrow {ROLLOVER}"
        seconds = args.get("seconds")
        self.paused_until_tomorrow = False
        if seconds is None:
            self.timer.pause(now, None)
            return "Paused until resumed"
        seconds = _seconds(seconds, 0)
        self.timer.pause(now, seconds)
        return f"Paused for {format_duration(seconds)}"

    def _rollover(self) -> None:
        """Daily wall-clock job: a pause "until tomorrow" ends here."""
        if self.paused_until_tomorrow:
            self.paused_until_tomorrow = False
            self.timer.resume(self.clock())
            log.info("new day: pause until tomorrow ended")

    def _open_settings(self) -> str:
        from deskbreak.opener import open_file

        path = self.cfg.source or paths.config_file()
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(config_mod.default_text(), encoding="utf-8")
        problem = open_file(path)
        if problem:
            log.warning(problem)
            return problem
        return f"Opened {path}"

    def status(self) -> dict[str, Any]:
        now = self.clock()
        plan = self.planner.status(now, self.wall())
        status = self.timer.status(now)
        paused_until: str | None = None
        if self.timer.paused:
            if self.paused_until_tomorrow:
                paused_until = "tomorrow " + ROLLOVER
            elif status.paused_for is None or status.paused_for == float("inf"):
                paused_until = "resumed"
            else:
                paused_until = (self.wall() + dt.timedelta(seconds=status.paused_for)) \
                    .isoformat(timespec="seconds")
        notes = [*self.notifier.notes, *self.tray_notes, *self.sensor_notes]
        held = plan.held_because
        held_text = None if held is None else held.value + (
            f" ({', '.join(plan.dnd_reasons)})" if held is Hold.DND else "")
        tray_failed = getattr(self.tray, "failed", None)
        if tray_failed is not None:
            notes.append(f"tray stopped: {tray_failed}")
        return {
            "running": True,
            "pid": os.getpid(),
            "state": "paused" if held is Hold.PAUSED else "off-duty" if held is Hold.OFF_DUTY
            else "away" if held is Hold.AWAY else "held" if held is Hold.DND else "running",
            "held_because": held_text,
            "next_break_in": None if plan.due_in is None else round(plan.due_in, 3),
            "next_break_at": None if plan.due_in is None else
            (self.wall() + dt.timedelta(seconds=plan.due_in)).isoformat(timespec="seconds"),
            "off_until": plan.off_until.isoformat(timespec="minutes") if plan.off_until
            else None,
            "idle_backend": self.idle.name if self.idle is not None else "none",
            "dnd_sources": list(self.dnd.names) if self.dnd is not None else [],
            "paused_until": paused_until,
            "snoozed": status.snoozed,
            "break_pending": status.pending,
            "interval": self.cfg.interval,
            "context": self.context,
            "notifier": self.notifier.name,
            "tray": self.tray.backend if self.tray is not None else "none",
            "tray_menu": bool(self.tray is not None and self.tray.has_menu),
            "last_break": self.last_break,
            "notes": notes,
        }

    def request_stop(self) -> None:
        self._stop.set()
        self._poke()


_WEEKDAY_NAMES = dict(zip(WEEKDAYS, ("monday", "tuesday", "wednesday", "thursday", "friday",
                                     "saturday", "sunday"), strict=True))


def _minutes(seconds: float) -> str:
    """Tray wording: whole minutes, rounded up, so "in 0 min" never shows."""
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    return f"{-(-int(seconds) // 60)} min"


def _seconds(value: Any, default: float) -> float:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise DeskbreakError(f"not a duration: {value!r}")
    return float(value)


def _log_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("command failed: %s", task.exception(), exc_info=task.exception())


def run_daemon(args: argparse.Namespace, cfg: Config) -> int:
    """``deskbreak run``: refuse a second instance, then run until quit or a signal."""
    if getattr(args, "interval", None):
        try:
            interval = check_range(parse_duration(args.interval),
                                   *config_mod.INTERVAL_RANGE, args.interval)
        except DurationError as exc:
            raise DeskbreakError(f"--interval: {exc}") from None
        cfg = config_mod.with_overrides(cfg, interval=interval)
    if getattr(args, "no_tray", False):
        cfg = config_mod.with_overrides(cfg, tray=False)
    if getattr(args, "notifier", None):
        cfg = config_mod.with_overrides(cfg, notifier=args.notifier)
    catalogue = load_catalogue(cfg)
    if not catalogue.eligible(cfg):
        raise DeskbreakError(f"no exercises left in context {cfg.context!r} "
                             "after your exclusions")
    lock = InstanceLock(paths.runtime_dir() / "deskbreak.lock")
    try:
        lock.acquire()
    except AlreadyRunning as exc:
        print(str(exc))
        return 0
    try:
        if _headless() and cfg.notifier in ("auto", "terminal"):
            print("deskbreak: no desktop session found (no DISPLAY or WAYLAND_DISPLAY): "
                  "terminal mode, breaks are printed here", flush=True)
        setup_logging(getattr(args, "verbose", False))
        return asyncio.run(_main(cfg, catalogue))
    finally:
        lock.release()


async def _main(cfg: Config, catalogue: Catalogue) -> int:
    daemon = Daemon(cfg, catalogue)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # Windows: no signal handlers
            loop.add_signal_handler(sig, daemon.request_stop)
    await daemon.run()
    return 0
