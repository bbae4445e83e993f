"""The rotation deals every eligible exercise once before any repeats, across restarts too."""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from deskbreak import paths, storage
from deskbreak.core.rotation import Deck, Rotation
from deskbreak.storage import StateFile, load_rotation, save_rotation

Cli = Callable[..., tuple[int, str, str]]

IDS = [f"ex-{n}" for n in range(7)]
SEEDS = range(25)


def _deal(rotation: Rotation, count: int, eligible: list[str] = IDS) -> list[str]:
    return [rotation.take("desk", eligible) for _ in range(count)]


def _no_immediate_repeat(dealt: list[str]) -> bool:
    return all(a != b for a, b in itertools.pairwise(dealt))


@pytest.mark.parametrize("seed", SEEDS)
def test_three_rounds_are_permutations_without_back_to_back_repeats(seed: int) -> None:
    dealt = _deal(Rotation(rng=random.Random(seed)), 3 * len(IDS))
    rounds = [dealt[i:i + len(IDS)] for i in range(0, len(dealt), len(IDS))]
    for one in rounds:
        assert sorted(one) == IDS
    assert _no_immediate_repeat(dealt)


def test_rounds_are_shuffled_not_fixed() -> None:
    firsts = {tuple(_deal(Rotation(rng=random.Random(seed)), len(IDS))) for seed in SEEDS}
    assert len(firsts) > len(SEEDS) // 2


def test_same_seed_same_order() -> None:
    a = _deal(Rotation(rng=random.Random(7)), 10)
    b = _deal(Rotation(rng=random.Random(7)), 10)
    assert a == b


def test_contexts_have_separate_decks() -> None:
    rotation = Rotation(rng=random.Random(1))
    desk = [rotation.take("desk", IDS) for _ in range(3)]
    home = [rotation.take("home", IDS) for _ in range(len(IDS))]
    assert sorted(home) == IDS  # a full round of its own, untouched by the desk deals
    desk += [rotation.take("desk", IDS) for _ in range(len(IDS) - 3)]
    assert sorted(desk) == IDS


@pytest.mark.parametrize("seed", SEEDS)
def test_json_round_trip_mid_round_continues_the_round(seed: int) -> None:
    before = Rotation(rng=random.Random(seed))
    first = _deal(before, 3)
    saved = json.loads(json.dumps(before.to_json()))
    after = Rotation.from_json(saved, random.Random(seed + 1000))  # a new process
    rest = _deal(after, len(IDS) - 3)
    assert sorted(first + rest) == IDS
    more = _deal(after, len(IDS))
    assert sorted(more) == IDS
    assert _no_immediate_repeat(first + rest + more)


def test_state_file_round_trip_keeps_the_round(tmp_path: Path) -> None:
    state = StateFile(tmp_path / "state.json")
    rotation = load_rotation(state)
    first = _deal(rotation, 4)
    save_rotation(rotation, state, context="home")
    restarted = load_rotation(state)
    rest = _deal(restarted, len(IDS) - 4)
    assert sorted(first + rest) == IDS
    save_rotation(restarted, state)
    assert json.loads(state.path.read_text("utf-8"))["context"] == "home"  # kept


@pytest.mark.parametrize("seed", SEEDS)
def test_new_exercise_joins_the_current_round(seed: int) -> None:
    rotation = Rotation(rng=random.Random(seed))
    first = _deal(rotation, 3)
    grown = [*IDS, "ex-new"]
    rest = _deal(rotation, len(grown) - 3, grown)
    assert sorted(first + rest) == sorted(grown)


@pytest.mark.parametrize("seed", SEEDS)
def test_removed_exercise_never_comes_up(seed: int) -> None:
    rotation = Rotation(rng=random.Random(seed))
    first = _deal(rotation, 2)
    gone = next(i for i in IDS if i not in first)  # still waiting in this round
    shrunk = [i for i in IDS if i != gone]
    later = _deal(rotation, 4 * len(shrunk), shrunk)
    assert gone not in later
    assert sorted(first + later[:len(shrunk) - 2]) == shrunk
    assert _no_immediate_repeat(first + later)


def test_peek_does_not_use_up() -> None:
    rotation = Rotation(rng=random.Random(5))
    for _ in range(2 * len(IDS) + 1):  # across round boundaries too
        seen = rotation.peek("desk", IDS)
        assert rotation.peek("desk", IDS) == seen
        assert rotation.take("desk", IDS) == seen


def test_single_exercise_is_dealt_every_time() -> None:
    rotation = Rotation(rng=random.Random(0))
    assert _deal(rotation, 3, ["only"]) == ["only"] * 3


def test_nothing_eligible_is_an_error() -> None:
    with pytest.raises(LookupError, match="desk"):
        Rotation().take("desk", [])


@pytest.mark.parametrize(
    "data",
    [None, [], "x", {"desk": "x"}, {"desk": {"queue": "ab", "dealt": []}},
     {"desk": {"queue": [1, 2], "dealt": []}}, {"desk": {"queue": ["ex-0"]}}],
)
def test_malformed_saved_decks_start_fresh(data: object) -> None:
    rotation = Rotation.from_json(data, random.Random(0))
    assert all(deck == Deck() for deck in rotation.decks.values())
    assert sorted(_deal(rotation, len(IDS))) == IDS


@pytest.mark.parametrize("garbage", [b"\x00\xff\xfe not json \x89", b"{\"decks\": ", b"[1, 2]"])
def test_corrupt_state_file_is_kept_aside(tmp_path: Path, garbage: bytes) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(garbage)
    rotation = load_rotation(StateFile(path))
    assert rotation.decks == {}
    aside = tmp_path / "state.json.corrupt"
    assert aside.read_bytes() == garbage
    assert not path.exists()
    dealt = _deal(rotation, 2)
    save_rotation(rotation, StateFile(path))
    assert json.loads(path.read_text("utf-8"))["decks"]["desk"]["dealt"] == dealt
    assert aside.read_bytes() == garbage  # a later save does not clobber the evidence


def test_next_survives_a_corrupt_state_file(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(storage.SEED_ENV, "1")
    path = paths.state_dir() / "state.json"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    code, out, err = cli("next")
    assert (code, err) == (0, "")
    assert out.startswith("Next break (desk): ")
    assert (path.parent / "state.json.corrupt").read_bytes() == b"\x89PNG\r\n\x1a\n\x00\x00"
    assert "desk" in json.loads(path.read_text("utf-8"))["decks"]


def _next_id(cli: Cli) -> str:
    code, out, err = cli("next", "--json")
    assert (code, err) == (0, ""), err
    return str(json.loads(out)["id"])


def test_next_twice_without_daemon_shows_the_same(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Two seeds whose fresh first pick differs, so only the saved state can make them agree.
    picks = {}
    for seed in range(10):
        monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / f"probe-{seed}"))
        monkeypatch.setenv(storage.SEED_ENV, str(seed))
        picks[seed] = _next_id(cli)
    other = next(seed for seed in picks if picks[seed] != picks[0])

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "real"))
    monkeypatch.setenv(storage.SEED_ENV, "0")
    first = _next_id(cli)
    monkeypatch.setenv(storage.SEED_ENV, str(other))
    assert _next_id(cli) == first
    code, out, _ = cli("next")
    assert code == 0
    assert out.startswith("Next break (desk): ")
    assert (tmp_path / "real" / "deskbreak" / "state.json").is_file()
