"""The exercise catalogue: the built-in entries are complete, safe and sourced; user files are
checked entry by entry; exclusions really keep exercises out of breaks."""

from __future__ import annotations

import dataclasses
import json
import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from deskbreak.catalogue import (
    FOCUS,
    STOP_RULE,
    SUMMARY_MAX,
    Exercise,
    builtin_text,
    load_builtin,
    load_catalogue,
    parse_catalogue,
    source_label,
    source_titles,
)
from deskbreak.config import CONTEXTS, Config
from deskbreak.errors import CatalogueError

Cli = Callable[..., tuple[int, str, str]]

REPO = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO.parent / "shared" / "seeds"
SEED_FILES = (
    "000_2caba72e77c68da9.txt",
    "001_09dd05f9ee185304.txt",
    "002_f9fe001670b5d609.txt",
    "003_e84db8ff3c3c0a07.txt",
    "004_078657fc2c1cf6d1.txt",
)
SEED_IDS = (
    "hamstring-stretch", "prone-extension", "quadruped-arm-leg-raise", "abdominal-contractions",
    "knee-to-chest", "double-knee-to-chest", "lunge", "partial-crunch", "lying-knee-twist",
    "plank-elbows-knees", "quadruped-hip-extension", "lower-back-rotation", "glute-bridge",
    "log-roll", "lumbar-flexion-rotation", "lying-static-leg-raise", "back-flexion-stretch",
    "kneeling-lunge-stretch", "piriformis-stretch", "cat-stretch", "pelvic-tilt",
    "lying-lateral-leg-lift", "superman", "walk-around", "overhead-reach",
)
MOJIBAKE = ("â", "Ã", "Â", "\ufffd")
FIELDS = {f.name for f in dataclasses.fields(Exercise)} - {"builtin"}  # bookkeeping, not JSON


@pytest.fixture(scope="module")
def builtin() -> list[Exercise]:
    return load_builtin()


@pytest.fixture(scope="module")
def by_id(builtin: list[Exercise]) -> dict[str, Exercise]:
    return {e.id: e for e in builtin}


def _message(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, f"expected exactly one line on stderr, got {err!r}"
    return lines[0].removeprefix("deskbreak: ")


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [s for item in value for s in _strings(item)]
    return []


# --- the built-in catalogue ------------------------------------------------------------------

def test_every_seed_exercise_is_present(by_id: dict[str, Exercise]) -> None:
    missing = [ident for ident in SEED_IDS if ident not in by_id]
    assert missing == []


def test_ids_are_unique() -> None:
    ids = [entry["id"] for entry in tomllib.loads(builtin_text())["exercise"]]
    assert len(ids) == len(set(ids)) >= len(SEED_IDS)


def test_every_exercise_cites_real_seed_files_or_public_sources(
    builtin: list[Exercise]
) -> None:
    cited: set[str] = set()
    for exercise in builtin:
        assert exercise.origin in ("seed", "adapted", "editorial"), exercise.id
        assert set(exercise.sources) <= set(SEED_FILES), exercise.id
        if exercise.origin == "editorial":
            assert exercise.citations, exercise.id
            assert not exercise.adapted_from, exercise.id
        else:  # described by (or adapted from) a seed page, and credits it
            assert exercise.sources, exercise.id
            assert not exercise.citations, exercise.id
        cited.update(exercise.sources)
    assert cited == set(SEED_FILES)  # every seed document contributed
    if SEEDS_DIR.is_dir():
        for name in cited:
            assert (SEEDS_DIR / name).is_file(), name


def test_seed_entries_are_the_seed_exercises(builtin: list[Exercise]) -> None:
    """Only the exercises the seed pages describe are marked as theirs."""
    assert {e.id for e in builtin if e.origin == "seed"} == set(SEED_IDS)
    assert all(bool(e.adapted_from) == (e.origin == "adapted") for e in builtin)


def test_citations_name_a_publisher_a_title_and_an_address(builtin: list[Exercise]) -> None:
    editorial = [e for e in builtin if e.origin == "editorial"]
    assert editorial
    for exercise in editorial:
        for citation in exercise.citations:
            publisher, rest = citation.split(": ", 1)
            title, url = rest.rsplit(", ", 1)
            assert publisher and title, citation
            assert re.fullmatch(r"https://[a-z0-9.-]+\.[a-z]+/\S*", url), citation


def test_users_see_page_titles_not_seed_file_names(builtin: list[Exercise]) -> None:
    titles = source_titles()
    assert set(titles) == set(SEED_FILES)
    assert titles["004_078657fc2c1cf6d1.txt"] == "Stretches to Relieve Lower Back Pain"
    if SEEDS_DIR.is_dir():  # each title is the first heading of its page
        for name, title in titles.items():
            assert title in (SEEDS_DIR / name).read_text("utf-8")[:2000], name
    assert source_label("004_078657fc2c1cf6d1.txt") == \
        "'Stretches to Relieve Lower Back Pain' (web page)"
    assert source_label("my physio") == "my physio"
    for exercise in builtin:  # and what users read never says "seed"
        texts = [exercise.name, exercise.summary, exercise.dose_note, *exercise.steps,
                 *exercise.cautions]
        assert not any(re.search(r"\bseeds?\b", t, re.I) for t in texts), exercise.id


def test_knee_to_chest_cites_its_three_seeds(by_id: dict[str, Exercise]) -> None:
    assert set(by_id["knee-to-chest"].sources) == {
        "001_09dd05f9ee185304.txt", "002_f9fe001670b5d609.txt", "004_078657fc2c1cf6d1.txt"}


def test_summaries_fit_a_notification(builtin: list[Exercise]) -> None:
    assert SUMMARY_MAX == 200
    for exercise in builtin:
        assert 0 < len(exercise.summary) <= 200, exercise.id


@pytest.mark.parametrize("context", CONTEXTS)
def test_each_context_has_enough_variety(context: str) -> None:
    catalogue = load_catalogue(Config())
    assert len(catalogue.eligible(Config(), context)) >= 8


def test_desk_and_travel_exercises_need_no_floor(builtin: list[Exercise]) -> None:
    upright = [e for e in builtin if {"desk", "travel"} & set(e.contexts)]
    assert upright
    for exercise in upright:
        assert exercise.position in ("standing", "seated"), exercise.id
    for exercise in builtin:
        if "travel" in exercise.contexts:
            assert set(exercise.needs) <= {"chair", "space to walk"}, exercise.id


def test_adaptations_name_a_seed_exercise_and_carry_its_sources(
    builtin: list[Exercise], by_id: dict[str, Exercise]
) -> None:
    adapted = [e for e in builtin if e.adapted_from]
    assert len(adapted) >= 8
    for exercise in adapted:
        assert exercise.adapted_from in SEED_IDS, exercise.id
        original = by_id[exercise.adapted_from]
        assert original.adapted_from == ""
        assert set(exercise.sources) == set(original.sources), exercise.id
        assert exercise.position in ("standing", "seated"), exercise.id


def test_hamstring_stretch_warns_about_bulging_discs(by_id: dict[str, Exercise]) -> None:
    cautions = " ".join(by_id["hamstring-stretch"].cautions).lower()
    assert "bulging disc" in cautions
    assert "do not bend forward" in cautions


def test_every_exercise_says_when_to_stop_first(builtin: list[Exercise]) -> None:
    for exercise in builtin:
        assert exercise.cautions[0] == STOP_RULE, exercise.id
        assert exercise.cautions.count(STOP_RULE) == 1, exercise.id


# Every entry that bends the lower back forward (flexion): the seeds' one explicit
# contraindication, carried in the same words by all of them.
FORWARD_BENDS = (
    "hamstring-stretch", "back-flexion-stretch", "double-knee-to-chest", "knee-to-chest",
    "cat-stretch", "partial-crunch", "seated-hamstring-stretch", "seated-figure-4",
    "seated-cat-camel", "seated-back-flexion", "seated-knee-to-chest",
)
DISC = "If you have a bulging disc or other structural spine damage, do not bend forward"


def test_forward_bends_carry_the_disc_caution(by_id: dict[str, Exercise]) -> None:
    for ident in FORWARD_BENDS:
        exercise = by_id[ident]
        assert [c for c in exercise.cautions if c.startswith(DISC)], ident
        if {"desk", "travel"} & set(exercise.contexts) and "forward" in exercise.summary:
            # the summary is all some notifiers show: it warns too
            assert "disc" in exercise.summary, ident
    for exercise in by_id.values():  # and nobody words it differently
        for caution in exercise.cautions:
            if "disc" in caution.lower():
                assert caution.startswith(DISC), (exercise.id, caution)


SEAT_BELT = "when the seat-belt sign is off (or at a stop)"


def test_standing_travel_entries_wait_for_the_seat_belt_sign(builtin: list[Exercise]) -> None:
    standing = [e for e in builtin if "travel" in e.contexts and not e.in_seat()]
    assert standing
    for exercise in standing:
        assert exercise.position == "standing", exercise.id
        assert any(SEAT_BELT in c for c in exercise.cautions), exercise.id
    for exercise in builtin:
        if "travel" in exercise.contexts and exercise.position == "seated":
            assert exercise.in_seat(), exercise.id


def test_leaving_out_standing_leaves_only_in_seat_travel(builtin: list[Exercise]) -> None:
    """With the seat-belt sign on (or as a car passenger) ``exclude positions =
    ["standing"]`` leaves only what can be done in the seat."""
    config = Config(exclude_positions=("standing",))
    travel = load_catalogue(config).eligible(config, "travel")
    assert travel and all(e.in_seat() for e in travel)


def test_travel_offers_ten_exercises_without_leaving_the_seat(builtin: list[Exercise]) -> None:
    in_seat = [e for e in builtin if "travel" in e.contexts and e.position == "seated"
               and set(e.needs) <= {"chair"}]
    assert len(in_seat) >= 10
    assert [e.id for e in in_seat] == [e.id for e in builtin
                                       if "travel" in e.contexts and e.in_seat()]
    focus = {f for e in in_seat for f in e.focus}
    assert {"back", "circulation", "upper"} <= focus


TRAVEL_MOVES = ("ankle-pumps", "ankle-circles", "seated-knee-lifts", "standing-calf-raises",
                "shoulder-rolls", "seated-back-extension")


@pytest.mark.parametrize("ident", TRAVEL_MOVES)
def test_the_standard_travel_movements_are_there_and_cited(
    by_id: dict[str, Exercise], ident: str
) -> None:
    exercise = by_id[ident]
    assert exercise.origin == "editorial" and exercise.citations and not exercise.sources
    assert "travel" in exercise.contexts
    assert exercise.steps and exercise.dose() and exercise.dose_note
    assert exercise.cautions[0] == STOP_RULE
    assert exercise.in_seat() or exercise.position == "standing"


def test_focus_values_are_known_and_fit_the_movement(by_id: dict[str, Exercise]) -> None:
    for exercise in by_id.values():
        assert exercise.focus and set(exercise.focus) <= set(FOCUS), exercise.id
        assert len(set(exercise.focus)) == len(exercise.focus), exercise.id
    assert by_id["walk-around"].focus == ("walk", "circulation")
    assert set(by_id["overhead-reach"].focus) == {"upper", "back"}
    for ident in ("ankle-pumps", "ankle-circles", "seated-knee-lifts", "standing-calf-raises"):
        assert "circulation" in by_id[ident].focus, ident
    assert "upper" in by_id["shoulder-rolls"].focus


def test_doses_stay_within_the_seeds_stretching_rules(by_id: dict[str, Exercise]) -> None:
    """Seed 002: "repeat a stretch 2 to 5 times"; the cat stretches gave 6."""
    for ident in ("cat-stretch", "seated-cat-camel"):
        assert 2 <= by_id[ident].reps <= 5, ident


def test_the_made_up_position_says_so(by_id: dict[str, Exercise]) -> None:
    rest = by_id["lying-static-leg-raise"]
    assert "doesn't describe the position" in rest.steps[0]
    assert "editorial" in rest.dose_note
    assert "static leg raise" not in rest.name.lower()  # not an active straight-leg hold


def test_therapist_directed_exercises_are_reference_only(by_id: dict[str, Exercise]) -> None:
    assert by_id["lumbar-flexion-rotation"].contexts == ()


def test_log_roll_is_never_drawn_for_a_break(by_id: dict[str, Exercise]) -> None:
    catalogue = load_catalogue(Config())
    assert "log-roll" in by_id
    for context in CONTEXTS:
        assert "log-roll" not in {e.id for e in catalogue.eligible(Config(), context)}


def test_no_mojibake_in_any_text(builtin: list[Exercise]) -> None:
    for exercise in builtin:
        for text in _strings(list(exercise.to_json().values())):
            for bad in MOJIBAKE:
                assert bad not in text, f"{exercise.id}: {bad!r} in {text!r}"
    for bad in MOJIBAKE:
        assert bad not in builtin_text()


def test_list_json_has_every_field(cli: Cli, builtin: list[Exercise]) -> None:
    code, out, err = cli("list", "--json")
    assert (code, err) == (0, "")
    entries = json.loads(out)
    assert [e["id"] for e in entries] == [e.id for e in builtin]
    for entry, exercise in zip(entries, builtin, strict=True):
        assert set(entry) == FIELDS
        assert entry == exercise.to_json()
        assert isinstance(entry["steps"], list)


def test_list_context_filters(cli: Cli, builtin: list[Exercise]) -> None:
    code, out, _ = cli("list", "--json", "--context", "travel")
    assert code == 0
    ids = [e["id"] for e in json.loads(out)]
    assert ids == [e.id for e in builtin if "travel" in e.contexts]
    assert 8 <= len(ids) < len(builtin)
    assert "lunge" not in ids  # desk and home only


# --- the user's own catalogue ----------------------------------------------------------------

ENTRY = [
    "[[exercise]]",
    'id = "desk-shrug"',
    'name = "Shoulder shrug"',
    'position = "seated"',
    'needs = ["chair"]',
    "duration_s = 30",
    'summary = "Lift both shoulders to your ears, hold, and let them drop."',
    'steps = ["Sit tall.", "Lift both shoulders toward your ears.", "Let them drop."]',
    'sources = ["my physio"]',
    'contexts = ["desk", "home"]',
]


def _setup(tmp_path: Path, lines: list[str], extra: str = "") -> tuple[Path, Path]:
    catalogue = tmp_path / "mine.toml"
    catalogue.write_text("# my own exercises\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'extra_catalogue = "mine.toml"\n{extra}', encoding="utf-8")
    return cfg, catalogue


def _line_of(path: Path, prefix: str, occurrence: int = 1) -> int:
    hits = [n for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
            if line.startswith(prefix)]
    return hits[occurrence - 1]


def test_user_exercise_appears_in_list_and_show(cli: Cli, tmp_path: Path) -> None:
    cfg, _ = _setup(tmp_path, ENTRY)
    code, out, err = cli("list", "--config", str(cfg))
    assert (code, err) == (0, "")
    assert any(line.split()[0] == "desk-shrug" for line in out.splitlines())
    assert "hamstring-stretch" in out  # the built-ins stay
    code, out, _ = cli("show", "desk-shrug", "--json", "--config", str(cfg))
    assert code == 0
    shown = json.loads(out)
    assert shown["steps"] == ["Sit tall.", "Lift both shoulders toward your ears.",
                              "Let them drop."]
    assert (shown["reps"], shown["cautions"], shown["adapted_from"]) == (1, [], "")
    # entries written before focus, origin and citations existed still load
    assert (shown["focus"], shown["origin"], shown["citations"]) == (["back"], "user", [])
    assert cli("config", "check", str(cfg)) == (0, f"{cfg}: ok\n", "")


def test_user_entry_with_a_builtin_id_replaces_it(cli: Cli, tmp_path: Path) -> None:
    lines = [line.replace('"desk-shrug"', '"lunge"') for line in ENTRY] + ["reps = 4"]
    cfg, _ = _setup(tmp_path, lines)
    code, out, _ = cli("show", "lunge", "--json", "--config", str(cfg))
    assert code == 0
    assert (json.loads(out)["name"], json.loads(out)["reps"]) == ("Shoulder shrug", 4)
    code, out, _ = cli("list", "--json", "--config", str(cfg))
    assert [e["id"] for e in json.loads(out)].count("lunge") == 1


def _replace(*new: str) -> list[str]:
    """ENTRY with the lines for the keys of ``new`` ("key = value") replaced."""
    by_key = {line.split(" = ")[0]: line for line in new}
    return [by_key.get(line.split(" = ")[0], line) for line in ENTRY]


# (case id, catalogue lines, field, line prefix the error must point at (occurrence), problem)
BAD_ENTRIES: list[tuple[str, list[str], str, tuple[str, int], str]] = [
    ("long-summary", _replace(f'summary = "{"x" * 250}"'),
     "summary", ("summary", 1), "at most 200 characters"),
    ("unknown-field", [*ENTRY, 'colour = "red"'], "colour", ("colour", 1), "unknown field"),
    ("lying-at-desk", _replace('position = "lying-back"'),
     "contexts", ("contexts", 1), "standing or seated"),
    ("missing-steps", [line for line in ENTRY if not line.startswith("steps")],
     "steps", ("[[exercise]]", 1), "missing"),
    ("floor-on-travel", _replace('needs = ["floor space"]', 'contexts = ["travel"]'),
     "contexts", ("contexts", 1), "travel exercises may only need"),
    ("bad-position", _replace('position = "hanging"'),
     "position", ("position", 1), "expected one of standing"),
    ("duplicate-id", [*ENTRY, "", *ENTRY], "id", ("[[exercise]]", 2), "duplicate id"),
    ("unknown-adapted-from", [*ENTRY, 'adapted_from = "no-such-exercise"'],
     "adapted_from", ("adapted_from", 1), "no exercise with id 'no-such-exercise'"),
    ("unknown-focus", [*ENTRY, 'focus = ["legs"]'],
     "focus", ("focus", 1), "a non-empty list drawn from back, circulation, walk, upper"),
    ("unknown-origin", [*ENTRY, 'origin = "internet"'],
     "origin", ("origin", 1), "expected one of seed, adapted, editorial, user"),
    ("editorial-without-citations", [*ENTRY, 'origin = "editorial"'],
     "citations", ("[[exercise]]", 1), "needs the public source(s) it follows"),
    ("adapted-from-nothing", [*ENTRY, 'origin = "adapted"'],
     "origin", ("origin", 1), "needs adapted_from"),
]


@pytest.mark.parametrize(
    ("lines", "field", "where", "problem"),
    [case[1:] for case in BAD_ENTRIES], ids=[case[0] for case in BAD_ENTRIES],
)
def test_bad_user_entry_is_one_precise_line(
    cli: Cli, tmp_path: Path, lines: list[str], field: str, where: tuple[str, int], problem: str
) -> None:
    cfg, catalogue = _setup(tmp_path, lines)
    line = _line_of(catalogue, *where)
    for command in (["config", "check", str(cfg)], ["list", "--config", str(cfg)]):
        code, out, err = cli(*command)
        assert (code, out) == (2, ""), command
        message = _message(err)
        assert message.startswith(f"{catalogue}:{line}: exercise 'desk-shrug'.{field}: "), message
        assert problem in message


def test_user_catalogue_syntax_error_has_its_line(cli: Cli, tmp_path: Path) -> None:
    cfg, catalogue = _setup(tmp_path, [*ENTRY[:5], "duration_s = = 30", *ENTRY[6:]])
    code, out, err = cli("list", "--config", str(cfg))
    assert (code, out) == (2, "")
    assert _message(err).startswith(f"{catalogue}:8: invalid TOML")


def test_undecodable_user_catalogue(cli: Cli, tmp_path: Path) -> None:
    cfg, catalogue = _setup(tmp_path, ENTRY)
    catalogue.write_bytes(b"\xff\xfe\x00garbage")
    code, _, err = cli("list", "--config", str(cfg))
    assert code == 2
    assert _message(err) == f"{catalogue}: not a text file (expected UTF-8 TOML)"


# --- exclusions ------------------------------------------------------------------------------

def _desk_ids(builtin: list[Exercise]) -> list[str]:
    return [e.id for e in builtin if "desk" in e.contexts]


def test_excluding_ids_leaves_only_the_rest(
    cli: Cli, tmp_path: Path, builtin: list[Exercise], monkeypatch: pytest.MonkeyPatch
) -> None:
    others = [i for i in _desk_ids(builtin) if i != "lunge"]
    cfg = tmp_path / "c.toml"
    cfg.write_text(f"[exclude]\nids = {json.dumps(others)}\n", encoding="utf-8")
    monkeypatch.setenv("DESKBREAK_SEED", "3")
    code, out, err = cli("next", "--json", "--config", str(cfg))
    assert (code, err) == (0, "")
    assert json.loads(out)["id"] == "lunge"


def test_excluding_a_position_keeps_it_out_of_breaks(
    cli: Cli, tmp_path: Path, builtin: list[Exercise], monkeypatch: pytest.MonkeyPatch,
    isolated_home: Path,
) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[exclude]\npositions = ["standing"]\n', encoding="utf-8")
    eligible = load_catalogue(Config(exclude_positions=("standing",))).eligible(
        Config(exclude_positions=("standing",)))
    assert eligible
    assert {e.position for e in eligible} == {"seated"}
    state = isolated_home / "state" / "deskbreak" / "state.json"
    positions = set()
    for seed in range(8):
        state.unlink(missing_ok=True)
        monkeypatch.setenv("DESKBREAK_SEED", str(seed))
        code, out, _ = cli("next", "--json", "--config", str(cfg))
        assert code == 0
        positions.add(json.loads(out)["position"])
    assert positions == {"seated"}


def test_excluding_everything_is_a_clear_error(cli: Cli, tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[exclude]\npositions = ["standing", "seated"]\n', encoding="utf-8")
    code, out, err = cli("next", "--config", str(cfg))
    assert (code, out) == (2, "")
    assert "no exercises left in context 'desk'" in _message(err)


BUILTIN_ENTRY = [line for line in ENTRY if not line.startswith("sources")] + [
    'sources = ["000_2caba72e77c68da9.txt"]', 'origin = "seed"',
    f'cautions = ["{STOP_RULE}"]']
TITLES = '[sources]\n"000_2caba72e77c68da9.txt" = "A page"\n\n'


@pytest.mark.parametrize(("change", "field", "problem"), [
    (lambda lines: [x for x in lines if not x.startswith("origin")], "origin", "missing"),
    (lambda lines: [*lines[:-1], 'cautions = ["Go gently."]'], "cautions",
     "the first caution must be"),
    (lambda lines: [x.replace("000_", "999_") for x in lines], "sources", "no title"),
], ids=["no-origin", "stop-rule-not-first", "untitled-source"])
def test_the_builtin_file_is_held_to_more(
    change: Callable[[list[str]], list[str]], field: str, problem: str
) -> None:
    """The rules the built-in entries keep are checked on load, not only by these tests."""
    good = TITLES + "\n".join(BUILTIN_ENTRY)
    assert parse_catalogue(Path("x"), good, "x", builtin=True)[0].origin == "seed"
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(Path("x"), TITLES + "\n".join(change(BUILTIN_ENTRY)), "x",
                        builtin=True)
    assert caught.value.key == f"exercise 'desk-shrug'.{field}"
    assert problem in str(caught.value)
