"""The SVG charts: values placed on the axis, labels escaped, gaps and empty data."""

from reports.charts import axis_top, bar_chart, line_chart


def test_a_line_runs_from_the_first_day_to_the_last_on_a_rounded_axis():
    svg = line_chart("v", "Volume", ["1 Nov", "2 Nov", "3 Nov"], [("New", [0, 5, 10])])
    # Axis 0..10 over the 146 px plot (220 - 12 - 28 = 180 high; 640 - 44 - 90 = 506 wide).
    assert 'points="44.0,192.0 297.0,102.0 550.0,12.0"' in svg
    assert ">10</text>" in svg and ">5</text>" in svg
    assert "1 Nov" in svg and "3 Nov" in svg
    assert '<title id="v-title">Volume</title>' in svg


def test_lines_differ_by_dash_and_marker_not_only_colour():
    svg = line_chart("v", "t", ["a", "b"], [("New", [1, 2]), ("Solved", [2, 1])])
    # A marker per point and one in the key for each line.
    assert svg.count("<circle") == 3 and svg.count("<rect") == 3
    assert svg.count('stroke-dasharray="6 4"') == 2  # the line and its key
    assert ">New</text>" in svg and ">Solved</text>" in svg


def test_a_day_without_a_value_breaks_the_line():
    svg = line_chart("c", "t", ["a", "b", "c", "d"], [("Met %", [80, None, 50, 60])], top=100)
    assert svg.count("<polyline") == 2
    assert svg.count("<circle") == 3 + 1
    empty = line_chart("c", "t", ["a"], [("Met %", [None])], top=100)
    assert "<polyline" not in empty


def test_count_axes_have_no_half_ticks():
    svg = line_chart("v", "t", ["a", "b"], [("New", [0, 1])])
    assert ">0.5</text>" not in svg and ">1</text>" in svg
    assert ">50%</text>" in line_chart("c", "t", ["a"], [("Met", [1])], top=100, unit="%")


def test_labels_are_escaped():
    svg = bar_chart("b", "<b>Backlog</b>", [("<script>x</script>", 3)])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "&lt;b&gt;Backlog" in svg


def test_bars_scale_to_the_largest_and_keep_zero():
    svg = bar_chart("b", "t", [("one", 4), ("none", 0)])
    assert 'width="460.0"' in svg and 'width="0.0"' in svg
    assert bar_chart("b", "t", [("none", 0)]).count("<rect") == 1


def test_round_axis_tops():
    assert [axis_top(v) for v in (0, 1, 3, 7, 10, 11, 140, 999)] == [
        1,
        1,
        5,
        10,
        10,
        20,
        200,
        1000,
    ]
