"""The box plot's group part, kept per process (``distribution._group_part``): the same SVG as
drawn anew, a new drawing when the group's statistics change, and each practice its own marker."""

import dataclasses

import pytest
from django.utils import translation

from parabench import language
from parabench.dashboard import charts
from parabench.dashboard.charts import distribution
from parabench.dashboard.formatting import number_format

FULL = {"p10": 6.0, "p25": 8.0, "median": 10.0, "p75": 13.0, "p90": 17.0, "mean": 11.0}
STYLE = ("dec1", "")


@pytest.fixture(autouse=True)
def empty_cache():
    distribution._group_part.cache_clear()
    with translation.override("nl"):
        yield
    distribution._group_part.cache_clear()


def box(stats=FULL, value=10.2, style=STYLE):
    return charts.Distribution(
        key="kpi-sessions_per_episode",
        title="Behandelgemiddelde",
        description="…",
        stats=stats,
        value=value,
        show=number_format(1),
        axis=number_format,
        style=style,
    )


def drawn_anew(chart) -> str:
    """The chart drawn without the kept group part (no style)."""
    return charts.render(dataclasses.replace(chart, style=()))


@pytest.mark.parametrize("value", [10.2, 6.0, 17.0, 3.0, 25.0, None])
def test_a_kept_group_part_draws_what_is_drawn_anew(value):
    chart = box(value=value)
    assert charts.render(chart) == drawn_anew(chart)
    assert charts.render(chart) == drawn_anew(chart)  # the second time from the cache


def test_the_group_part_is_kept_only_when_the_practice_does_not_widen_the_axis():
    charts.render(box(value=10.2))
    charts.render(box(value=12.0))
    assert distribution._group_part.cache_info().currsize == 1
    charts.render(box(value=25.0))  # outside P10–P90: its own axis, nothing kept
    assert distribution._group_part.cache_info().currsize == 1


def test_new_statistics_of_the_group_are_drawn_not_the_kept_ones():
    before = charts.render(box())
    for name in FULL:
        refreshed = {**FULL, name: FULL[name] + 0.5}
        after = box(stats=refreshed)
        assert charts.render(after) == drawn_anew(after), name
        assert charts.render(after) != before, name


def test_a_group_that_publishes_fewer_statistics_is_drawn_without_them():
    charts.render(box())
    small = {"p25": 8.0, "median": 10.0, "p75": 13.0}
    assert charts.render(box(stats=small)) == drawn_anew(box(stats=small))
    assert "P10–P90" not in charts.render(box(stats=small))


def test_two_practices_of_one_group_each_get_their_own_marker():
    first, second = charts.render(box(value=9.0)), charts.render(box(value=12.0))
    assert first == drawn_anew(box(value=9.0))
    assert second == drawn_anew(box(value=12.0))
    assert "Uw praktijk: 9,0" in first and "12,0" not in first
    assert "Uw praktijk: 12,0" in second and "9,0" not in second
    # Only the group's figures are kept: no practice's value in what is kept.
    (low, high, markup, legend), *_ = (
        distribution._group_part(key) for key in _kept_keys(box(value=9.0))
    )
    assert "9,0" not in markup and "12,0" not in markup and "practice" not in str(legend)


def test_another_style_or_language_is_drawn_in_its_own_words():
    dutch = charts.render(box())
    percent = box(style=("pct", ""))
    assert charts.render(percent) == drawn_anew(percent)
    with translation.override("en"):
        english = charts.render(box())
        assert english == drawn_anew(box())
    assert english != dutch and "mediaan" in dutch and "median" in english


def _kept_keys(chart):
    stats = {k: v for k, v in chart.stats.items() if v is not None}
    return [
        distribution._GroupKey(
            tuple(stats.items()), chart.style, language.current(), chart.show, chart.axis
        )
    ]
