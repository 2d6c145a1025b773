"""Charts of a participant's ALSFRS totals over time, as PNG images for Telegram.

Drawn with matplotlib's Agg backend (no display), off the event loop: call `totals_png` through
`asyncio.to_thread`. Labels come from the locale; nothing but the study ID, dates and totals is
drawn.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from locales import Translator

__all__ = ["totals_png"]


def totals_png(t: Translator, subject: str, points: Sequence[tuple[datetime, int]]) -> bytes:
    """A line chart of totals (0-40) against submission dates, oldest first."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import dates as mdates
    from matplotlib.figure import Figure

    ordered = sorted(points)
    figure = Figure(figsize=(6.4, 3.6), dpi=110)
    axes = figure.add_subplot()
    axes.plot(
        mdates.date2num([when for when, _ in ordered]),  # type: ignore[no-untyped-call]
        [total for _, total in ordered],
        marker="o",
        linewidth=2,
        color="#1f5f99",
    )
    axes.set_ylim(0, 40)
    axes.set_yticks(range(0, 41, 10))
    axes.grid(True, alpha=0.3)
    axes.set_title(t("chart-title", subject=subject))
    axes.set_ylabel(t("chart-y"))
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))  # type: ignore[no-untyped-call]
    figure.autofmt_xdate()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
