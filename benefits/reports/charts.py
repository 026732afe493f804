"""Bar charts drawn on the server as SVG (readable without JavaScript; the page puts
each chart's data table beside it, and the SVG carries a title and a description for
screen readers). Only geometry here: the words come from the page."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 640, 240
MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_TOP = 8, 40, 16


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: str
    label_x: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    baseline: float


def bar_chart(points: list[tuple[str, int]], value_text=str) -> Chart:
    """Vertical bars for ``points`` ((label, value) pairs, values not negative), scaled to
    the largest; ``value_text`` words a value above its bar."""
    plot_height = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP
    slot = (WIDTH - MARGIN_LEFT) / max(len(points), 1)
    largest = max((value for _label, value in points), default=0) or 1
    bars = []
    for n, (label, value) in enumerate(points):
        height = plot_height * max(value, 0) / largest
        x = MARGIN_LEFT + n * slot + slot * 0.15
        bars.append(Bar(
            x=round(x, 1), y=round(HEIGHT - MARGIN_BOTTOM - height, 1),
            width=round(slot * 0.7, 1), height=round(height, 1), label=label,
            value=value_text(value), label_x=round(x + slot * 0.35, 1),
        ))  # fmt: skip
    return Chart(WIDTH, HEIGHT, tuple(bars), HEIGHT - MARGIN_BOTTOM)
