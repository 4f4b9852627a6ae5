"""Pure presentation rules, on hand-made figures of the benchmark's own dataclasses."""

import pytest
from django.utils import translation

from parabench.benchmark.queries import GroupStats, KpiFigure, MixFigure
from parabench.dashboard import presentation
from parabench.dashboard.presentation import TABS


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
    assert presentation.value_text(36.531, "eur") == "€ 36,53"
    assert presentation.value_text(412345.4, "eur0") == "€ 412.345"
    assert presentation.value_text(59.34, "pct") == "59,3 %"
    assert presentation.value_text(1804, "int") == "1.804"
    assert presentation.value_text(11.24, "dec1", "zittingen") == "11,2 zittingen"


def test_an_undefined_value_is_a_dash():
    assert presentation.value_text(None, "dec1") == "–"
    assert presentation.value_text(float("nan"), "pct") == "–"


def test_mostly_better_kpis_make_an_upward_symbol_with_the_numbers_behind_it():
    theme = TABS[3]
    symbol = presentation.theme_symbol(
        theme, [kpi(verdict="better"), kpi(verdict="better"), kpi(verdict="around")], False
    )
    assert (symbol.state, symbol.symbol) == ("better", "▲")
    assert symbol.summary == (
        "2 van 3 kengetallen gunstiger dan de middelste helft; 1 in het midden, "
        "0 minder gunstig; Behandelgemiddelde 10,2 zittingen tegen mediaan 10,0 zittingen."
    )


def test_balanced_verdicts_sit_around_the_middle():
    symbol = presentation.theme_symbol(TABS[3], [kpi(verdict="better"), kpi(verdict="worse")], 0)
    assert (symbol.state, symbol.symbol) == ("around", "●")


def test_mostly_worse_kpis_make_a_downward_symbol():
    symbol = presentation.theme_symbol(TABS[3], [kpi(verdict="worse"), kpi(verdict="around")], 0)
    assert (symbol.state, symbol.symbol) == ("worse", "▼")


def test_kpis_without_a_better_direction_do_not_vote():
    symbol = presentation.theme_symbol(TABS[3], [kpi(verdict="neutral", better=None)], False)
    assert symbol.state == "neutral"
    assert "1 in" in symbol.summary


def test_a_too_small_group_gives_no_symbol_and_says_why():
    symbol = presentation.theme_symbol(TABS[3], [kpi(stats=None, verdict=None)], True)
    assert symbol.state == "none"
    assert "Te weinig praktijken" in symbol.summary


def test_a_mixes_only_theme_names_its_largest_difference():
    mix = MixFigure(
        code="insurer_patient_mix",
        name="Verzekeraarsmix (patiënten)",
        tab="Verzekeraars",
        explanation="",
        categories=[("CZ", 40.0, 20.0), ("VGZ", 30.0, 28.0)],
    )
    symbol = presentation.theme_symbol(TABS[5], [], False, [mix])
    assert "CZ" in symbol.summary and "40,0 % tegen mediaan 20,0 %" in symbol.summary


def test_the_distribution_chart_carries_only_group_statistics_and_the_practice():
    chart = presentation.distribution_chart(kpi(), STATS)
    box, marker = chart["data"]
    assert (box["lowerfence"], box["q1"], box["median"], box["q3"], box["upperfence"]) == (
        [6.0],
        [8.0],
        [10.0],
        [13.0],
        [17.0],
    )
    assert marker["x"] == [10.2]
    assert "boxpoints" in box and box["boxpoints"] is False


def test_withheld_tails_collapse_the_whiskers_onto_the_box():
    small = GroupStats(size=(10, 19), p25=8.0, median=10.0, p75=13.0)
    box = presentation.distribution_chart(kpi(stats=small), small)["data"][0]
    assert (box["lowerfence"], box["upperfence"]) == ([8.0], [13.0])


def test_a_group_with_only_a_median_draws_the_median_alone():
    small = GroupStats(size=(5, 9), median=10.0)
    box = presentation.distribution_chart(kpi(stats=small), small)["data"][0]
    assert (box["lowerfence"], box["q1"], box["median"], box["q3"], box["upperfence"]) == (
        [10.0],
        [10.0],
        [10.0],
        [10.0],
        [10.0],
    )
    assert "mean" not in box


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
    assert block.pyramid
    women, men = block.chart["data"][0], block.chart["data"][1]
    assert women["x"] == [-10.0, -20.0] and men["x"] == [30.0, 38.0]
    assert ("Anders 0–17", "2,0 %", "2,0 %") in block.rows


def test_a_too_small_group_leaves_the_group_column_of_a_mix_empty():
    mix = MixFigure("payer_mix", "Betalers", "Financiën", "", [("Zelfbetaler", 5.0, 7.0)])
    block = presentation.mix_block(mix, too_small=True)
    assert block.rows == [("Zelfbetaler", "5,0 %", "–")]
    assert len(block.chart["data"]) == 1
