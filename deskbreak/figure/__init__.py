"""The exercises' figures: a body posed by joint angles, its props, and its pictures.

``skeleton`` (the body and its joint ranges), ``scene`` (props, resting on the floor or
a seat, the views), ``illustrations`` (the poses in ``illustrations.toml``), ``timeline``
(which pose at which moment of a routine) are pure; ``draw`` and ``pictures`` paint with
Pillow, in the guide's process or a command's, never the daemon's. ``stills`` only
names the shipped PNGs the daemon's notifications show.
"""
