"""Charts drawn on the server as SVG (no JavaScript, no CDN: they work offline).

A chart is computed here as plain coordinates; the templates
``backoffice/charts/bar_chart.html`` and ``line_chart.html`` draw them as inline SVG
with a ``<title>`` (tooltip) on every bar or point, and each chart is followed by
the same figures as a table for screen readers and for copying.
"""

import math
from dataclasses import dataclass, field

#: The drawing area inside the SVG's viewBox (left, top, right, bottom margins).
WIDTH, HEIGHT = 640, 240
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 12, 12, 40


@dataclass(frozen=True)
class Point:
    label: str
    value: int
    text: str  #: the value as shown (e.g. "¥1,200,000", "82%")
    short: str = ""  #: the label under the axis, when the full one is too long


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label_x: float
    point: Point
    negative: bool = False


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass
class Chart:
    points: list[Point]
    ticks: list[Tick]
    baseline: float
    bars: list[Bar] = field(default_factory=list)
    line: str = ""  #: "x,y x,y …" of a polyline
    dots: list[tuple[float, float, Point]] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = MARGIN_LEFT
    right: int = WIDTH - MARGIN_RIGHT
    label_y: int = HEIGHT - MARGIN_BOTTOM + 18

    @property
    def is_empty(self) -> bool:
        return not any(p.value for p in self.points)


def nice_step(span: float, ticks: int = 4) -> int:
    """A round step (1, 2, 5 × 10ⁿ) that divides ``span`` into about ``ticks`` parts."""
    if span <= 0:
        return 1
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return max(int(factor * magnitude), 1)
    return max(int(10 * magnitude), 1)


def _scale(points: list[Point], fmt, *, fixed_max: int | None = None):
    """The value range (rounded to steps, always including 0), a y mapping, the ticks."""
    values = [p.value for p in points] or [0]
    high = max(max(values), 0) if fixed_max is None else fixed_max
    low = min(min(values), 0)
    step = nice_step(high - low or 1)
    top = math.ceil(high / step) * step if high > 0 else 0
    bottom = math.floor(low / step) * step if low < 0 else 0
    if top == bottom:
        top = bottom + step
    plot_top, plot_bottom = MARGIN_TOP, HEIGHT - MARGIN_BOTTOM

    def y_of(value: float) -> float:
        return round(plot_bottom - (value - bottom) / (top - bottom) * (plot_bottom - plot_top), 1)

    ticks = [Tick(y_of(v), fmt(v)) for v in range(bottom, top + 1, step)]
    return y_of, ticks


def bar_chart(points: list[Point], *, fmt=str, fixed_max: int | None = None) -> Chart:
    """Vertical bars, one per point, from the zero line (down for negative values)."""
    y_of, ticks = _scale(points, fmt, fixed_max=fixed_max)
    zero = y_of(0)
    slot = (WIDTH - MARGIN_LEFT - MARGIN_RIGHT) / max(len(points), 1)
    width = round(slot * 0.64, 1)
    bars = []
    for index, point in enumerate(points):
        x = MARGIN_LEFT + index * slot + (slot - width) / 2
        y = y_of(point.value)
        bars.append(
            Bar(
                x=round(x, 1),
                y=min(y, zero),
                width=width,
                height=round(abs(zero - y), 1),
                label_x=round(x + width / 2, 1),
                point=point,
                negative=point.value < 0,
            )
        )
    return Chart(points=points, ticks=ticks, baseline=zero, bars=bars)


def line_chart(points: list[Point], *, fmt=str) -> Chart:
    """A line through the points, with a dot (and tooltip) on each."""
    y_of, ticks = _scale(points, fmt)
    slot = (WIDTH - MARGIN_LEFT - MARGIN_RIGHT) / max(len(points), 1)
    dots = []
    for index, point in enumerate(points):
        x = round(MARGIN_LEFT + index * slot + slot / 2, 1)
        dots.append((x, y_of(point.value), point))
    line = " ".join(f"{x},{y}" for x, y, _point in dots)
    return Chart(points=points, ticks=ticks, baseline=y_of(0), line=line, dots=dots)


#: Horizontal bars (fill rate by course): a row per item.
ROW_HEIGHT, ROW_GAP, LABEL_WIDTH, HBAR_WIDTH = 22, 8, 96, 640


@dataclass(frozen=True)
class HBar:
    y: float
    width: float
    text_x: float
    point: Point
    over: bool  #: more than the full width (capacity exceeded)


@dataclass
class HChart:
    points: list[Point]
    rows: list[HBar]
    width: int
    height: int
    full_x: float  #: the x of 100 %
    left: int = LABEL_WIDTH

    @property
    def track_width(self) -> float:
        return self.full_x - self.left


def percent_bars(points: list[Point], *, width: int = HBAR_WIDTH) -> HChart:
    """Horizontal bars of percentages (0–100 %, longer bars capped at the edge)."""
    full = width - LABEL_WIDTH - 48  # room for the code before and the figure after
    rows = []
    for index, point in enumerate(points):
        length = round(min(max(point.value, 0), 100) / 100 * full, 1)
        rows.append(
            HBar(
                y=index * (ROW_HEIGHT + ROW_GAP),
                width=length,
                text_x=round(LABEL_WIDTH + length + 6, 1),
                point=point,
                over=point.value > 100,
            )
        )
    height = max(len(points) * (ROW_HEIGHT + ROW_GAP) - ROW_GAP, ROW_HEIGHT)
    return HChart(points=points, rows=rows, width=width, height=height, full_x=LABEL_WIDTH + full)
