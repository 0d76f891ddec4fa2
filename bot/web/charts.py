"""Small inline SVG charts: the geometry of bars, computed here, drawn by the templates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 600
HEIGHT = 120
# Room under the bars for the day labels.
AXIS = 14


@dataclass(frozen=True)
class Bar:
    """One bar: position, size, its value (None: no data that day) and label (the SVG title)."""

    x: float
    y: float
    width: float
    height: float
    value: float | None
    label: str


@dataclass(frozen=True)
class Chart:
    """Bars scaled to the chart's box, and the largest value (the scale)."""

    bars: list[Bar]
    top: float
    width: int = WIDTH
    height: int = HEIGHT


def bar_chart(points: Sequence[tuple[str, float | None]]) -> Chart:
    """Bars for (label, value) points; None is a gap (no data that day)."""
    top = max((v for _, v in points if v is not None), default=0.0) or 1.0
    slot = WIDTH / max(len(points), 1)
    room = HEIGHT - AXIS
    bars = []
    for index, (label, value) in enumerate(points):
        height = 0.0 if value is None else room * value / top
        bars.append(Bar(index * slot + 1, room - height, max(slot - 2, 1), height, value, label))
    return Chart(bars, top)
