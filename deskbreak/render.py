"""Terminal output for the CLI: aligned tables and wrapped steps on a terminal, plain in pipes.

Kept apart from the commands so the same text serves ``show`` and the terminal notifier.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections.abc import Sequence
from typing import TextIO

from deskbreak.catalogue import CARE_NOTE, DOCTOR_NOTE, Exercise, source_label


def width(stream: TextIO = sys.stdout) -> int:
    """Wrap to the terminal on a tty; in a pipe keep lines whole for grep and friends."""
    if stream.isatty():
        return max(40, min(shutil.get_terminal_size((100, 24)).columns, 120))
    return 10_000


def table(rows: Sequence[Sequence[str]], header: Sequence[str] | None = None) -> str:
    """Columns aligned to the widest cell; the last column is left ragged."""
    all_rows = [list(header)] + [list(r) for r in rows] if header else [list(r) for r in rows]
    if not all_rows:
        return ""
    widths = [max(len(r[i]) for r in all_rows) for i in range(len(all_rows[0]) - 1)]
    lines = []
    for row in all_rows:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])] + [row[-1]]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def exercise_rows(exercises: Sequence[Exercise]) -> list[list[str]]:
    return [[e.id, e.name, e.position, f"{e.duration_s}s", ",".join(e.contexts) or "-"]
            for e in exercises]


LIST_HEADER = ("ID", "NAME", "POSITION", "TIME", "CONTEXTS")


FOCUS_WORDS = {"back": "lower back", "circulation": "leg circulation",
               "walk": "getting up and walking", "upper": "shoulders, neck and upper back"}
ORIGIN_WORDS = {
    "seed": "described by a source page",
    "adapted": "a seated or standing version of an exercise from a source page",
    "editorial": "standard advice the source pages don't describe, from the public "
                 "sources below",
    "user": "your own entry",
}


def exercise_text(exercise: Exercise, columns: int) -> str:
    """The full exercise as shown by ``deskbreak show``: everything a user may need to
    judge it, including every caution, where it comes from, and the doctor note that the
    source pages give once (not at every break)."""
    wrap = columns < 10_000

    def para(text: str, indent: str = "", hanging: str = "") -> str:
        if not wrap:
            return indent + text
        return textwrap.fill(text, columns, initial_indent=indent,
                             subsequent_indent=hanging or indent)

    out = [f"{exercise.name} ({exercise.id})", para(exercise.summary), ""]
    facts = [
        ("Position", exercise.position),
        ("Needs", ", ".join(exercise.needs) or "nothing"),
        ("Dose", exercise.dose()),
        ("Takes", f"about {exercise.duration_s} s"),
        ("Contexts", ", ".join(exercise.contexts) or "reference only (not drawn for breaks)"),
        ("Focus", ", ".join(FOCUS_WORDS.get(f, f) for f in exercise.focus)),
        ("Origin", ORIGIN_WORDS.get(exercise.origin, exercise.origin)),
    ]
    if exercise.adapted_from:
        facts.append(("Adapted from", exercise.adapted_from))
    out.append(table([[k + ":", v] for k, v in facts]))
    out += ["", "Steps:"]
    for number, step in enumerate(exercise.steps, start=1):
        out.append(para(step, f"  {number}. ", "     "))
    if exercise.cautions:
        out += ["", "Cautions:"]
        out += [para(c, "  - ", "    ") for c in exercise.cautions]
    out += ["", para(DOCTOR_NOTE + " " + CARE_NOTE)]
    if exercise.dose_note:
        out += ["", para("Dose note: " + exercise.dose_note)]
    if exercise.citations:
        out += ["", "Based on:"]
        out += [para(c, "  - ", "    ") for c in exercise.citations]
    if exercise.sources:
        out += ["", "Sources: " + ", ".join(source_label(s) for s in exercise.sources)]
    return "\n".join(out)
