"""The running daemon: one asyncio loop wiring the pure core to the edges.

Each wake-up: notice an edited config, measure what the planner asks for (idle time,
do-not-disturb), hand the Observation to the controller, carry out the effects it
returns at the edges (notifier, tray, storage) and publish its events to the
subscribers (the log, the wall-clock jobs, the history recorder, which has each event
on disk before it is shown or told; the guided window next). Then
sleep until the next thing is due: a break, a look at idle time, the tray's next step, a
wall-clock job. On Linux a watch (``watch.linux``) wakes the loop at a resume, a clock
set, a new time zone or an edited config, so nothing else needs a look and the loop
sleeps up to ten minutes (a safety net); elsewhere it looks every minute. Commands from
every source (the control channel, the tray menu, notification buttons, SIGHUP) arrive
as values and go through the same controller.

Nothing that fails at an edge or in one step ends the loop: the failure is logged with
its traceback in the log file and the next step runs as planned. Only a second instance
or a bad config stops the daemon from starting; a bad edit later keeps the last good one.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import math
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from deskbreak import config as config_mod
from deskbreak import lean, paths, storage
from deskbreak.autostart import Autostart, for_platform
from deskbreak.clocks import Clocks, clock_offset_file, system_clocks
from deskbreak.control import ControlServer, Refused
from deskbreak.core import presenter
from deskbreak.core import trip as trips
from deskbreak.core.commands import Command, Status
from deskbreak.core.controller import (
    ChangeAutostart,
    Controller,
    Inform,
    OpenSettingsFile,
    OpenStatistics,
    ReloadSettings,
    Result,
    ShowBreak,
    ShowSteps,
    Stop,
    Withdraw,
)
from deskbreak.core.durations import format_duration
from deskbreak.core.events import DaemonStarted, DaemonStopped, Event, Sat
from deskbreak.core.model import Observation
from deskbreak.errors import DeskbreakError
from deskbreak.guide.launch import launch as launch_guide
from deskbreak.guide.launch import why_no_window
from deskbreak.history import store as history_store
from deskbreak.history.recorder import Recorder
from deskbreak.live_config import LiveConfig, Loaded
from deskbreak.notify import BreakNotice, NotifierChain
from deskbreak.ports import DndSources, IdleSource, Notifications, Subscriber
from deskbreak.sensors import Sensors
from deskbreak.tray.keeper import TrayKeeper
from deskbreak.walljobs import WallJobs
from deskbreak.watch import Watch, choose_watch

log = logging.getLogger("deskbreak")
MAX_SLEEP_S = 60.0  # bounds how late a resume, a clock change or a config edit is noticed
WATCHED_SLEEP_S = 600.0  # the same with a watch that wakes the loop at each of them
MIN_SLEEP_S = 0.05
AFTER_FAILURE_S = 1.0  # a step that keeps failing must not spin
WRITE_WAIT_S = 1.0  # how long a break waits for its record to reach a slow disk
_RESOURCE_ERRORS = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}


def trip_pool(loaded: Loaded) -> dict[str, tuple[str, ...]]:
    """The in-seat travel exercises a trip deals from, by focus, after the user's exclusions."""
    return trips.trip_pool(loaded.catalogue.eligible(loaded.config, "travel"))


def log_event(event: Event) -> None:
    """The first subscriber: every event, one line in the log (sitting spans, every ten
    minutes or so, only with --verbose)."""
    log.log(logging.DEBUG if isinstance(event, Sat) else logging.INFO,
            presenter.describe(event))


class Daemon:
    """Owns the controller and the edges; every mutation happens on the loop thread."""

    def __init__(self, loaded: Loaded, *, source: LiveConfig | None = None,
                 clocks: Clocks | None = None, notifier: Notifications | None = None,
                 idle: IdleSource | None = None, dnd: DndSources | None = None,
                 state: storage.StateFile | None = None, runtime: Path | None = None,
                 history: Recorder | None = None, autostart: Autostart | None = None) -> None:
        """Edges given here are used as they are (tests); missing ones are found in ``run``."""
        self.loaded = loaded
        self.source = source or LiveConfig()
        self.clocks = clocks or system_clocks()
        self.state = state or storage.rotation_file()
        self.runtime = runtime
        cfg = loaded.config
        first = self._now()
        self.controller = Controller(cfg.settings(), loaded.catalogue.eligible_ids(cfg),
                                     storage.load_rotation(self.state), first,
                                     storage.load_context(self.state),
                                     trip_pool=trip_pool(loaded),
                                     trip=trips.from_json(storage.load_trip(self.state), first))
        self.notifier: Notifications = notifier or NotifierChain(cfg.notifier, self.submit)
        self.sensors = Sensors(idle, dnd, on_input=lambda: self._poke_for("input"))
        self.sensors.set_away_after(cfg.idle_threshold)
        self._find_sensors = idle is None and dnd is None
        self.tray = TrayKeeper(self.submit, lambda: self.controller.snapshot(self._now()))
        self._tray_step_at: float | None = None  # monotonic time of the tray's next step
        self.watch: Watch | None = None
        self._watch_note: str | None = None
        self.config_error: str | None = None
        self.jobs = WallJobs(self.clocks.wall, self._poke)
        self.jobs.plan(cfg.working_hours)
        self.history = history or Recorder(
            self.state.path.parent / history_store.FILE_NAME, enabled=cfg.history,
            keep_days=cfg.history_keep_days)
        self.subscribers: list[Subscriber] = [log_event, self.jobs, self.history]
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._last_failure: str | None = None
        self._save_problem: str | None = None
        self._reloading = asyncio.Lock()
        self._acting = asyncio.Lock()  # one input applied and carried out at a time
        self._resource_problem: str | None = None
        self._guide_problem: str | None = None
        self._launch_guide = launch_guide
        self.autostart = autostart if autostart is not None else for_platform()
        self._autostart_problem: str | None = None  # the last failed change, for status

    def _now(self) -> Observation:
        return Observation(self.clocks.mono(), self.clocks.boot(), self.clocks.wall())

    # --- the loop --------------------------------------------------------------------
    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._loop.set_exception_handler(self._loop_problem)
        control = ControlServer(self.runtime or paths.runtime_dir(), self.handle)
        try:
            if self._find_sensors:
                await self.sensors.find(idle=True, dnd=self.loaded.config.do_not_disturb)
            await control.start()
            self._start_watch()
            log.info("notifications via %s", await self.notifier.start())
            for note in self.notifier.notes:
                log.info(note)
            await self._open_tray()
            lean.one_heap_and_trim()  # start-up is over: see lean.py
            log.info("deskbreak running: a break every %s of activity, context %s",
                     format_duration(self.loaded.config.interval), self.controller.context)
            now = self._now()
            if self.controller.planner.trip is not None:  # saved by the run before
                log.info("trip mode goes on: %s", presenter.trip_terms(
                    self.controller.planner.status(now), self.controller.planner.interval,
                    now.local))
            await self._carry_out(Result(events=[DaemonStarted(mono=now.mono, wall=now.wall)]))
            while not self._stop.is_set():
                self._wake.clear()  # before the step: a poke during it wakes the next sleep
                await self._guarded(self.step)
                await self._sleep()
        finally:
            await self._guarded(control.close)
            await self._close_edges()
            await self._guarded(self._finish_history)
            log.info("deskbreak stopped")

    async def step(self) -> None:
        """One wake-up: notice an edited config, then measure, decide, and act."""
        self._notice_edits()
        needs = self.controller.needs(self.clocks.mono())
        idle, dnd = await self.sensors.read(needs)
        async with self._acting:
            now = self._now()
            await self._carry_out(self.controller.observe(
                Observation(now.mono, now.boot, now.wall, idle, dnd)))
        self.jobs.run_pending()
        self._refresh_tray(now)

    def _start_watch(self) -> None:
        """The change watch, or a note on why the daemon looks every minute: a watch that
        cannot start is no reason not to run."""
        try:
            self.watch, self._watch_note = choose_watch(
                asyncio.get_running_loop(), self._watched_files(), self._poke_for)
        except Exception as exc:
            log.warning("the change watch failed to start", exc_info=True)
            self.watch = None
            self._watch_note = f"no change watch ({exc}): the daemon looks every minute"
        if self._watch_note is not None:
            log.info(self._watch_note)

    def _watched_files(self) -> list[Path]:
        """The config, the exercise file it names, and a test's stand-in for the clock."""
        return [*self.source.files(), *filter(None, [clock_offset_file()])]

    def _poke_for(self, reason: str) -> None:
        log.debug("woken: %s", reason)
        self._poke()

    async def _guarded(self, work: Callable[[], Awaitable[None]]) -> None:
        """Run one step (or a shutdown task); a failure is logged, never raised."""
        try:
            await work()
        except Exception as exc:
            failure = f"{type(exc).__name__}: {exc}"
            if failure != self._last_failure:
                log.exception("%s failed; carrying on", getattr(work, "__name__", "a step"))
            else:
                log.error("the same failure again: %s", failure)
            self._last_failure = failure
        else:
            self._last_failure = None

    def next_delay(self) -> float:
        """Seconds until the loop must look again; the loop sleeps exactly this long."""
        mono = self.clocks.mono()
        watched = self.watch is not None and self.watch.failed is None
        longest = WATCHED_SLEEP_S if watched else MAX_SLEEP_S
        planned = self.controller.next_wakeup(mono, idle_source=self.sensors.idle is not None)
        delays = [longest, planned - mono]
        jobs = self.jobs.seconds_until_next()
        if jobs is not None:
            delays.append(jobs)
        if self._tray_step_at is not None:
            delays.append(self._tray_step_at - mono)
        delay = min(d for d in delays if math.isfinite(d))
        if self._last_failure is not None:
            delay = max(delay, AFTER_FAILURE_S)
        return max(MIN_SLEEP_S, delay)

    async def _sleep(self) -> None:
        try:
            delay = self.next_delay()
        except Exception:
            log.exception("planning the next wake-up failed; looking again in a minute")
            delay = MAX_SLEEP_S
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), delay)

    def _loop_problem(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """Out of descriptors (a flood of connections): one line, not a traceback a second."""
        exc = context.get("exception")
        if isinstance(exc, OSError) and exc.errno in _RESOURCE_ERRORS:
            problem = f"{context.get('message', 'the event loop')}: {exc.strerror}"
            if problem != self._resource_problem:
                log.warning("%s; new connections wait until it eases", problem)
            self._resource_problem = problem
            return
        loop.default_exception_handler(context)

    def _poke(self) -> None:
        self._wake.set()

    def request_stop(self) -> None:
        self._stop.set()
        self._poke()

    # --- commands --------------------------------------------------------------------
    def submit(self, command: Command) -> None:
        """Run ``command`` on the loop; safe from any thread (tray backends, buttons)."""
        loop = self._loop
        if loop is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return  # no loop yet: nothing could carry the command out
        if not loop.is_closed():
            loop.call_soon_threadsafe(self._spawn, command)

    def _spawn(self, command: Command) -> None:
        task = asyncio.ensure_future(self._answer(command))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer(self, command: Command) -> None:
        try:
            await self.handle(command)
        except Refused:
            pass  # logged by handle
        except Exception:
            log.exception("%s failed", command.name)

    async def handle(self, command: Command) -> dict[str, Any]:
        """Apply one command and return the reply; Refused when it cannot be done now.

        One input at a time is applied and carried out (``_acting``), so the effects of
        two commands never interleave at the notifier; a reload reads its files outside
        that, so a slow disk holds up only the one who asked.
        """
        async with self._acting:
            result = self.controller.apply(command, self._now())
            if result.refused is not None:
                log.info("%s refused: %s", command.name, result.refused)
                raise Refused(result.refused)
            message = await self._carry_out(result) or result.message
        if ReloadSettings() in result.effects:
            ok, message = await self.reload("asked for")
            if not ok:
                raise Refused(message, "invalid")
        if not command.query:
            self._refresh_tray()
            self._poke()
            log.info("%s: %s", command.name, message)
        if isinstance(command, Status):
            return presenter.status(self.controller.snapshot(self._now()), self._edges())
        return result.data if result.data is not None else {"message": message}

    async def _carry_out(self, result: Result) -> str | None:
        """Publish the events and do the effects; returns a reply that replaces the message.

        Called with ``_acting`` held. A reload is the caller's to do, outside it.
        """
        reply = None
        for event in result.events:
            self._publish(event)
        if result.events:  # on disk before it is shown or told
            await self.history.written(WRITE_WAIT_S)
        for effect in result.effects:
            match effect:
                case ShowBreak():
                    await self._notify(effect)
                case ShowSteps():
                    await self._guide(effect)
                case Inform(title=title, body=body):
                    await self.notifier.inform(title, body)
                case Withdraw():
                    await self.notifier.withdraw()
                case OpenSettingsFile():
                    reply, opened = self._open_settings()
                    if not opened:
                        raise Refused(reply)
                case OpenStatistics():
                    problem = self._open_statistics()
                    if problem:
                        raise Refused(problem)
                case ChangeAutostart(enabled=enabled):
                    reply = await self._change_autostart(enabled)
                case Stop():
                    self.request_stop()
        if result.save:
            self._save()
        return reply

    def _publish(self, event: Event) -> None:
        for subscriber in self.subscribers:
            try:
                subscriber(event)
            except Exception:
                log.exception("a subscriber failed on %s", type(event).__name__)

    def _notice(self, show: ShowBreak | ShowSteps) -> BreakNotice | None:
        """The words of a break: one exercise, a trip's routine, or a driving stop."""
        from deskbreak.figure.stills import still_file
        from deskbreak.notify.trip import driving_notice, trip_notice

        snoozable = show.snoozable if isinstance(show, ShowBreak) else True
        sound = show.sound if isinstance(show, ShowBreak) else False
        if isinstance(show, ShowBreak) and show.driving:
            return driving_notice(self.controller.planner.interval, snoozable=snoozable,
                                  sound=sound)
        ids = show.routine or (show.exercise_id,)
        exercises = [e for e in map(self.loaded.catalogue.get, ids) if e is not None]
        if len(exercises) < len(ids):  # removed from the catalogue by a reload meanwhile
            log.warning("exercise %s is no longer in the catalogue; not shown",
                        ", ".join(i for i in ids if i not in self.loaded.catalogue))
        if not exercises:
            return None
        if show.routine:
            return trip_notice(exercises, walk=show.walk, snoozable=snoozable, sound=sound)
        picture = still_file(exercises[0]) if self.loaded.config.illustrations else None
        return BreakNotice.for_exercise(exercises[0], snoozable=snoozable,
                                        picture=str(picture or ""))

    async def _notify(self, show: ShowBreak | ShowSteps) -> None:
        notice = self._notice(show)
        if notice is None:
            return
        await (self.notifier.show_steps(notice) if isinstance(show, ShowSteps)
               else self.notifier.show(notice))

    async def _guide(self, steps: ShowSteps) -> None:
        """Start: the guide window in its own process, or else the steps as a notification
        (no display, no Tk, or ``[guide] window = false``), said once."""
        cfg = self.loaded.config
        why = self.guide_window_off()
        if why is None:
            if steps.routine:  # a trip's routine: every movement, and the walk
                why = self._launch_guide(steps.exercise_id, sound=cfg.guide_sound,
                                         routine=steps.routine, walk=steps.walk)
            else:
                why = self._launch_guide(steps.exercise_id, sound=cfg.guide_sound)
            if why is None:
                await self.notifier.withdraw()  # the window has it from here
                return
        if why != self._guide_problem:
            log.info("the guide window is not used: %s; Start shows the steps in a "
                     "notification", why)
            self._guide_problem = why
        await self._notify(steps)

    def guide_window_off(self) -> str | None:
        """Why Start shows a notification rather than the guide window, or None."""
        if not self.loaded.config.guide_window:
            return "[guide] window = false"
        return why_no_window()

    def _save(self) -> None:
        try:
            storage.save_state(self.state, self.controller.rotation,
                               self.controller.chosen_context(),
                               self.controller.trip_state(self._now()))
        except OSError as exc:  # a full disk: breaks go on; said once per problem
            problem = f"cannot save state to {self.state.path}: {exc.strerror or exc}"
            if problem != self._save_problem:
                log.warning(problem)
            self._save_problem = problem
        else:
            self._save_problem = None

    def _open_settings(self) -> tuple[str, bool]:
        from deskbreak.opener import open_settings

        message, ok = open_settings(self.source.path, config_mod.default_text())
        if not ok:
            log.warning(message)
        return message, ok

    def _open_statistics(self) -> str | None:
        """Draw and open the chart in a process of its own: matplotlib never loads here."""
        from deskbreak.opener import run_detached

        picture = (self.runtime or paths.runtime_dir()) / "statistics.png"
        problem = run_detached([sys.executable, "-m", "deskbreak", "stats", "--chart",
                                str(picture), "--open"], "drawing the statistics")
        if problem:
            log.warning(problem)
        return problem

    async def _change_autostart(self, enabled: bool) -> str:
        """The tray's "Start at login": write or remove the entry in a worker thread (a
        home on a stalled disk must not hold a break up). A failure is logged, kept as a
        status note until a later change works, and refused to whoever asked."""
        def change() -> str:
            if not enabled:
                return self.autostart.disable()
            from deskbreak.program import program_argv

            return self.autostart.enable(program_argv())

        try:
            message = await asyncio.to_thread(change)
        except Exception as exc:
            problem = str(exc) if isinstance(exc, DeskbreakError) else \
                f"{type(exc).__name__}: {exc}"
            self._autostart_problem = (f"start at login could not be turned "
                                       f"{'on' if enabled else 'off'}: {problem}")
            log.warning(self._autostart_problem)
            raise Refused(self._autostart_problem) from None
        self._autostart_problem = None
        return message

    # --- settings --------------------------------------------------------------------
    def _notice_edits(self) -> None:
        """An edited config file is loaded in the background; this step does not wait."""
        if self._reloading.locked():
            return
        try:
            changed = self.source.changed()
        except Exception:
            log.exception("checking the config file for edits failed")
            return
        if changed:
            task = asyncio.ensure_future(self.reload("the config file changed"))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def reload(self, why: str) -> tuple[bool, str]:
        """Apply the config file again; a broken edit keeps the last good settings.

        The files are read in a worker thread and no step waits for them: a home on a
        stalled network share delays the new settings, never a break.
        """
        try:
            async with self._reloading:
                try:
                    loaded = await asyncio.to_thread(self.source.load)
                except Exception as exc:
                    return await self._broken(why, exc)
                async with self._acting:
                    return await self._apply(why, loaded)
        finally:
            # The loop slept on the old settings' plan (a new interval may make a break
            # due now), and a save that landed during the read must be looked at again.
            self._poke()

    async def settle(self) -> None:
        """Wait for what commands and edits set going (for tests, and before stopping)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _broken(self, why: str, exc: Exception) -> tuple[bool, str]:
        if isinstance(exc, DeskbreakError):
            error = str(exc)
        else:  # not foreseen: say it in one line, keep the traceback for the log
            error = f"{self.source.path}: cannot be loaded: {type(exc).__name__}: {exc}"
            log.error("loading the settings failed unexpectedly", exc_info=exc)
        if error != self.config_error:  # said once per problem, not at every wake-up
            self.config_error = error
            log.warning("settings not applied (%s): %s; still using the last good "
                        "settings", why, error)
            await self.notifier.inform("deskbreak: settings not applied",
                                       f"{error}\nStill using the last good settings.")
        return False, f"{error} (still using the last good settings)"

    async def _apply(self, why: str, loaded: Loaded) -> tuple[bool, str]:
        previous, self.loaded, self.config_error = self.loaded, loaded, None
        cfg = loaded.config
        await self._carry_out(self.controller.reconfigure(
            cfg.settings(), loaded.catalogue.eligible_ids(cfg), self._now(),
            trip_pool(loaded)))
        await self._update_edges(previous.config, cfg)
        self.jobs.plan(cfg.working_hours)
        self._refresh_tray()
        log.info("settings reloaded from %s (%s)", loaded.label, why)
        return True, f"Settings reloaded from {loaded.label}"

    async def _update_edges(self, old: config_mod.Config, new: config_mod.Config) -> None:
        if new.notifier != old.notifier:
            retired, self.notifier = self.notifier, NotifierChain(new.notifier, self.submit)
            log.info("notifications via %s", await self.notifier.start())
            await retired.close()
        self.sensors.set_away_after(new.idle_threshold)
        if self.watch is not None:
            try:
                self.watch.watch_files(self._watched_files())
            except Exception as exc:  # out of inotify watches: back to looking every minute
                log.warning("the config can no longer be watched (%s); looking every "
                            "minute", exc)
                self._watch_note = f"no change watch ({exc}): the daemon looks every minute"
                self.watch.close()
                self.watch = None
        if new.tray != old.tray:
            await (self._open_tray() if new.tray else self.tray.close("tray disabled"))
        self.tray.set_choices(new.snooze_choices, new.pause_choices)
        self.history.configure(enabled=new.history, keep_days=new.history_keep_days)
        if new.do_not_disturb and self.sensors.dnd is None and self._find_sensors:
            await self.sensors.find(idle=False, dnd=True)

    # --- tray ------------------------------------------------------------------------
    async def _open_tray(self) -> None:
        cfg = self.loaded.config
        if not cfg.tray:
            await self.tray.close("tray disabled (--no-tray or tray = false)")
            return
        await self.tray.open(self.controller.snapshot(self._now()), cfg.snooze_choices,
                             cfg.pause_choices)

    def _refresh_tray(self, now: Observation | None = None) -> None:
        """Bring the tray up to date and note when it next changes by itself (the ring's
        next sixth, the tooltip's next five minutes): the loop wakes for that, no sooner."""
        now = now or self._now()
        snap = self.controller.snapshot(now)
        self.tray.refresh(snap)
        step = presenter.tray_step_in(snap) if self.tray.tray is not None else None
        self._tray_step_at = None if step is None else now.mono + step

    # --- status and shutdown -----------------------------------------------------------
    def _edges(self) -> presenter.EdgeReport:
        notes = [*self.notifier.notes, *self.tray.notes, *self.sensors.notes,
                 *self.history.notes()]
        guide = self.guide_window_off()
        if guide is not None:
            notes.append(f"no guide window ({guide}): Start shows the steps in a "
                         "notification")
        if self.tray.failed is not None:
            notes.append(f"tray stopped: {self.tray.failed}")
        if self._autostart_problem is not None:
            notes.append(self._autostart_problem)
        if self._watch_note is not None:
            notes.append(self._watch_note)
        elif self.watch is not None and self.watch.failed is not None:
            notes.append(f"change watch stopped ({self.watch.failed}): the daemon looks "
                         "every minute")
        source = self.loaded.config.source
        return presenter.EdgeReport(
            pid=os.getpid(), notifier=self.notifier.name, tray=self.tray.backend,
            tray_menu=self.tray.has_menu, idle=self.sensors.idle_name,
            dnd=self.sensors.dnd_names, config=str(source) if source else None,
            config_error=self.config_error, notes=tuple(notes),
            history=str(self.history.path) if self.history.enabled else None,
            idle_tried=tuple(self.sensors.idle_tried))

    async def _finish_history(self) -> None:
        """The sitting span in flight and the stop go to the history; then it is closed."""
        now = self._now()
        finish = self.controller.finish(now)
        finish.events.append(DaemonStopped(mono=now.mono, wall=now.wall))
        await self._carry_out(finish)
        await asyncio.to_thread(self.history.close)

    async def _close_edges(self) -> None:
        async def each(close: Callable[[], Awaitable[None]]) -> None:
            with contextlib.suppress(Exception):
                await close()

        await each(self.notifier.withdraw)
        await each(self.notifier.close)
        await each(self.sensors.close)
        await each(self.tray.close)
        if self.watch is not None:
            self.watch.close()
