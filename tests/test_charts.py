"""Chart images: they decode, have the expected size, draw exactly the data's points (by kind),
mark the baseline, put FVC on its own panel, and never overlap two labels or two points."""

from __future__ import annotations

import io
from datetime import date

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import imread

from conversations.screens import charts
from conversations.screens.charts import ChartPoint
from locales import Language, translator

LANGUAGES: tuple[Language, ...] = ("en", "cs")
POINTS = [
    ChartPoint(date(2026, 3, 1), 34, "clinic"),
    ChartPoint(date(2026, 3, 1), 35, "patient"),  # same day as the clinic visit
    ChartPoint(date(2026, 3, 1), 33, "caregiver"),  # and the caregiver, too
    ChartPoint(date(2026, 3, 15), 33, "patient"),
    ChartPoint(date(2026, 4, 2), 31, "caregiver"),
    ChartPoint(date(2026, 4, 20), 30, "patient"),
    ChartPoint(date(2026, 5, 30), 29, "clinic"),
]
FVC = [(date(2026, 3, 1), 84), (date(2026, 5, 30), 71)]


def _lines(figure: Figure) -> dict[str, tuple[list[float], list[float]]]:
    found = {}
    for axes in figure.axes:
        for line in axes.get_lines():
            if line.get_gid():
                xs = [float(x) for x in line.get_xdata()]  # type: ignore[union-attr,arg-type]
                ys = [float(y) for y in line.get_ydata()]  # type: ignore[union-attr,arg-type]
                found[str(line.get_gid())] = (xs, ys)
    return found


def _decode(png: bytes) -> tuple[int, int, float]:
    """(width, height, share of pixels that are not white)."""
    assert png.startswith(b"\x89PNG")
    image = imread(io.BytesIO(png), format="png")
    height, width = image.shape[:2]
    ink = (image[:, :, :3].sum(axis=2) < 2.9).mean()
    return width, height, float(ink)


def _colour_pixels(png: bytes, hex_colour: str) -> int:
    image = imread(io.BytesIO(png), format="png")[:, :, :3]
    target = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    close = abs(image - target).max(axis=2) < 0.03
    return int(close.sum())


def _no_overlap(figure: Figure) -> None:
    canvas = FigureCanvasAgg(figure)
    canvas.draw()  # type: ignore[no-untyped-call]
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
    for axes in figure.axes:
        boxes = [
            label.get_window_extent(renderer)
            for label in axes.get_xticklabels()
            if label.get_visible() and label.get_text()
        ]
        for i, one in enumerate(boxes):
            for other in boxes[i + 1 :]:
                assert not one.overlaps(other), "two date labels overlap"


@pytest.mark.parametrize("language", LANGUAGES)
def test_staff_chart_draws_each_kind_the_baseline_and_fvc(language: Language) -> None:
    t = translator(language)
    baseline = POINTS[0]
    figure = charts.staff_figure(t, "S001", POINTS, baseline=baseline, fvc=FVC)
    lines = _lines(figure)
    for kind in charts.KINDS:
        expected = sorted(p.total for p in POINTS if p.kind == kind)
        assert sorted(lines[kind][1]) == expected
    assert sum(len(lines[k][0]) for k in charts.KINDS) == len(POINTS)
    assert lines["baseline"][1] == [34.0]
    assert lines["fvc"][1] == [84.0, 71.0]
    assert len(figure.axes) == 2
    # the three points of 1 March sit side by side, not on top of each other
    same_day = [x for k in charts.KINDS for x in lines[k][0] if x < lines["fvc"][0][0] + 5]
    assert len(same_day) == 3
    assert len(set(same_day)) == 3
    legend = figure.axes[0].get_legend()
    assert legend is not None
    texts = [text.get_text() for text in legend.get_texts()]
    assert [t("chart-kind-patient"), t("chart-kind-caregiver"), t("chart-kind-clinic")] == texts[:3]
    assert texts[3] == t("chart-baseline-clinic", date=charts.day_month(t, date(2026, 3, 1)))
    _no_overlap(figure)
    labels = [x.get_text() for x in figure.axes[1].get_xticklabels() if x.get_text()]
    assert labels
    assert all(any(c.isdigit() for c in label) for label in labels)
    assert all("2026" not in label for label in labels)  # day and month

    png = charts.staff_png(t, "S001", POINTS, baseline=baseline, fvc=FVC)
    width, height, ink = _decode(png)
    assert (width, height) == (720, 560)
    assert ink > 0.02
    for kind in charts.KINDS:
        assert _colour_pixels(png, charts.STYLE[kind][1]) > 30, kind
    assert _colour_pixels(png, charts.FVC_COLOUR) > 30


def test_day_month_is_localised() -> None:
    assert charts.day_month(translator("en"), date(2026, 11, 3)) == "3 Nov"
    assert charts.day_month(translator("cs"), date(2026, 11, 3)) == "3. 11."


@pytest.mark.parametrize("language", LANGUAGES)
def test_staff_chart_without_fvc_has_one_panel(language: Language) -> None:
    t = translator(language)
    points = [p for p in POINTS if p.kind != "clinic"]
    figure = charts.staff_figure(t, "S002", points)
    assert len(figure.axes) == 1
    lines = _lines(figure)
    assert "clinic" not in lines
    assert "baseline" not in lines
    assert "fvc" not in lines
    assert sum(len(lines[k][0]) for k in ("patient", "caregiver")) == len(points)
    _no_overlap(figure)
    width, height, ink = _decode(charts.staff_png(t, "S002", points))
    assert (width, height) == (720, 400)
    assert ink > 0.02


@pytest.mark.parametrize("language", LANGUAGES)
def test_history_chart_shows_own_and_clinic_totals_only(language: Language) -> None:
    t = translator(language)
    own = [(date(2026, 3, 1), 35), (date(2026, 3, 8), 34), (date(2026, 3, 9), 34)]
    clinic = [(date(2026, 3, 1), 33)]
    figure = charts.history_figure(t, "S001", own, clinic)
    lines = _lines(figure)
    assert lines["patient"][1] == [35.0, 34.0, 34.0]
    assert lines["clinic"][1] == [33.0]
    assert set(lines) == {"trend", "patient", "clinic"}
    _no_overlap(figure)
    png = charts.history_png(t, "S001", own, clinic)
    width, height, _ = _decode(png)
    assert (width, height) == (720, 400)
    assert _colour_pixels(png, charts.STYLE["patient"][1]) > 30
    assert _colour_pixels(png, charts.STYLE["clinic"][1]) > 30


def test_points_far_apart_and_a_long_span_still_have_few_readable_labels() -> None:
    t = translator("cs")
    points = [ChartPoint(date(2025, 1, 1 + i % 28), 40 - i % 5, "patient") for i in range(28)]
    points += [ChartPoint(date(2026, 6, 30), 20, "clinic")]
    figure = charts.staff_figure(t, "S003", points)
    _no_overlap(figure)
    assert (
        len([x for x in figure.axes[0].get_xticklabels() if x.get_text()]) <= charts.MAX_TICKS + 1
    )


def test_bland_altman_plot_draws_every_pair() -> None:
    t = translator("en")
    pairs = [(30, 31), (20, 19), (10, 12), (40, 40)]
    figure = charts.bland_altman_figure(t, pairs, mean_difference=0.5, limits=(-2, 3), title="x")
    assert _lines(figure)["pairs"] == ([30.5, 19.5, 11.0, 40.0], [1.0, -1.0, 2.0, 0.0])
    png = charts.bland_altman_png(t, pairs, mean_difference=0.5, limits=(-2, 3), title="x")
    assert _decode(png)[:2] == (720, 400)
