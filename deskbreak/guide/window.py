"""The guided stretch in a Tk window: one phase at a time, in large type, with a countdown.

The name and setting on top, a progress bar for the whole routine, the cautions first
(with "stop if it hurts" on its own line), then each step, hold, rest and side switch
with its label ("Left side · Rep 3 of 8") and a big countdown; "Well done" and Done at
the end. Beside the text, the exercise's figure moves into each hold, stays there while
the countdown runs, comes back and mirrors for the other side (``figure_view``); an
exercise with no figure (a user's own) gives the text the whole width.

It is a normal decorated window: centred on the monitor with the pointer, raised and
focused once, never fullscreen, never always-on-top, never grabbing input. Keys and
clicks are ignored for its first second on screen, so someone typing when it opens does
not dismiss it. Sizes are in points, so Tk's DPI scaling makes it as readable on a 4K
screen as on a 1366x768 laptop.

What each key and button does lives in ``Controls``, on a ``Player`` and a clock with no
widgets, so the tests drive it without a display; ``run`` only builds the widgets and
shows what ``Controls`` says. ``tkinter`` is imported inside the functions that need it:
this module imports (and ``why_not`` answers) where Tk is missing.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from deskbreak.core.routine import Exercise, Player, Routine, routine
from deskbreak.figure.timeline import moment
from deskbreak.guide.outcome import Outcome
from deskbreak.guide.terminal import heading, whole_seconds

if TYPE_CHECKING:
    import tkinter as tk

    from deskbreak.figure.illustrations import Illustration
    from deskbreak.guide.figure_view import FigureView

GUARD_S = 1.0  # keys and clicks this soon after the window appears are ignored
TICK_MS = 200
FRAME_MS = 66  # while the figure moves: 15 frames a second, smooth and cheap
X11_PLATFORMS = ("linux", "freebsd", "openbsd", "netbsd", "dragonfly", "sunos")
TK_MISSING = "tkinter is missing (Debian: apt install python3-tk)"

# Sizes in points (1/72 inch), so Tk's scaling (from the display's DPI) applies.
SIZE_PT = (720, 480)  # what it opens at, within 90% of the monitor
MIN_PT = (560, 420)  # readable on 1366x768 at 96-100 dpi: 778x583 px
ILLUSTRATION_PT = (240, 210)  # beside the text and countdown: room for a figure lying down
PAD_PT = 12

Box = tuple[int, int, int, int]  # x, y, width, height in pixels


class Controls:
    """What each key and button does to the player, and when the window may close.

    Actions: "pause" (pause or resume), "back", "next", "done", "skip" (stop here,
    not completed), "close" (Escape: the same, at any phase); keys are Tk keysyms.
    Everything the user does is ignored until ``guard_s`` after ``appeared`` (the window
    mapped), except the window manager's close button, which is not something one hits
    by typing.
    """

    KEYS: ClassVar[dict[str, str]] = {"space": "pause", "Left": "back", "Right": "next",
                                      "Return": "enter", "KP_Enter": "enter",
                                      "Escape": "close"}

    def __init__(self, player: Player, clock: Callable[[], float], *,
                 guard_s: float = GUARD_S) -> None:
        self.player = player
        self.clock = clock
        self.guard_s = guard_s
        self.shown_at = clock()
        self.outcome: Outcome | None = None
        self._down: set[str] = set()  # keys pressed and not yet released
        self._released: dict[str, int] = {}  # key -> X time of its last release

    def appeared(self) -> None:
        """The window is on screen: the guard runs from now."""
        self.shown_at = self.clock()

    def ready(self) -> bool:
        return self.clock() - self.shown_at >= self.guard_s

    def enabled(self, action: str) -> bool:
        """Whether a button does anything in this phase (the view greys out the rest)."""
        player = self.player
        return {
            "pause": player.phase.seconds is not None,
            "back": player.index > 0,
            "next": not player.finished,
            "done": player.phase.kind != "intro",
            "skip": not player.finished,
        }.get(action, False)

    def key(self, keysym: str, when: int | None = None) -> bool:
        """A key press at X time ``when`` (ms); True when it did something.

        A held key's auto-repeat does nothing: a key held down since before the window
        appeared (an arrow key in an editor) must not race through the routine once the
        guard is over. X repeats as a release and a press at the same time; other
        systems repeat the press alone.
        """
        repeat = keysym in self._down or (when is not None
                                          and self._released.get(keysym) == when)
        self._down.add(keysym)
        if repeat:
            return False
        action = self.KEYS.get(keysym)
        if action == "enter":
            action = {"intro": "next", "end": "done"}.get(self.player.phase.kind)
        return action is not None and self.press(action)

    def key_up(self, keysym: str, when: int | None = None) -> None:
        self._down.discard(keysym)
        if when is not None:
            self._released[keysym] = when

    def focus_lost(self) -> None:
        """Keys released elsewhere are never seen: forget which are down."""
        self._down.clear()

    def press(self, action: str) -> bool:
        """A button (or the key for it); True when it did something."""
        if self.outcome is not None or not self.ready():
            return False
        if action == "close":
            self.close()
            return True
        if not self.enabled(action):
            return False
        now = self.clock()
        if action == "pause":
            self.player.toggle(now)
        elif action == "back":
            self.player.back(now)
        elif action == "next":
            self.player.next(now)
        elif action == "done":
            self.outcome = Outcome(True, self.player.progress(now))
        elif action == "skip":
            self.close()
        return True

    def close(self) -> Outcome:
        """Closed without Done (Skip, Escape, the window's close button)."""
        if self.outcome is None:
            self.outcome = Outcome(False, self.player.progress(self.clock()))
        return self.outcome

    def tick(self) -> bool:
        """Let the clock move the routine on; True when the phase changed."""
        return self.outcome is None and self.player.tick(self.clock())

    def countdown(self) -> str:
        """Whole seconds left in this phase ("18"), "" for one that waits."""
        left = self.player.left(self.clock())
        return "" if left is None else str(max(1, whole_seconds(left)))

    def progress(self) -> float:
        return self.player.progress(self.clock())


def why_not() -> str | None:
    """One line saying why no window can be shown here, or None when one can."""
    if sys.platform.startswith(X11_PLATFORMS) \
            and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return "no display (neither DISPLAY nor WAYLAND_DISPLAY is set)"
    try:
        import tkinter
    except ImportError:
        return TK_MISSING
    try:
        root = tkinter.Tk()
    except tkinter.TclError as exc:
        problem = (str(exc).splitlines() or ["unknown error"])[0]
        return f"cannot open a window: {problem}"
    root.destroy()
    return None


def place(size: tuple[int, int], screen: tuple[int, int], pointer: tuple[int, int] | None,
          monitors: Sequence[Box] = (), *, fill: float = 0.9) -> Box:
    """Where the window goes: centred on the monitor with the pointer, and within it.

    ``monitors`` come from Xinerama when known; otherwise Tk knows only the whole virtual
    screen, and one much wider (or taller) than a monitor is taken as equal monitors
    side by side (or stacked). The size shrinks to ``fill`` of the monitor at most,
    leaving room for the window manager's frame and panels.
    """
    screen_w, screen_h = screen
    if not monitors:
        across = max(1, round(screen_w / screen_h / (16 / 9))) if screen_w > screen_h else 1
        down = max(1, round(screen_h / screen_w / (16 / 9))) if screen_h > screen_w else 1
        cell_w, cell_h = screen_w // across, screen_h // down
        monitors = [(i * cell_w, j * cell_h, cell_w, cell_h)
                    for j in range(down) for i in range(across)]
    monitor = monitors[0]
    if pointer is not None:
        px, py = pointer
        monitor = next((m for m in monitors
                        if m[0] <= px < m[0] + m[2] and m[1] <= py < m[1] + m[3]), monitor)
    mx, my, mw, mh = monitor
    width, height = min(size[0], int(mw * fill)), min(size[1], int(mh * fill))
    return mx + (mw - width) // 2, my + (mh - height) // 2, width, height


def _xinerama_monitors() -> list[Box]:
    """The X monitors' boxes, or [] (not X11, no python-xlib, no Xinerama): ~20 ms."""
    if not sys.platform.startswith(X11_PLATFORMS) or not os.environ.get("DISPLAY"):
        return []
    try:
        from Xlib import display, ext
    except ImportError:
        return []
    every = getattr(ext, "__extensions__", None)
    try:
        if every is not None:  # load only Xinerama, as deskbreak.xdisplay does
            ext.__extensions__ = [item for item in every if item[0] == "XINERAMA"]
        try:
            connection = display.Display()
        finally:
            if every is not None:
                ext.__extensions__ = every
        try:
            if not connection.has_extension("XINERAMA") \
                    or not connection.xinerama_is_active():
                return []
            return [(s.x, s.y, s.width, s.height)
                    for s in connection.xinerama_query_screens().screens]
        finally:
            connection.close()
    except Exception:  # any X trouble: fall back to Tk's whole screen
        return []


def run(exercise: Exercise | Routine, *, sound: bool = False,
        clock: Callable[[], float] = time.monotonic,
        figures: Mapping[str, Illustration] | None = None) -> Outcome:
    """Show the guide for ``exercise`` (or a routine made already, a trip's several
    movements); returns when the window closes. ``figures`` by exercise id: the
    movements drawn beside the text (none: text only).

    Raises ``tkinter.TclError`` when no window can be opened (``why_not`` says why).
    """
    import tkinter as tk

    monitors = _xinerama_monitors()
    root = tk.Tk(className="Deskbreak")
    plan = exercise if isinstance(exercise, Routine) else routine(exercise)
    controls = Controls(Player(plan, clock()), clock)
    report = root.report_callback_exception

    def reported(kind: type[BaseException], value: BaseException, trace: Any) -> None:
        if issubclass(kind, KeyboardInterrupt):  # Ctrl-C in a callback: close, as Escape
            controls.close()
            root.quit()
        else:
            report(kind, value, trace)

    root.report_callback_exception = reported  # type: ignore[method-assign]
    try:
        _Window(root, controls, sound=sound, monitors=monitors, figures=figures or {})
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C where it was started
            root.mainloop()
        return controls.close()
    finally:
        with contextlib.suppress(tk.TclError):  # already gone
            root.destroy()


def _no_figure(exc: BaseException) -> None:
    print(f"deskbreak: the figure cannot be drawn here ({exc}); showing the words only",
          file=sys.stderr)


def _time(event: Any) -> int | None:
    when = getattr(event, "time", None)
    return when if isinstance(when, int) else None


class _Window:
    """The widgets, and a refresh that shows what ``Controls`` says; no logic of its own."""

    BUTTONS = (("back", "Back"), ("pause", "Pause"), ("next", "Next"),
               ("done", "Done"), ("skip", "Skip"))
    FONTS = (("title", 20, "bold"), ("setting", 13, "normal"), ("heading", 16, "bold"),
             ("label", 16, "normal"), ("text", 20, "normal"), ("first", 17, "bold"),
             ("caution", 14, "normal"), ("hint", 14, "normal"), ("count", 60, "bold"),
             ("end", 36, "bold"), ("button", 13, "normal"))
    ACCENT, WARN, DONE, MUTED = "#1f5f99", "#9b1c1c", "#2e7d32", "#6b6b6b"

    def __init__(self, root: tk.Tk, controls: Controls, *, sound: bool,
                 monitors: Sequence[Box], figures: Mapping[str, Illustration]) -> None:
        import tkinter as tk
        from tkinter import font, ttk

        self.root, self.controls, self.sound = root, controls, sound
        self._shown: dict[tuple[str, str], Any] = {}
        self._moving = False
        self._pending: str | None = None  # the next tick's Tk ``after`` id
        self.cycles = {ident: f.cycle_s for ident, f in figures.items() if f.cycle_s}
        plan = controls.player.plan
        root.title(f"deskbreak: {plan.title}")
        pad = self.pt(PAD_PT)

        # Fonts in points, so Tk's scaling (the display's DPI) sizes them.
        family = font.nametofont("TkDefaultFont").actual("family")
        fonts = {name: font.Font(root, family=family, size=size, weight=weight)
                 for name, size, weight in self.FONTS}
        self.fonts = fonts  # a Font forgotten by Python is deleted from Tk
        style = ttk.Style(root)
        if style.theme_use() in ("default", "classic", "alt"):  # X11's plain themes
            style.theme_use("clam")
        background = style.lookup("TFrame", "background") or root.cget("background")
        root.configure(background=background)
        colours = {"heading": self.ACCENT, "label": self.ACCENT, "first": self.WARN,
                   "hint": self.MUTED, "end": self.DONE}
        for name, _, _ in self.FONTS:
            style.configure(f"{name}.Guide.TLabel", font=fonts[name])
            if name in colours:
                style.configure(f"{name}.Guide.TLabel", foreground=colours[name])
        style.configure("paused.Guide.TLabel", font=fonts["count"], foreground=self.MUTED)
        style.configure("Guide.TButton", font=fonts["button"], width=8,
                        padding=(self.pt(8), self.pt(5)))
        style.configure("Guide.Horizontal.TProgressbar", thickness=self.pt(8),
                        background=self.ACCENT, lightcolor=self.ACCENT,
                        darkcolor=self.ACCENT, bordercolor="#a8a69f", troughcolor="#c9c7c1")

        outer = ttk.Frame(root, padding=(pad * 3 // 2, pad, pad * 3 // 2, pad * 3 // 2))
        outer.pack(fill="both", expand=True)
        outer.columnconfigure(0, weight=1)
        outer.rowconfigure(3, weight=1)
        self._label(outer, "title", plan.title).grid(row=0, column=0, sticky="w")
        self._label(outer, "setting", plan.setting).grid(row=1, column=0, sticky="w")
        self.bar = ttk.Progressbar(outer, orient="horizontal", mode="determinate",
                                   maximum=1000, style="Guide.Horizontal.TProgressbar")
        self.bar.grid(row=2, column=0, sticky="ew", pady=(pad * 2 // 3, pad))

        body = ttk.Frame(outer)
        body.grid(row=3, column=0, sticky="nsew")
        body.columnconfigure(0, weight=1)
        body.rowconfigure(1, weight=1)
        column = ttk.Frame(body)
        column.grid(row=0, column=0, sticky="new")
        column.columnconfigure(0, weight=1)
        # The figure beside the text and the countdown, where the movements have one.
        self.figure: FigureView | None = None
        if any(p.exercise in figures for p in plan.phases):
            size = (self.pt(ILLUSTRATION_PT[0]), self.pt(ILLUSTRATION_PT[1]))
            canvas = tk.Canvas(body, name="illustration", width=size[0], height=size[1],
                               background=background, highlightthickness=0, borderwidth=0,
                               takefocus=False)
            try:  # a figure that cannot be drawn leaves the words, which are the guide
                from deskbreak.guide.figure_view import FigureView

                self.figure = FigureView(canvas, size, background, figures)
                canvas.grid(row=0, column=1, rowspan=2, sticky="n", padx=(pad * 2, 0))
            except Exception as exc:
                _no_figure(exc)
                canvas.destroy()

        top = ttk.Frame(column)
        top.grid(row=0, column=0, sticky="ew")
        self.heading = self._label(top, "heading")
        self.heading.pack(side="left", padx=(0, pad))
        self.label = self._label(top, "label")  # "Left side · Rep 3 of 8"
        self.label.pack(side="left")
        self.text = self._label(column, "text")
        self.text.grid(row=1, column=0, sticky="ew", pady=(pad // 2, 0))
        # The other cautions, each with its bullet hanging (the first one is ``text``).
        self.cautions = ttk.Frame(column)
        self.cautions.columnconfigure(1, weight=1)
        self.wrapped = [self.text]
        for number, caution in enumerate(plan.cautions[1:]):
            self._label(self.cautions, "caution", "•").grid(
                row=number, column=0, sticky="nw", padx=(0, pad // 2))
            line = self._label(self.cautions, "caution", caution)
            line.grid(row=number, column=1, sticky="ew", pady=(pad // 3, 0))
            self.wrapped.append(line)
        self.cautions.grid(row=2, column=0, sticky="ew", pady=(pad // 2, 0))
        self.cautions_shown = True
        middle = ttk.Frame(body)  # the countdown, centred in what room is left
        middle.grid(row=1, column=0, sticky="nsew")  # beside the figure, if any
        middle.rowconfigure(0, weight=1)
        middle.rowconfigure(2, weight=1)
        middle.columnconfigure(0, weight=1)
        self.count = self._label(middle, "count", anchor="center")
        self.count.grid(row=1, column=0)
        self.hint = self._label(middle, "hint", anchor="center")
        self.hint.grid(row=2, column=0, sticky="n")
        self.wrapped.append(self.hint)
        column.bind("<Configure>", self._wrap)

        row = ttk.Frame(outer)
        row.grid(row=4, column=0, sticky="ew", pady=(pad, 0))
        self.buttons: dict[str, ttk.Button] = {}
        for name, text in self.BUTTONS:
            button = ttk.Button(row, text=text, style="Guide.TButton", takefocus=False,
                                command=lambda name=name: self._act(
                                    lambda: controls.press(name)))
            # Back, Pause, Next on the left; Done at the far right, Skip beside it.
            if name in ("back", "pause", "next"):
                button.pack(side="left", padx=(0, pad // 2))
            else:
                button.pack(side="right", padx=(pad // 2, 0))
            self.buttons[name] = button

        root.bind("<KeyPress>", lambda event: self._act(
            lambda: controls.key(event.keysym, _time(event))))
        root.bind("<KeyRelease>", lambda event: controls.key_up(event.keysym, _time(event)))
        root.bind("<FocusOut>", lambda event: controls.focus_lost())
        root.protocol("WM_DELETE_WINDOW", lambda: self._act(controls.close))
        root.bind("<Map>", self._mapped)
        self._place(monitors)
        self.refresh()
        self._pending = root.after(TICK_MS, self._tick)

    def _label(self, parent: Any, style: str, text: str = "", **options: Any) -> Any:
        from tkinter import ttk

        return ttk.Label(parent, text=text, style=f"{style}.Guide.TLabel", justify="left",
                         anchor=options.pop("anchor", "w"), **options)

    def pt(self, points: float) -> int:
        return int(self.root.winfo_pixels(f"{points}p"))

    def _place(self, monitors: Sequence[Box]) -> None:
        root = self.root
        screen = (root.winfo_screenwidth(), root.winfo_screenheight())
        pointer: tuple[int, int] | None = root.winfo_pointerxy()
        if pointer is not None and pointer[0] < 0:  # on another X screen
            pointer = None
        x, y, width, height = place((self.pt(SIZE_PT[0]), self.pt(SIZE_PT[1])), screen,
                                    pointer, monitors)
        root.minsize(min(width, self.pt(MIN_PT[0])), min(height, self.pt(MIN_PT[1])))
        root.geometry(f"{width}x{height}+{x}+{y}")

    def _wrap(self, event: tk.Event) -> None:
        """Wrap the text to the column's width, whatever the window's size."""
        for label in self.wrapped:
            self._set(label, "wraplength", max(self.pt(100), event.width - self.pt(24)))

    def _mapped(self, event: tk.Event) -> None:
        if event.widget is self.root:  # on screen: raised and focused once, guarded
            self.root.unbind("<Map>")
            self.root.lift()
            self.root.focus_force()
            self.controls.appeared()

    def _act(self, action: Callable[[], object]) -> None:
        action()
        self.refresh()
        if self._moving and self.controls.outcome is None:  # its next frame, not the tick's
            if self._pending is not None:
                self.root.after_cancel(self._pending)
            self._pending = self.root.after(FRAME_MS, self._tick)

    def _tick(self) -> None:
        self._pending = None
        if self.controls.tick() and self.sound:
            self.root.bell()
        self.refresh()
        if self.controls.outcome is None:  # quicker while the figure moves
            self._pending = self.root.after(FRAME_MS if self._moving else TICK_MS,
                                            self._tick)

    def _draw_figure(self) -> None:
        """The figure where the routine is now; ``_moving`` asks for the next frame."""
        self._moving = False
        if self.figure is None:
            return
        player = self.controls.player
        now = moment(player.plan.phases, player.index, player.elapsed(self.controls.clock()),
                     self.figure.figures, self.cycles)
        self._moving = now.moving and not player.paused
        try:
            self.figure.show(now)
        except Exception as exc:  # never let a picture stop the countdown
            _no_figure(exc)
            self.figure.hide()
            self.figure = None
            self._moving = False

    def _set(self, widget: Any, option: str, value: Any) -> None:
        """Configure only what changed: a refresh five times a second costs nothing."""
        key = (str(widget), option)
        if self._shown.get(key, object()) != value:
            self._shown[key] = value
            widget.configure(**{option: value})

    def refresh(self) -> None:
        controls, player = self.controls, self.controls.player
        if controls.outcome is not None:
            self.root.quit()
            return
        self._draw_figure()
        phase = player.phase
        intro, end = phase.kind == "intro", phase.kind == "end"
        self._set(self.heading, "text", heading(player.plan, player.index))
        self._set(self.label, "text", phase.label)
        self._set(self.text, "text", player.plan.cautions[0] if intro
                  else "" if end else phase.text)
        self._set(self.text, "style", "first.Guide.TLabel" if intro else "text.Guide.TLabel")
        if intro != self.cautions_shown:
            (self.cautions.grid if intro else self.cautions.grid_remove)()
            self.cautions_shown = intro
        self._set(self.count, "text", phase.text if end else controls.countdown())
        self._set(self.count, "style", "end.Guide.TLabel" if end
                  else "paused.Guide.TLabel" if player.paused else "count.Guide.TLabel")
        self._set(self.hint, "text", "Paused: Space or Resume goes on" if player.paused
                  else "Press Done or Enter to close" if end
                  else "Press Start or Enter when you are ready" if intro else "")
        self._set(self.bar, "value", round(controls.progress() * 1000))
        ready = controls.ready()
        for name, button in self.buttons.items():
            on = ready and controls.enabled(name)
            self._set(button, "state", "normal" if on else "disabled")
        self._set(self.buttons["pause"], "text", "Resume" if player.paused else "Pause")
        self._set(self.buttons["next"], "text", "Start" if intro else "Next")
        self._set(self.buttons["next"], "default", "active" if intro else "normal")
        self._set(self.buttons["done"], "default", "active" if end else "normal")
