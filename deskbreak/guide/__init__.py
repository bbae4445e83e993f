"""The guided stretch: one exercise walked through step by step, with a countdown.

It runs in its own short-lived process (``deskbreak guide``, or started by the daemon for
a break's Start button), never in the always-running daemon: Tk and the window cost that
process alone and are gone when it closes. ``window`` shows a Tk window; where none can
be shown (``window.why_not()`` says why), ``terminal`` plays the same routine as a
countdown in the terminal. Both return an ``outcome.Outcome``: completed, or how far the
user got.
"""
