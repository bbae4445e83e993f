"""The ring's drawings are made once per process and kept small.

Why it matters: a look costs about 12 ms of pure-Python drawing at the five tray sizes, and
the icon changes look four times every interval all day, for a daemon whose goal is under
0.2 CPU-seconds an idle hour and 30 MiB of RSS.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from deskbreak.core.model import Look
from deskbreak.tray import ring
from deskbreak.tray.ring import STEPS, Ring
from deskbreak.tray.sni import RENDER_SIZES, Icon, rendered_pixmaps

LOOKS = [(Look.COUNTING, step) for step in range(STEPS + 1)] + [
    (Look.DUE, 0), (Look.PAUSED, 0), (Look.OFF_DUTY, 0)]


@pytest.fixture
def draws(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[Look, int, int]]]:
    """Every real drawing made, from an empty cache (emptied again after the test)."""
    made: list[tuple[Look, int, int]] = []
    draw = ring._draw

    def spy(look: Look, step: int, size: int) -> bytes:
        made.append((look, step, size))
        return draw(look, step, size)

    ring.cache_clear()
    monkeypatch.setattr(ring, "_draw", spy)
    yield made
    ring.cache_clear()  # nothing drawn through the spy outlives it


def test_a_look_seen_before_is_not_drawn_again(draws: list[tuple[Look, int, int]]) -> None:
    icon = Icon("deskbreak", Ring(Look.COUNTING, 2))
    first = icon._pixmaps()
    assert sorted(draws) == [(Look.COUNTING, 2, size) for size in RENDER_SIZES]
    for look, step in [(Look.DUE, 0), (Look.COUNTING, 2), (Look.DUE, 0), (Look.COUNTING, 2)]:
        icon.icon = Ring(look, step)  # what SniTray.set_look does
        icon._pixmaps()  # what the host's IconPixmap fetch does
    assert len(draws) == 2 * len(RENDER_SIZES)  # only DUE was new
    assert icon._pixmaps() == first


def test_steps_that_draw_alike_share_one_drawing(draws: list[tuple[Look, int, int]]) -> None:
    """Only a counting ring has steps, within 0..STEPS: the bound on the cache rests on it."""
    assert ring.rgba(Look.PAUSED, 3, 22) == ring.rgba(Look.PAUSED, 0, 22)
    assert ring.rgba(Look.COUNTING, STEPS + 4, 22) == ring.rgba(Look.COUNTING, STEPS, 22)
    assert ring.rgba(Look.COUNTING, -1, 22) == ring.rgba(Look.COUNTING, 0, 22)
    assert draws == [(Look.PAUSED, 0, 22), (Look.COUNTING, STEPS, 22), (Look.COUNTING, 0, 22)]


def test_every_look_fits_the_cache_and_each_is_its_own(
        draws: list[tuple[Look, int, int]]) -> None:
    shown = {look: rendered_pixmaps(Ring(*look)) for look in LOOKS}
    assert len(draws) == len(LOOKS) * len(RENDER_SIZES) <= ring.CACHED
    assert len({repr(pixmaps) for pixmaps in shown.values()}) == len(LOOKS)  # all differ
    again = {look: rendered_pixmaps(Ring(*look)) for look in reversed(LOOKS)}
    assert len(draws) == len(LOOKS) * len(RENDER_SIZES)  # nothing evicted, nothing redrawn
    assert again == shown


def test_cached_pixmaps_are_the_drawing_itself(draws: list[tuple[Look, int, int]]) -> None:
    for look, step in LOOKS:
        cold = rendered_pixmaps(Ring(look, step))  # drawn now
        warm = rendered_pixmaps(Ring(look, step))  # from the cache
        assert warm == cold
        for size, _, argb in warm:
            straight = ring._draw(look, step, size)  # uncached, past the cache
            assert argb[1::4] + argb[2::4] + argb[3::4] + argb[0::4] == (
                straight[0::4] + straight[1::4] + straight[2::4] + straight[3::4])


def test_all_looks_cached_take_little_memory(draws: list[tuple[Look, int, int]]) -> None:
    """The daemon's budget is 30 MiB; the rows themselves would be 265 KiB."""
    for look, step in LOOKS:
        rendered_pixmaps(Ring(look, step))
    drawn = list(draws)
    packed = sum(len(ring._packed(*key)) for key in drawn)  # what the cache holds
    assert draws == drawn  # read from the cache, not drawn again
    assert sum(size * size * 4 for _, _, size in drawn) == 271_488  # as rows, 8 looks
    assert packed < 24 * 1024  # measured: 18,975 bytes with six steps (10 looks)
