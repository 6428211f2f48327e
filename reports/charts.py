"""Charts drawn on the server as SVG: no JavaScript and nothing fetched. Each line has its
own dash and marker, named in a key beside the plot, and each bar its value written at its
end, so colour is never the only cue; the page puts the same numbers in a table under each
chart.

Built as strings here rather than in a template: a 90-day chart has hundreds of numbers,
and the template engine would spend more time on them than the figures take to sum."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 90, 12, 28
# Per series: stroke dash (none, dashed, dotted) and marker shape.
STYLES = (("", "circle"), ("6 4", "square"), ("2 3", "diamond"))


def axis_top(value: float) -> float:
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


def _tick(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def _marker(shape: str, x: float, y: float) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3"/>'
    if shape == "square":
        return f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6"/>'
    return f'<path d="M{x:.1f} {y - 4:.1f} l4 4 l-4 4 l-4 -4 z"/>'


def _open(chart_id: str, title: str, height: int) -> list[str]:
    return [
        f'<svg viewBox="0 0 {WIDTH} {height}" class="report-chart" role="img" '
        f'aria-labelledby="{chart_id}-title">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]


def line_chart(
    chart_id: str,
    title: str,
    labels: list[str],
    series: list[tuple[str, list]],
    *,
    top=None,
    unit: str = "",
) -> SafeString:
    """A line per series over the days in `labels`; a value of None leaves a gap in the
    markers (the line joins the known points). `top` fixes the axis (100 for percentages)."""
    count = len(labels)
    highest = max((v for _, values in series for v in values if v is not None), default=0)
    integer = top is None  # counts: no tick at 0.5
    top = top or axis_top(highest)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(index):
        return LEFT + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)

    def y(value):
        return TOP + plot_h - plot_h * value / top

    parts = _open(chart_id, title, HEIGHT)
    for share in (0, 0.5, 1):
        if integer and top * share != int(top * share):
            continue
        tick_y = y(top * share)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{tick_y:.1f}" y2="{tick_y:.1f}" '
            f'class="grid"/><text x="{LEFT - 6}" y="{tick_y + 4:.1f}" text-anchor="end" '
            f'class="axis">{_tick(top * share)}{escape(unit)}</text>'
        )
    for index in sorted({0, count // 2, count - 1}) if count else []:
        parts.append(
            f'<text x="{x(index):.1f}" y="{HEIGHT - 8}" text-anchor="middle" '
            f'class="axis">{escape(labels[index])}</text>'
        )
    # Markers on every point for short periods; on about fifteen for long ones.
    every = max(1, count // 15)
    for number, ((label, values), (dash, shape)) in enumerate(zip(series, STYLES, strict=False), 1):
        known = [(x(i), y(v)) for i, v in enumerate(values) if v is not None]
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<g class="series series-{number}">')
        # A day without a value (no outcome came due) breaks the line instead of bridging it.
        segment: list[str] = []
        for index, value in enumerate([*values, None]):
            if value is not None:
                segment.append(f"{x(index):.1f},{y(value):.1f}")
            elif segment:
                parts.append(f'<polyline points="{" ".join(segment)}" fill="none"{dashed}/>')
                segment = []
        parts.extend(_marker(shape, px, py) for px, py in known[::every])
        # The key, in the right margin: the line's dash and marker, and its name.
        key_x, key_y = WIDTH - RIGHT + 12, TOP + 8 + 22 * (number - 1)
        parts.append(
            f'<line x1="{key_x}" x2="{key_x + 24}" y1="{key_y}" y2="{key_y}"{dashed}/>'
            f"{_marker(shape, key_x + 12, key_y)}"
            f'<text x="{key_x + 30}" y="{key_y + 4}" class="series-label">{escape(label)}</text>'
            "</g>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every value above is a number or escaped


def bar_chart(chart_id: str, title: str, bars: list[tuple[str, int]]) -> SafeString:
    """Horizontal bars, each with its label on the left and its value at its end."""
    row, label_w, value_w = 26, 130, 50
    highest = max((value for _, value in bars), default=0) or 1
    span = WIDTH - label_w - value_w
    parts = _open(chart_id, title, row * len(bars) + 4)
    for index, (label, value) in enumerate(bars):
        top, width = index * row + 2, span * value / highest
        parts.append(
            f'<text x="{label_w - 8}" y="{top + 16}" text-anchor="end" class="axis">'
            f'{escape(label)}</text><rect x="{label_w}" y="{top}" width="{width:.1f}" '
            f'height="20" class="bar"/><text x="{label_w + width + 6:.1f}" y="{top + 16}" '
            f'class="value">{value}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every value above is a number or escaped
