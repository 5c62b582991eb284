"""Bar-chart geometry for server-rendered inline SVG; the template draws it and escapes labels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 560, 220
PAD_LEFT, PAD_BOTTOM, PAD_TOP = 36, 28, 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float
    series: int = 0


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    max_value: float
    width: int = WIDTH
    height: int = HEIGHT
    legend: tuple[str, ...] = ()
    label_every: int = 1

    @property
    def baseline(self) -> int:
        return self.height - PAD_BOTTOM

    @property
    def left(self) -> int:
        return PAD_LEFT


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Sequence[float]],
    legend: Sequence[str] = (),
) -> BarChart:
    """Grouped bars: one group per label, one bar per series within it."""
    top = max((v for values in series for v in values), default=0.0) or 1.0
    plot_w = WIDTH - PAD_LEFT - 8
    plot_h = HEIGHT - PAD_BOTTOM - PAD_TOP
    group_w = plot_w / max(1, len(labels))
    bar_w = max(2.0, group_w * 0.8 / max(1, len(series)))
    bars: list[Bar] = []
    for i, label in enumerate(labels):
        for s, values in enumerate(series):
            value = float(values[i])
            h = plot_h * value / top
            x = PAD_LEFT + i * group_w + group_w * 0.1 + s * bar_w
            bars.append(
                Bar(
                    round(x, 1),
                    round(HEIGHT - PAD_BOTTOM - h, 1),
                    round(bar_w, 1),
                    round(h, 1),
                    label,
                    value,
                    s,
                )
            )
    return BarChart(title, bars, top, legend=tuple(legend), label_every=max(1, len(labels) // 12))
