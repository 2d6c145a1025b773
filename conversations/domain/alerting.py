"""One alert per event, no repeats of a standing condition: the pure decision (docs/alerts.md).

A submission (or a symptom report) gives candidates, one per rule or symptom that fired, each
with a `level` oriented so that higher is worse (a fall in points, a slope in points per month,
points lost on item 10, a symptom's severity). `decide` compares them with the latest earlier
alert that held the same rule:

- an *event* rule (a fall since the previous submission: previous, item, swallowing, a fall of
  item 10) is new every time it fires;
- a *standing* decline rule (baseline, slope, item 10 at or below its limit) is new only when no
  earlier alert holds it, or when it is worse again by the rule's own threshold
  (level >= earlier level + threshold), whether that earlier alert is open or acknowledged;
- a symptom is new unless an open alert holds it at the same or a higher severity.

If any candidate is new, one alert is raised listing every candidate (the standing ones too,
so the alert shows the whole picture). Otherwise nothing is raised, and every open alert holding
a candidate gets a follow-up ("still met on <date>: <total>").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["Candidate", "Decision", "Earlier", "decide"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One rule (or symptom) that fired. `threshold` None: an event rule, never standing."""

    rule: str
    level: float | None
    threshold: float | None
    symptom: bool = False


@dataclass(frozen=True, slots=True)
class Earlier:
    """The latest earlier alert holding a rule."""

    alert_id: int
    level: float | None
    open: bool


@dataclass(frozen=True, slots=True)
class Decision:
    """`new` lists the candidates that are new; `raise_alert` when there is one. Without a new
    alert, `followups` maps each open earlier alert to the rules it still meets."""

    new: tuple[str, ...]
    followups: Mapping[int, tuple[str, ...]]

    @property
    def raise_alert(self) -> bool:
        return bool(self.new)


def _is_new(candidate: Candidate, earlier: Earlier | None) -> bool:
    if earlier is None or candidate.level is None or earlier.level is None:
        return True
    if candidate.symptom:
        return not (earlier.open and candidate.level <= earlier.level)
    if candidate.threshold is None:
        return True
    return candidate.level >= earlier.level + candidate.threshold


def decide(candidates: Sequence[Candidate], earlier: Mapping[str, Earlier]) -> Decision:
    """What to do with the candidates of one event; see the module docstring."""
    new = tuple(c.rule for c in candidates if _is_new(c, earlier.get(c.rule)))
    if new:
        return Decision(new=new, followups={})
    followups: dict[int, list[str]] = {}
    for c in candidates:
        held = earlier.get(c.rule)
        if held is not None and held.open:
            followups.setdefault(held.alert_id, []).append(c.rule)
    return Decision(new=(), followups={k: tuple(v) for k, v in followups.items()})
