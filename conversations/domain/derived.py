"""Derived ALS measures from one original-ALSFRS rating (pure): domain subscores, the
progression rate since onset, and estimated King's and MiToS stages. Every staging here is an
ESTIMATE: the published mappings are for the ALSFRS-R and are adapted to the original scale as
`docs/derived-measures.md` explains (which items map exactly, which are proxies).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

from conversations.domain.instrument import ITEM_NUMBERS, MAX_TOTAL

__all__ = [
    "DOMAINS",
    "Derived",
    "derive",
    "kings_stage",
    "mitos_stage",
    "months_since_onset",
    "progression_rate",
    "subscores",
]

DAYS_PER_MONTH: Final = 30.4375
# Items of each domain (original ALSFRS numbering) and its maximum.
DOMAINS: Final[Mapping[str, tuple[int, ...]]] = {
    "bulbar": (1, 2, 3),
    "fine_motor": (4, 5),
    "gross_motor": (6, 7, 8, 9),
    "respiratory": (10,),
}


@dataclass(frozen=True, slots=True)
class Derived:
    subscores: Mapping[str, int]
    progression_rate: float | None  # points per month since onset; None without an onset
    progression: Literal["slow", "intermediate", "fast"] | None
    kings: str  # estimate: "1"-"3", "4A", "4B" (or "0": no region below its threshold)
    mitos: int  # estimate: 0-4


def _check(items: Mapping[int, int]) -> None:
    if set(items) != set(ITEM_NUMBERS):
        raise ValueError("derived measures need all ten items")


def subscores(items: Mapping[int, int]) -> dict[str, int]:
    _check(items)
    return {name: sum(items[n] for n in numbers) for name, numbers in DOMAINS.items()}


def months_since_onset(onset_month: str, on: date) -> float | None:
    """Months from the middle of the onset month (month precision) to `on`; None if not after."""
    year, month = (int(part) for part in onset_month.split("-"))
    days = (on - date(year, month, 15)).days
    return None if days <= 0 else days / DAYS_PER_MONTH


def progression_rate(total: int, onset_month: str | None, on: date) -> float | None:
    """ΔFS = (40 − total) / months since onset (original scale); None without an onset."""
    if onset_month is None:
        return None
    months = months_since_onset(onset_month, on)
    return None if months is None else (MAX_TOTAL - total) / months


def kings_stage(items: Mapping[int, int], item5_variant: str) -> str:
    """Estimated King's stage (Balendra 2014 ALSFRS-R mapping, adapted): regions involved when
    bulbar 1+2+3 < 12, upper limb 4+5 < 8, lower limb 8 < 4; 4A when item 5 was rated as 5b
    (gastrostomy); 4B when item 10 <= 1 (PROXY for non-invasive ventilation)."""
    _check(items)
    if items[10] <= 1:
        return "4B"
    if item5_variant == "5b":
        return "4A"
    regions = (
        items[1] + items[2] + items[3] < 12,
        items[4] + items[5] < 8,
        items[8] < 4,
    )
    return str(sum(regions))


def mitos_stage(items: Mapping[int, int]) -> int:
    """Estimated MiToS stage (Chiò 2015, adapted): one per domain lost: movement (8 <= 1 or
    6 <= 1), swallowing (3 <= 1), communication (1 <= 1 and 4 <= 1), breathing (10 <= 2, a
    PROXY for the ALSFRS-R's dyspnoea and respiratory insufficiency items)."""
    _check(items)
    return sum(
        (
            items[8] <= 1 or items[6] <= 1,
            items[3] <= 1,
            items[1] <= 1 and items[4] <= 1,
            items[10] <= 2,
        )
    )


def derive(
    items: Mapping[int, int], item5_variant: str, *, onset_month: str | None, on: date
) -> Derived:
    rate = progression_rate(sum(items.values()), onset_month, on)
    speed: Literal["slow", "intermediate", "fast"] | None = None
    if rate is not None:
        speed = "slow" if rate < 0.5 else "fast" if rate > 1.0 else "intermediate"
    return Derived(
        subscores=subscores(items),
        progression_rate=None if rate is None else round(rate, 2),
        progression=speed,
        kings=kings_stage(items, item5_variant),
        mitos=mitos_stage(items),
    )
