"""History of breaks: the SQLite store, the daemon's recorder, and what reads it back.

``store`` is the file, ``recorder`` is the daemon's subscriber that writes events to it
off the event loop, ``report`` words the statistics for the terminal, JSON and CSV, and
``chart`` draws them (loaded only by ``deskbreak stats --chart``, never by the daemon).
"""
