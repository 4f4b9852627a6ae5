"""The welcome rule and a KPI's verdict in words, on figures judged by the real uncertainty code."""

import pytest
from django.utils import translation

from parabench.benchmark import catalogue, uncertainty
from parabench.benchmark.queries import GroupStats, KpiFigure, MixFigure, MixShare, _verdict
from parabench.dashboard import charts, verdicts
from parabench.dashboard.presentation import TABS

QUALITY = next(t for t in TABS if t.key == "quality")
PATIENTS = next(t for t in TABS if t.key == "patients")


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


def figure(code, value, own, median, p25=None, p75=None, tau2=0.0):
    """A KPI as the benchmark serves it: judged by ``uncertainty.judge`` from own figures."""
    definition = catalogue.KPI_BY_CODE[code]
    stats = GroupStats(size=(40, None), median=median, p25=p25, p75=p75, tau2=tau2)
    judgement = uncertainty.judge(code, value, own, median, p25, p75, tau2)
    return KpiFigure(
        code=code,
        name=definition.name_nl,
        unit=definition.unit,
        theme=definition.theme,
        better=definition.better,
        number_format=definition.number_format,
        explanation="",
        value=value,
        stats=stats,
        band=None,
        position=None,
        verdict=_verdict(judgement, definition.better),
        judgement=judgement,
    )


def goals(value, closed, median=75.0):
    return figure("goals_achieved_share", value, {"support.closed_episodes": closed}, median)


def test_62_percent_of_30_episodes_is_within_the_normal_spread_and_says_so():
    kpi = goals(62.0, 30)
    view = verdicts.kpi_verdict(kpi)
    assert kpi.verdict == "within"
    assert view.text == "binnen de normale spreiding"
    low, high = kpi.judgement.interval
    assert view.interval == f"({low:.1f}–{high:.1f} %)".replace(".", ",") == "(44,2–77,0 %)"
    symbol = verdicts.theme_symbol(QUALITY, [kpi], False)
    assert (symbol.symbol, symbol.state) == ("●", "within")
    assert symbol.summary.startswith("Alle kengetallen binnen de normale spreiding")


def test_the_same_62_percent_of_3000_episodes_is_worse_and_named_with_its_numbers():
    kpi = goals(62.0, 3000)
    symbol = verdicts.theme_symbol(QUALITY, [kpi, goals(74.0, 200)], False)
    assert (symbol.symbol, symbol.state) == ("▼", "worse")
    low, high = kpi.judgement.interval
    assert symbol.summary.startswith(
        "Minder gunstig dan de normale spreiding: % doelen behaald 62,0 % "
        f"({low:.1f}–{high:.1f} %), mediaan 75,0 %".replace(".", ",")
    )
    assert "Binnen de normale spreiding: % doelen behaald." in symbol.summary


def test_better_and_worse_together_make_a_mixed_symbol_naming_both():
    worse = goals(62.0, 3000)
    better = figure(
        "waiting_within_5_share", 99.0, {"support.waiting_episodes": 2000.0}, 80.0, 70.0, 90.0
    )
    symbol = verdicts.theme_symbol(QUALITY, [worse, better], False)
    assert symbol.state == "mixed" and symbol.symbol == "▲▼"
    assert "Gunstiger dan de normale spreiding: % binnen 5 werkdagen" in symbol.summary
    assert "Minder gunstig dan de normale spreiding: % doelen behaald" in symbol.summary


def test_size_indicators_never_headline_a_theme():
    """The issue's contradiction: patients above the median headlined a ▼ driven by growth."""
    patients = figure("patients", 829.0, {}, 800.0, 600.0, 1000.0)
    growth = figure("growth_patients", -12.0, {"patients": 829.0}, 6.8, tau2=0.0)
    assert patients.verdict == "size" and growth.verdict == "worse"
    symbol = verdicts.theme_symbol(PATIENTS, [patients, growth], False)
    assert symbol.state == "worse"
    assert "Aantal patiënten" not in symbol.summary
    assert "Groei patiënten −12,0 %" in symbol.summary and "mediaan 6,8 %" in symbol.summary


def test_the_issues_growth_of_1_against_6_8_percent_is_chance_with_829_patients():
    # Two Poisson counts (≈ 821 and 829): the growth's own interval is about ± 10 points.
    growth = figure("growth_patients", 1.0, {"patients": 829.0}, 6.8, tau2=0.0)
    low, high = growth.judgement.interval
    assert low < -8 and high > 10 and growth.verdict == "within"


def test_a_theme_of_only_directionless_kpis_names_what_differs_without_calling_it_good():
    low = figure("female_share", 40.0, {"patients": 2000.0}, 59.0)
    symbol = verdicts.theme_symbol(PATIENTS, [low], False)
    assert (symbol.symbol, symbol.state) == ("◆", "different")
    assert "Lager dan de normale spreiding: % vrouw 40,0 %" in symbol.summary
    assert "gunstig" not in symbol.summary


def test_a_theme_with_nothing_beyond_chance_says_so_in_words():
    within = figure("female_share", 58.0, {"patients": 800.0}, 59.0)
    symbol = verdicts.theme_symbol(PATIENTS, [within], False)
    assert symbol.summary == "Alle kengetallen binnen de normale spreiding: % vrouw."


def test_the_old_rule_called_a_noisy_small_practice_worse():
    """Below P25 on a 'higher is better' KPI was ▼ whatever the denominator."""
    kpi = goals(62.0, 30)
    old_rule = "worse" if kpi.value < 70.0 else "around"
    assert old_rule == "worse" and kpi.verdict == "within"


def test_a_group_without_spread_says_so_instead_of_a_verdict():
    kpi = figure("waiting_days", 6.0, {}, 4.0, 4.0, 4.0)
    view = verdicts.kpi_verdict(kpi)
    assert "geen spreiding" in view.note and view.verdict == "none"
    assert kpi.verdict is None


def test_a_too_small_group_gives_no_symbol_and_says_why():
    symbol = verdicts.theme_symbol(QUALITY, [goals(62.0, 30)], True)
    assert symbol.state == "none" and "Te weinig praktijken" in symbol.summary


def test_a_mixes_only_theme_names_its_largest_difference_without_a_verdict():
    mix = MixFigure(
        code="insurer_patient_mix",
        name="Verzekeraarsmix (patiënten)",
        theme="insurers",
        explanation="",
        categories=[MixShare("cz", "CZ", 40.0, 20.0), MixShare("vgz", "VGZ", 30.0, 28.0)],
    )
    symbol = verdicts.theme_symbol(TABS[5], [], False, [mix])
    assert symbol.state == "different"
    assert "CZ" in symbol.summary and "40,0 % tegen mediaan 20,0 %" in symbol.summary


def test_the_funnel_carries_the_practice_and_the_limits_only():
    kpi = goals(62.0, 30)
    chart = verdicts.kpi_verdict(kpi).funnel
    assert isinstance(chart, charts.Funnel)
    assert chart.n == 30 and chart.value == 62.0 and chart.target == 75.0
    index = chart.ns.index(min(chart.ns, key=lambda n: abs(n - 30)))
    low, high = uncertainty.limits(
        uncertainty.MODELS["goals_achieved_share"], 75.0, chart.ns[index], 0.0
    )
    assert (chart.inner[0][index], chart.inner[1][index]) == pytest.approx((low, high))
    svg = str(charts.render(chart))
    assert svg.count("<title>Uw praktijk:") == 1  # one point: the practice's own
    assert "Aantal afgesloten klachten" in svg


def test_a_theme_whose_kpis_cannot_be_judged_says_why_instead_of_speaking_of_mixes():
    """A group of 5–9 publishes no quartiles: a tariff has no normal spread to be judged by."""
    tariff = figure("revenue_per_session", 39.0, {}, 36.5)
    mix = MixFigure(
        "payer_mix", "Betalers", "finance", "", [MixShare("self_pay", "Zelfbetaler", 5.0, 7.0)]
    )
    finance = next(t for t in TABS if t.key == "finance")
    symbol = verdicts.theme_symbol(finance, [tariff], False, [mix])
    assert symbol.symbol == "–"
    assert symbol.summary.startswith("Geen oordeel: voor Gemiddeld tarief toont de groep geen")


def test_an_indicator_without_a_spread_to_judge_by_is_named_beside_the_others():
    within = goals(74.0, 200)
    waiting = figure("waiting_days", 6.0, {}, 4.0)  # no published quartiles: no normal spread
    symbol = verdicts.theme_symbol(QUALITY, [within, waiting], False)
    assert symbol.state == "within"
    assert symbol.summary.endswith("Zonder oordeel (geen spreiding in de groep): Wachttijd.")


def test_every_denominator_of_a_model_has_words_for_the_funnel():
    """The funnel names the practice's own n ("Uw aantal …"); a model whose denominator has no
    words would show a bare "Uw" (as the outcome KPIs did before their labels existed)."""
    from parabench.benchmark.uncertainty import MODELS
    from parabench.dashboard.verdicts import N_LABELS

    shown = {k.code for k in catalogue.KPIS}  # the figures per insurer have no funnel
    denominators = {
        model.denominator
        for code, model in MODELS.items()
        if code in shown and model.kind not in ("growth", "spread")
    }
    assert denominators - set(N_LABELS) == set()


# --- The case-mix index decides for its crude KPI (docs/statistics.md §9) ------------------------

TREATMENTS = next(t for t in TABS if t.key == "treatments")


def with_index(crude, index_value: float, n: int, sd: float, tau2: float = 0.0):
    """The crude KPI with its case-mix index beside it, as ``queries.dashboard_for`` builds it."""
    import dataclasses

    from parabench.benchmark import casemix
    from parabench.benchmark.queries import _Adjusted, _index_figure

    index = casemix.Index(index_value * 100, 100.0, index_value, n, sd)
    adjusted = _Adjusted({"sessions": index}, {}, {"sessions": tau2}, 40)
    return dataclasses.replace(crude, adjusted=_index_figure("sessions", adjusted))


def sessions(value, closed=400, sd=4.0, median=9.0):
    own = {"support.closed_episodes": closed, "support.sessions_per_episode_sd": sd}
    return figure("sessions_per_episode", value, own, median)


def test_a_crude_figure_above_the_spread_is_within_it_once_its_case_mix_is_taken_into_account():
    crude = sessions(12.0)  # 12 against a median of 9 with 400 episodes: far above
    assert crude.verdict == "high"
    kpi = with_index(crude, 1.02, 400, 0.5)  # ±0.049: its mix explains the difference
    symbol = verdicts.theme_symbol(TREATMENTS, [kpi], False)
    assert symbol.state == "within"
    assert "Behandelgemiddelde, gecorrigeerd voor casemix (index)" in symbol.summary
    view = verdicts.adjusted_view(kpi)
    assert view.judged.verdict == "within"
    assert view.note.startswith(
        "Het ruwe getal is hoger dan de normale spreiding (geen beter of slechter), de index "
        "binnen de normale spreiding"
    )
    assert "Het oordeel en het symbool op Welkom gebruiken de index" in view.note


def test_an_index_outside_its_spread_decides_the_symbol_and_is_named_with_the_expectation():
    kpi = with_index(sessions(9.1), 1.30, 400, 0.5)
    symbol = verdicts.theme_symbol(TREATMENTS, [kpi], False)
    assert (symbol.symbol, symbol.state) == ("◆", "different")
    assert (
        "Behandelgemiddelde, gecorrigeerd voor casemix (index) 1,30 (1,25–1,35), verwachting 1,00"
        in (symbol.summary)
    )
    assert "Behandelgemiddelde 9,1" not in symbol.summary


def test_without_an_index_the_crude_figure_votes_and_the_card_says_why():
    import dataclasses

    kpi = dataclasses.replace(sessions(12.0), adjusted_missing="format")
    symbol = verdicts.theme_symbol(TREATMENTS, [kpi], False)
    assert symbol.state == "different" and "Behandelgemiddelde 12,0" in symbol.summary
    assert verdicts.adjusted_view(kpi).missing.startswith(
        "Geen casemix-index: uw export is in formaat 1.0"
    )
