"""Golden cases: every KPI of the small export template, computed by hand (see factories.py).

One quarter of size 1: 100 patients (60 female), 40 new; 120 active episodes (18 chronic), 60
started (42 direct, 12 GP, 4 specialist, 2 other), 60 closed (6 chronic × 30 sessions over 20
weeks; 54 non-chronic: 18 × 3, 18 × 6, 18 × 12 sessions over 2, 5, 10 weeks); 600 sessions
(300 basic, 240 supplementary, 60 self-pay; 24 no-shows); revenue € 10,959 + € 8,767.20 +
€ 2,748 = € 22,474.20; waiting 20 × 2, 20 × 4, 20 × 10 days, 40 within 5 working days;
5 therapists, 4.00 FTE. In format 1.1 (the outcome KPIs): NPRS 20 measured, 12 of them 6 → 3
(improved), 8 of them 6 → 5; PSK 10 measured, 5 of them 7 → 4.5 (improved), 5 of them 7 → 6.5.
"""

import math

import numpy as np
import pytest

from parabench.benchmark import catalogue
from parabench.benchmark.kpis import (
    growth_matrix,
    window_values,
    window_vector,
    with_growth,
)
from parabench_format.models import export_document
from tests.benchmark.factories import make_export

V11 = "parabench-mi/1.1"


def full_matrix(stored, previous):
    """Stored rows with their growth KPIs against ``previous`` beside them (a recompute's view)."""
    return with_growth(stored, growth_matrix(stored, previous))


Q1_GOLDEN = {
    "patients": 100,
    "new_patients": 40,
    "female_share": 60.0,
    "episodes": 120,
    "new_episodes": 60,
    "episodes_per_patient": 1.2,
    "chronic_share": 15.0,
    "direct_access_share": 70.0,
    "sessions": 600,
    "sessions_per_episode": (180 + 378) / 60,  # 9.3
    "sessions_per_episode_chronic": 30.0,
    "sessions_per_episode_non_chronic": 7.0,
    "median_sessions": 6.0,  # 60 episodes: the 30th and 31st are both in the "6" group
    "episode_weeks": 5.0,
    "revenue": 22474.20,
    "revenue_per_session": 22474.20 / 600,
    "revenue_per_session_contract": 36.53,
    "revenue_per_session_self_pay": 45.80,
    "revenue_per_patient": 224.742,
    "revenue_per_episode": 22474.20 / 120,
    "self_pay_share": 2748 / 22474.20 * 100,
    "therapists": 5,
    "fte": 4.0,
    "sessions_per_fte": 150.0,
    "patients_per_therapist": 20.0,
    "no_show_rate": 24 / 624 * 100,
    "outcome_measure_share": 50.0,
    "goals_achieved_share": 49 / 60 * 100,
    "ended_regular_share": 50 / 60 * 100,
    "waiting_days": 4.0,
    "waiting_within_5_share": 40 / 60 * 100,
    "nprs_improved_share": 12 / 20 * 100,
    "nprs_change": (12 * 3 + 8 * 1) / 20,  # 2.2 points
    "psk_improved_share": 5 / 10 * 100,
    "psk_change": (5 * 2.5 + 5 * 0.5) / 10,  # 1.5 points
}
OUTCOME_KPIS = ("nprs_improved_share", "nprs_change", "psk_improved_share", "psk_change")


def _window(export, window_id):
    """A window of the export as the KPIs read it: from the export's JSON document."""
    return next(w for w in export_document(export)["windows"] if w["id"] == window_id)


def test_every_stored_kpi_has_a_golden_value():
    assert set(Q1_GOLDEN) == {k.code for k in catalogue.BASE_KPIS}


@pytest.mark.parametrize("code", sorted(Q1_GOLDEN))
def test_each_kpi_of_the_first_quarter_is_as_computed_by_hand(code):
    export = make_export("04123451", 2025, format_version="parabench-mi/1.1")
    values = window_values(_window(export, "Q1"))
    assert values[code] == pytest.approx(Q1_GOLDEN[code], rel=1e-12)


def test_the_outcome_supports_carry_n_and_the_spread_of_the_change():
    values = window_values(_window(make_export("04123451", 2025, format_version=V11), "Q1"))
    # NPRS changes 3 (12×) and 1 (8×) around 2.2: Σ(d − d̄)² = 12·0.64 + 8·1.44 = 19.2
    assert values["support.nprs_measured"] == 20
    assert values["support.nprs_change_sd"] == pytest.approx(math.sqrt(19.2 / 19))
    assert values["support.psk_change_sd"] == pytest.approx(math.sqrt(10 / 9))


def test_a_1_0_export_has_the_same_figures_and_no_outcome_kpis():
    new = window_values(_window(make_export("04123451", 2025, format_version=V11), "Q1-Q4"))
    old = window_values(_window(make_export("04123451", 2025), "Q1-Q4"))
    outcome = {c for c in new if c in OUTCOME_KPIS or c.startswith(("support.nprs", "support.psk"))}
    assert all(math.isnan(old[c]) for c in outcome)
    assert {c: v for c, v in old.items() if c not in outcome} == pytest.approx(
        {c: v for c, v in new.items() if c not in outcome}, nan_ok=True
    )


def test_the_half_year_window_uses_its_own_distinct_counts_not_the_sum_of_quarters():
    export = make_export("04123451", 2025, quarters=2)
    half = window_values(_window(export, "Q1-Q2"))
    # Distinct: 100 + 50 patients, not 200; additive: 1,200 sessions.
    assert half["patients"] == 150
    assert half["episodes"] == 180
    assert half["sessions"] == 1200
    assert half["revenue"] == pytest.approx(44948.40)
    assert half["patients_per_therapist"] == 30.0
    assert half["female_share"] == 60.0
    assert half["revenue_per_patient"] == pytest.approx(44948.40 / 150)


def test_the_full_year_window_has_its_own_values():
    values = window_values(_window(make_export("04123451", 2025, size=2), "Q1-Q4"))
    assert values["patients"] == 500  # 200 + 3 × 100
    assert values["sessions"] == 4800
    assert values["median_sessions"] == 6.0
    assert values["sessions_per_fte"] == 1200.0


def test_the_mixes_are_shares_that_add_up_to_100_percent():
    values = window_values(_window(make_export("04123451", 2025), "Q1"))
    for mix in catalogue.MIXES:
        total = sum(values[column] for column in mix.columns)
        assert total == pytest.approx(100.0), mix.code
    assert values["gender_age_mix.female.age_50_59"] == 12.0
    assert values["chronic_mix.chronic"] == 15.0
    assert values["access_route_mix.direct"] == 70.0
    assert values["referral_mix.gp"] == pytest.approx(12 / 18 * 100)
    assert values["dcsph_mix.spine"] == 40.0
    assert values["insurer_patient_mix.achmea"] == 30.0
    assert values["insurer_revenue_mix.self_pay"] == pytest.approx(2748 / 22474.20 * 100)
    assert values["session_type_mix.regular"] == 70.0
    assert values["payer_mix.basic"] == pytest.approx(10959 / 22474.20 * 100)


def test_a_kpi_without_denominator_is_not_defined_rather_than_zero():
    export = make_export("04123451", 2025)
    window = _window(export, "Q1")
    window["closed_episodes"]["chronic"] |= {"episodes": 0, "sessions_total": 0}
    values = window_values(window)
    assert math.isnan(values["sessions_per_episode_chronic"])
    assert values["sessions_per_episode_non_chronic"] == 7.0


def test_growth_compares_with_the_same_window_of_last_year():
    last = window_vector(_window(make_export("04123451", 2024, size=2), "Q1-Q2"))
    this = window_vector(_window(make_export("04123451", 2025, size=3), "Q1-Q2"))
    row = full_matrix(this, last)[0]
    index = catalogue.COLUMN_INDEX
    assert row[index["growth_patients"]] == pytest.approx(50.0)
    assert row[index["growth_sessions"]] == pytest.approx(50.0)
    assert row[index["growth_revenue"]] == pytest.approx(50.0)
    assert row[index["growth_episodes"]] == pytest.approx(50.0)
    nothing_last_year = last.copy()
    nothing_last_year[index["patients"]] = 0
    assert np.isnan(full_matrix(this, nothing_last_year)[0][index["growth_patients"]])


def test_growth_is_not_defined_without_last_year():
    this = window_vector(_window(make_export("04123451", 2025), "Q1"))
    row = full_matrix(this, None)[0]
    assert np.isnan(row[[catalogue.COLUMN_INDEX[k.code] for k in catalogue.GROWTH_KPIS]]).all()


def test_the_stored_vector_is_every_stored_column_of_the_window_in_order():
    for format_version in (None, V11):
        kwargs = {} if format_version is None else {"format_version": format_version}
        for window in export_document(make_export("04123451", 2025, **kwargs))["windows"]:
            values = window_values(window)
            expected = np.array([values[c] for c in catalogue.STORED_COLUMNS], dtype=np.float64)
            assert window_vector(window).tobytes() == expected.tobytes()
