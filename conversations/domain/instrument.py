"""The original ten-item ALSFRS (1996) as data: items, levels, the two item 5 variants, scoring.

Texts are locale keys (see `locales/*/instrument.ftl`), never literals. Scores run 4 (normal)
down to 0; the total of ten answered items runs 0-40, and an incomplete set has no total.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

__all__ = [
    "ITEMS",
    "ITEM_NUMBERS",
    "LEVELS",
    "MAX_TOTAL",
    "Item",
    "Item5Variant",
    "item",
    "total",
]

LEVELS: Final[tuple[int, ...]] = (4, 3, 2, 1, 0)
ITEM_NUMBERS: Final[tuple[int, ...]] = tuple(range(1, 11))
MAX_TOTAL: Final = 4 * len(ITEM_NUMBERS)


class Item5Variant(StrEnum):
    """Item 5 is asked in exactly one variant, by whether the patient has a gastrostomy now."""

    WITHOUT_GASTROSTOMY = "5a"
    WITH_GASTROSTOMY = "5b"

    @classmethod
    def for_gastrostomy(cls, has_tube: bool) -> Item5Variant:
        return cls.WITH_GASTROSTOMY if has_tube else cls.WITHOUT_GASTROSTOMY


@dataclass(frozen=True, slots=True)
class Item:
    number: int
    slug: str
    variant: Item5Variant | None = None

    @property
    def name_key(self) -> str:
        return f"item-{self.slug}-name"

    def question_key(self, *, proxy: bool) -> str:
        return f"item-{self.slug}-question" + ("-proxy" if proxy else "")

    def level_key(self, score: int) -> str:
        if score not in LEVELS:
            raise ValueError(f"score {score} is not an ALSFRS level")
        return f"item-{self.slug}-level-{score}"

    def short_key(self, score: int) -> str:
        """A key word or two for the level's button; the full level text is in the body."""
        return self.level_key(score) + "-short"


ITEMS: Final[tuple[Item, ...]] = (
    Item(1, "speech"),
    Item(2, "salivation"),
    Item(3, "swallowing"),
    Item(4, "handwriting"),
    Item(5, "cutting", Item5Variant.WITHOUT_GASTROSTOMY),
    Item(5, "cutting-tube", Item5Variant.WITH_GASTROSTOMY),
    Item(6, "dressing"),
    Item(7, "turning"),
    Item(8, "walking"),
    Item(9, "stairs"),
    Item(10, "breathing"),
)


def item(number: int, variant: Item5Variant | None = None) -> Item:
    """The item with that number; item 5 needs its variant."""
    for candidate in ITEMS:
        if candidate.number == number and (number != 5 or candidate.variant is variant):
            return candidate
    raise KeyError(f"no ALSFRS item {number} {variant or ''}".strip())


def total(scores: Mapping[int, int]) -> int | None:
    """Sum of the ten item scores, or None while any item is unanswered."""
    if set(scores) != set(ITEM_NUMBERS):
        return None
    for number, score in scores.items():
        if score not in LEVELS:
            raise ValueError(f"item {number}: score {score} is out of range")
    return sum(scores.values())
