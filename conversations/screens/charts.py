"""Charts of a participant's ALSFRS totals over time, as PNG images for Telegram.

Drawn with matplotlib's Agg backend (no display), off the event loop: call the `*_png`
functions through `asyncio.to_thread`. Labels come from the locale; nothing but the study ID,
dates, totals and FVC is drawn.

- `staff_png`: what staff see in /participant: patient, caregiver and clinic points with their
  own marker and a legend, the baseline marked, FVC % on a second panel when there is any.
- `history_png`: the patient's own /history: their totals and the clinic's totals, no more.
- `bland_altman_png`: the agreement plot of `alsfrs-bot agreement --plot`.

Two points on one day are drawn side by side (a fraction of a day apart), never on top of each
other; the date axis shows localised day and month, at most `MAX_TICKS` labels.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Final, Literal

from babel.dates import format_skeleton

from locales import Translator

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "DPI",
    "KINDS",
    "ChartPoint",
    "bland_altman_figure",
    "bland_altman_png",
    "day_month",
    "history_figure",
    "history_png",
    "spread",
    "staff_figure",
    "staff_png",
]

Kind = Literal["patient", "caregiver", "clinic"]
KINDS: Final[tuple[Kind, ...]] = ("patient", "caregiver", "clinic")
DPI: Final = 100
WIDTH: Final = 7.2  # inches: 720 px
HEIGHT: Final = 4.0  # one panel: 400 px
HEIGHT_WITH_FVC: Final = 5.6  # totals and FVC: 560 px
MAX_TICKS: Final = 6
# Marker, colour and fill of each kind: told apart by shape as well as colour.
STYLE: Final[dict[Kind, tuple[str, str]]] = {
    "patient": ("o", "#1f5f99"),
    "caregiver": ("^", "#d95f02"),
    "clinic": ("s", "#1b9e77"),
}
FVC_COLOUR: Final = "#7570b3"
_BABEL: Final = {"en": "en_GB", "cs": "cs_CZ"}


@dataclass(frozen=True, slots=True)
class ChartPoint:
    """One total to draw: a self-report (patient or caregiver) or a clinic rating."""

    day: date
    total: int
    kind: Kind


def day_month(t: Translator, value: date) -> str:
    """'3 Nov', '3. 11.': day and month as the language writes them."""
    return str(format_skeleton("dMMM", value, locale=_BABEL[t.language]))


def spread(days: Sequence[date]) -> list[float]:
    """Matplotlib x positions (days) for points in this order: points of one day are set side
    by side, centred on the day, a marker's width apart (1/45 of the span, 0.3 to 7 days), so
    that none hides another."""
    from matplotlib import dates as mdates

    index: dict[date, list[int]] = defaultdict(list)
    for i, day in enumerate(days):
        index[day].append(i)
    out = [0.0] * len(days)
    span = (max(days) - min(days)).days if days else 0
    gap = min(7.0, max(0.3, span / 45))
    for day, where in index.items():
        base = float(mdates.date2num(datetime(day.year, day.month, day.day)))  # type: ignore[no-untyped-call]
        for j, i in enumerate(where):
            out[i] = base + gap * (j - (len(where) - 1) / 2)
    return out


def _figure(height: float) -> Figure:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(WIDTH, height), dpi=DPI)


def _date_axis(t: Translator, axes: Axes, xs: Sequence[float]) -> None:
    """Day-month labels in the language, at most MAX_TICKS, on whole days, with room around."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    low, high = min(xs), max(xs)
    pad = max(2.0, (high - low) * 0.06)
    axes.set_xlim(low - pad, high + pad)
    axes.xaxis.set_major_locator(MaxNLocator(nbins=MAX_TICKS, integer=True, min_n_ticks=2))

    def label(x: float, _pos: int | None = None) -> str:
        from matplotlib import dates as mdates

        return day_month(t, mdates.num2date(x).date())  # type: ignore[no-untyped-call]

    axes.xaxis.set_major_formatter(FuncFormatter(label))


def _totals_axes(t: Translator, axes: Axes) -> None:
    axes.set_ylim(-1, 41)
    axes.set_yticks(range(0, 41, 10))
    axes.grid(True, alpha=0.3)
    axes.set_ylabel(t("chart-y"))


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _plot_points(
    t: Translator, axes: Axes, points: Sequence[ChartPoint]
) -> tuple[list[ChartPoint], list[float]]:
    """The trend line through every total, then each kind's points with its own marker; one
    line per kind, its gid the kind (tests count the points drawn)."""
    ordered = sorted(points, key=lambda p: (p.day, KINDS.index(p.kind)))
    xs = spread([p.day for p in ordered])
    axes.plot(xs, [p.total for p in ordered], color="#999999", linewidth=1, zorder=1, gid="trend")
    for kind in KINDS:
        mine = [(x, p.total) for x, p in zip(xs, ordered, strict=True) if p.kind == kind]
        if not mine:
            continue
        marker, colour = STYLE[kind]
        axes.plot(
            [x for x, _ in mine],
            [y for _, y in mine],
            linestyle="none",
            marker=marker,
            markersize=8,
            color=colour,
            label=t(f"chart-kind-{kind}"),
            gid=kind,
            zorder=3,
        )
    return ordered, xs


def staff_figure(
    t: Translator,
    subject: str,
    points: Sequence[ChartPoint],
    *,
    baseline: ChartPoint | None = None,
    fvc: Sequence[tuple[date, int]] = (),
) -> Figure:
    """Totals by kind, the baseline ringed and drawn as a dashed level, FVC below when any."""
    figure = _figure(HEIGHT_WITH_FVC if fvc else HEIGHT)
    if fvc:
        grid = figure.add_gridspec(2, 1, height_ratios=(2, 1), hspace=0.08)
        axes = figure.add_subplot(grid[0])
        lower = figure.add_subplot(grid[1], sharex=axes)
    else:
        axes = figure.add_subplot()
        lower = None
    ordered, xs = _plot_points(t, axes, points)
    if baseline is not None:
        label = t(f"chart-baseline-{baseline.kind}", date=day_month(t, baseline.day))
        axes.axhline(baseline.total, color="#555555", linestyle="--", linewidth=1, zorder=0)
        bx = xs[ordered.index(baseline)] if baseline in ordered else spread([baseline.day])[0]
        axes.plot(
            [bx],
            [baseline.total],
            linestyle="none",
            marker="o",
            markersize=16,
            markerfacecolor="none",
            markeredgecolor="#555555",
            markeredgewidth=1.5,
            label=label,
            gid="baseline",
            zorder=4,
        )
    _totals_axes(t, axes)
    axes.set_title(t("chart-title", subject=subject))
    axes.legend(loc="lower left", fontsize="small", framealpha=0.9)
    all_x = list(xs)
    if lower is not None:
        fvc_sorted = sorted(fvc)
        fx = spread([day for day, _ in fvc_sorted])
        lower.plot(
            fx,
            [value for _, value in fvc_sorted],
            marker="D",
            color=FVC_COLOUR,
            label=t("chart-fvc"),
            gid="fvc",
        )
        lower.set_ylim(0, max(120, *(v for _, v in fvc_sorted)) + 5)
        lower.set_ylabel(t("chart-fvc"))
        lower.grid(True, alpha=0.3)
        axes.tick_params(labelbottom=False)
        all_x += fx
        _date_axis(t, lower, all_x)
    else:
        _date_axis(t, axes, all_x)
    figure.subplots_adjust(left=0.1, right=0.97, top=0.92, bottom=0.1 if lower else 0.12)
    return figure


def staff_png(
    t: Translator,
    subject: str,
    points: Sequence[ChartPoint],
    *,
    baseline: ChartPoint | None = None,
    fvc: Sequence[tuple[date, int]] = (),
) -> bytes:
    return _png(staff_figure(t, subject, points, baseline=baseline, fvc=fvc))


def history_figure(
    t: Translator,
    subject: str,
    own: Sequence[tuple[date, int]],
    clinic: Sequence[tuple[date, int]] = (),
) -> Figure:
    """The patient's chart: their totals and, when any, the clinic's totals; nothing else."""
    figure = _figure(HEIGHT)
    axes = figure.add_subplot()
    points = [ChartPoint(day, total, "patient") for day, total in own]
    points += [ChartPoint(day, total, "clinic") for day, total in clinic]
    _, xs = _plot_points(t, axes, points)
    _totals_axes(t, axes)
    axes.set_title(t("chart-title", subject=subject))
    if clinic:
        axes.legend(loc="lower left", fontsize="small", framealpha=0.9)
    _date_axis(t, axes, xs)
    figure.subplots_adjust(left=0.1, right=0.97, top=0.9, bottom=0.12)
    return figure


def history_png(
    t: Translator,
    subject: str,
    own: Sequence[tuple[date, int]],
    clinic: Sequence[tuple[date, int]] = (),
) -> bytes:
    return _png(history_figure(t, subject, own, clinic))


def bland_altman_figure(
    t: Translator,
    pairs: Sequence[tuple[int, int]],
    *,
    mean_difference: float,
    limits: tuple[float, float],
    title: str,
) -> Figure:
    """Difference (report − clinic) against the mean of the two, with the mean difference and
    the 95 % limits of agreement as horizontal lines."""
    figure = _figure(HEIGHT)
    axes = figure.add_subplot()
    axes.plot(
        [(a + b) / 2 for a, b in pairs],
        [b - a for a, b in pairs],
        linestyle="none",
        marker="o",
        color=STYLE["patient"][1],
        gid="pairs",
    )
    axes.axhline(mean_difference, color="#333333", linewidth=1.2)
    for limit in limits:
        axes.axhline(limit, color="#333333", linestyle="--", linewidth=1)
    axes.set_xlim(-1, 41)
    axes.set_xlabel(t("agreement-plot-x"))
    axes.set_ylabel(t("agreement-plot-y"))
    axes.set_title(title)
    axes.grid(True, alpha=0.3)
    figure.subplots_adjust(left=0.12, right=0.97, top=0.9, bottom=0.13)
    return figure


def bland_altman_png(
    t: Translator,
    pairs: Sequence[tuple[int, int]],
    *,
    mean_difference: float,
    limits: tuple[float, float],
    title: str,
) -> bytes:
    return _png(
        bland_altman_figure(t, pairs, mean_difference=mean_difference, limits=limits, title=title)
    )
