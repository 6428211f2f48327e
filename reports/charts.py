"""Charts drawn on the server as SVG (templates/reports/_line_chart.html, _bar_chart.html):
no JavaScript and nothing fetched. Each line has its own dash and marker and a label at its
end, each bar its value written beside it, so colour is never the only cue; the page puts
the same numbers in a table under each chart."""

from dataclasses import dataclass

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 90, 12, 28
# Per series: stroke dash (none, dashed, dotted) and marker shape.
STYLES = (("", "circle"), ("6 4", "square"), ("2 3", "diamond"))


@dataclass
class Line:
    label: str
    points: str
    dash: str
    marker: str
    markers: list
    end_x: float
    end_y: float


def _nice_max(value: float) -> float:
    """A round top for the axis at or above `value`."""
    if value <= 0:
        return 1
    step = 1
    while step * 10 <= value:
        step *= 10
    for factor in (1, 2, 5, 10):
        if value <= step * factor:
            return step * factor
    return step * 10


def line_chart(labels: list[str], series: list[tuple[str, list[float]]], *, top=None) -> dict:
    """Coordinates for a line chart: x is the position in `labels` (days), y the value.
    `top` fixes the axis (100 for percentages); else it is rounded up from the data."""
    count = len(labels)
    highest = max(
        (value for _, values in series for value in values if value is not None), default=0
    )
    top = top or _nice_max(highest)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(index):
        return LEFT + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)

    def y(value):
        return TOP + plot_h - plot_h * value / top

    lines = []
    for (label, values), (dash, marker) in zip(series, STYLES, strict=False):
        known = [(x(i), y(v)) for i, v in enumerate(values) if v is not None]
        if not known:
            continue
        # Markers on every point for short periods; on a few for long ones.
        every = max(1, count // 15)
        lines.append(
            Line(
                label=label,
                points=" ".join(f"{px:.1f},{py:.1f}" for px, py in known),
                dash=dash,
                marker=marker,
                markers=[(round(px, 1), round(py, 1)) for px, py in known[::every]],
                end_x=round(known[-1][0] + 6, 1),
                end_y=round(known[-1][1] + 4, 1),
            )
        )
    ticks = [(round(y(top * share), 1), _tick(top * share)) for share in (0, 0.5, 1)]
    shown = sorted({0, count // 2, count - 1}) if count else []
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": HEIGHT - BOTTOM,
        "lines": lines,
        "ticks": ticks,
        "x_labels": [(round(x(i), 1), labels[i]) for i in shown],
        "label_y": HEIGHT - 8,
    }


def _tick(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def bar_chart(bars: list[tuple[str, int]]) -> dict:
    """Horizontal bars, each with its label on the left and its value at its end."""
    row, label_w, value_w = 26, 130, 50
    highest = max((value for _, value in bars), default=0) or 1
    span = WIDTH - label_w - value_w
    return {
        "width": WIDTH,
        "height": row * len(bars) + 4,
        "bars": [
            {
                "label": label,
                "value": value,
                "y": index * row + 2,
                "text_y": index * row + 18,
                "x": label_w,
                "w": round(span * value / highest, 1),
                "value_x": round(label_w + span * value / highest + 6, 1),
                "label_x": label_w - 8,
            }
            for index, (label, value) in enumerate(bars)
        ],
    }
