"""Which exercise comes next: a shuffled rotation per context with no repeats.

Every eligible exercise is shown once before any is shown again, the way a deck of
cards is dealt. The deck survives restarts (the daemon persists ``state``) and adapts
when the eligible set changes: new exercises join the current deck at random places,
removed ones simply never come up.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Deck:
    """One context's rotation: what is left to deal, and what was dealt this round."""

    queue: list[str] = field(default_factory=list)
    dealt: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, list[str]]:
        return {"queue": list(self.queue), "dealt": list(self.dealt)}

    @classmethod
    def from_json(cls, data: object) -> Deck:
        """Accept only a well-formed deck; anything else starts a fresh one."""
        if not isinstance(data, dict):
            return cls()
        queue, dealt = data.get("queue"), data.get("dealt")
        if not (isinstance(queue, list) and isinstance(dealt, list)):
            return cls()
        if not all(isinstance(x, str) for x in [*queue, *dealt]):
            return cls()
        return cls(list(queue), list(dealt))


class Rotation:
    """Deals exercise ids per context; ``rng`` makes it reproducible in tests."""

    def __init__(self, decks: dict[str, Deck] | None = None,
                 rng: random.Random | None = None) -> None:
        self.decks: dict[str, Deck] = decks or {}
        self.rng = rng or random.Random()

    def _ready(self, context: str, eligible: Sequence[str]) -> Deck:
        """Bring the deck in line with ``eligible`` and make sure it has a card to deal."""
        if not eligible:
            raise LookupError(f"no exercises available in context {context!r}")
        deck = self.decks.setdefault(context, Deck())
        allowed = set(eligible)
        deck.queue = [i for i in deck.queue if i in allowed]
        deck.dealt = [i for i in deck.dealt if i in allowed]
        known = set(deck.queue) | set(deck.dealt)
        for ident in eligible:
            if ident not in known:
                deck.queue.insert(self.rng.randint(0, len(deck.queue)), ident)
        if not deck.queue:
            last = deck.dealt[-1] if deck.dealt else None
            fresh = list(eligible)
            self.rng.shuffle(fresh)
            # Never show the same exercise twice in a row across the round boundary.
            if len(fresh) > 1 and fresh[0] == last:
                swap = self.rng.randint(1, len(fresh) - 1)
                fresh[0], fresh[swap] = fresh[swap], fresh[0]
            deck.queue, deck.dealt = fresh, []
        return deck

    def peek(self, context: str, eligible: Sequence[str]) -> str:
        """The next exercise, without using it up (``deskbreak next``)."""
        return self._ready(context, eligible).queue[0]

    def take(self, context: str, eligible: Sequence[str]) -> str:
        """Deal the next exercise: it will not come up again until the round is over."""
        deck = self._ready(context, eligible)
        ident = deck.queue.pop(0)
        deck.dealt.append(ident)
        return ident

    def to_json(self) -> dict[str, dict[str, list[str]]]:
        return {context: deck.to_json() for context, deck in self.decks.items()}

    @classmethod
    def from_json(cls, data: object, rng: random.Random | None = None) -> Rotation:
        decks = {}
        if isinstance(data, dict):
            decks = {str(k): Deck.from_json(v) for k, v in data.items()}
        return cls(decks, rng)
