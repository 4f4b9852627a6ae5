"""Pure presentation rules, on hand-made figures of the benchmark's own dataclasses."""

import pytest
from django.utils import translation

from parabench.benchmark.queries import GroupStats, KpiFigure, MixFigure
from parabench.dashboard import charts, presentation


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


STATS = GroupStats(size=(40, None), p10=6.0, p25=8.0, median=10.0, p75=13.0, p90=17.0)


def kpi(code="sessions_per_episode", verdict="around", value=10.2, stats=STATS, better="lower"):
    return KpiFigure(
        code=code,
        name="Behandelgemiddelde",
        unit="zittingen",
        tab="Behandelingen",
        better=better,
        number_format="dec1",
        explanation="Zittingen van afgesloten klachten gedeeld door afgesloten klachten.",
        value=value,
        stats=stats,
        band="median-p75",
        position="around",
        verdict=verdict,
    )


def test_values_follow_the_catalogue_number_format():
    assert presentation.value_format("eur")(36.531) == "€ 36,53"
    assert presentation.value_format("eur0")(412345.4) == "€ 412.345"
    assert presentation.value_format("pct")(59.34) == "59,3 %"
    assert presentation.value_format("int")(1804) == "1.804"
    assert presentation.value_format("dec1", "zittingen")(11.24) == "11,2 zittingen"


def test_an_undefined_value_is_a_dash():
    assert presentation.value_format("dec1")(None) == "–"
    assert presentation.value_format("pct")(float("nan")) == "–"


def test_the_distribution_chart_carries_only_group_statistics_and_the_practice():
    chart = presentation.distribution_chart(kpi(), STATS, str)
    assert chart.key == "kpi-sessions_per_episode"
    assert chart.stats == {"p10": 6.0, "p25": 8.0, "median": 10.0, "p75": 13.0, "p90": 17.0}
    assert chart.value == 10.2


def test_withheld_tails_are_neither_drawn_nor_listed():
    small = GroupStats(size=(10, 19), p25=8.0, median=10.0, p75=13.0)
    row = presentation.kpi_row(kpi(stats=small), too_small=False)
    assert set(row.chart.stats) == {"p25", "median", "p75"}
    assert "P10–P90" not in charts.render(row.chart)


def test_a_group_with_only_a_median_draws_the_median_alone():
    small = GroupStats(size=(5, 9), median=10.0)
    row = presentation.kpi_row(kpi(stats=small), too_small=False)
    assert row.chart.stats == {"median": 10.0}


def test_the_numbers_table_shows_only_published_figures_and_the_size_band():
    small = GroupStats(size=(5, 9), median=10.0)
    row = presentation.kpi_row(kpi(stats=small), too_small=False)
    assert [label for label, _value in row.table] == ["Uw praktijk", "Mediaan", "Aantal praktijken"]
    assert row.table[-1][1] == "5–9"
    assert row.band == "–"
    assert row.place == "tussen de mediaan en P75"
    assert row.position == "op de mediaan"  # no middle half to be in


def test_an_age_gender_mix_becomes_a_pyramid_with_women_on_the_left():
    mix = MixFigure(
        code="gender_age_mix",
        name="Leeftijdsopbouw",
        tab="Patiënten",
        explanation="",
        categories=[
            ("Vrouw 0–17", 10.0, 8.0),
            ("Vrouw 18–29", 20.0, 22.0),
            ("Man 0–17", 30.0, 28.0),
            ("Man 18–29", 38.0, 40.0),
            ("Anders 0–17", 2.0, 2.0),
        ],
    )
    block = presentation.mix_block(mix, too_small=False)
    assert block.pyramid and isinstance(block.chart, charts.Pyramid)
    assert block.chart.bands[:2] == ("0–17", "18–29")
    assert block.chart.left.name == "Vrouwen"
    assert block.chart.left.practice[:3] == (10.0, 20.0, None)
    assert block.chart.right.practice[:2] == (30.0, 38.0)
    assert block.chart.right.group[:2] == (28.0, 40.0)
    assert ("Anders 0–17", "2,0 %", "2,0 %") in block.rows


def test_the_pyramid_is_chosen_by_the_catalogue_code_and_read_by_keys_in_any_language():
    with translation.override("en"):
        english = MixFigure(
            "gender_age_mix", "Age and gender mix", "Patiënten", "", [("Female 0–17", 10.0, 8.0)]
        )
        block = presentation.mix_block(english, too_small=False)
        assert block.chart.left.practice[0] == 10.0 and block.chart.left.name == "Women"
    # Labels that look like genders do not make another mix a pyramid.
    lookalike = MixFigure("payer_mix", "Betalers", "Financiën", "", [("Vrouw 0–17", 5.0, 7.0)])
    assert isinstance(presentation.mix_block(lookalike, too_small=False).chart, charts.Bars)


def test_a_too_small_group_leaves_the_group_column_of_a_mix_empty():
    mix = MixFigure("payer_mix", "Betalers", "Financiën", "", [("Zelfbetaler", 5.0, 7.0)])
    block = presentation.mix_block(mix, too_small=True)
    assert block.rows == [("Zelfbetaler", "5,0 %", "–")]
    assert [series.role for series in block.chart.series] == ["practice"]
