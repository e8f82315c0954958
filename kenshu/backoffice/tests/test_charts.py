"""The dashboard's charts are drawn on the server from computed coordinates."""

from kenshu.backoffice import charts


def points(*values):
    return [charts.Point(f"m{i}", v, str(v)) for i, v in enumerate(values)]


def test_nice_steps_are_1_2_5_times_a_power_of_ten():
    assert charts.nice_step(7) == 2
    assert charts.nice_step(100) == 50
    assert charts.nice_step(1_234_567) == 500_000
    assert charts.nice_step(0) == 1


def test_bars_stand_on_the_zero_line_and_scale_to_the_largest_value():
    chart = charts.bar_chart(points(0, 5, 10))
    zero = chart.baseline
    assert chart.bars[0].height == 0
    assert chart.bars[2].height == 2 * chart.bars[1].height
    assert all(round(bar.y + bar.height, 1) == zero for bar in chart.bars)
    assert chart.ticks[0].text == "0"
    assert chart.bars[0].x < chart.bars[1].x < chart.bars[2].x


def test_a_negative_value_hangs_below_the_zero_line():
    chart = charts.bar_chart(points(10, -5))
    assert chart.bars[1].negative
    assert chart.bars[1].y == chart.baseline
    assert chart.bars[1].height > 0


def test_an_empty_chart_still_has_an_axis():
    chart = charts.bar_chart(points(0, 0))
    assert chart.is_empty
    assert len(chart.ticks) >= 2


def test_a_line_goes_through_every_point():
    chart = charts.line_chart(points(1, 3, 2))
    assert len(chart.line.split()) == 3
    ys = [y for _x, y, _p in chart.dots]
    assert ys[1] < ys[2] < ys[0]  # higher values are drawn higher (smaller y)


def test_percent_bars_are_capped_at_full_width():
    chart = charts.percent_bars(points(50, 100, 130))
    assert chart.rows[0].width * 2 == chart.rows[1].width
    assert chart.rows[2].width == chart.rows[1].width
    assert chart.rows[2].over
