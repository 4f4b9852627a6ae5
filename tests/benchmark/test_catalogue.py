"""The catalogue is complete, consistent, and explains every figure in Dutch and English."""

from django.utils import translation

from parabench.benchmark import catalogue
from parabench.benchmark.queries import catalogue as public_catalogue

# The KPI table of the domain brief (§4); growth_* and the split averages are listed there too.
BRIEF_CODES = {
    "patients",
    "new_patients",
    "episodes",
    "sessions",
    "female_share",
    "chronic_share",
    "direct_access_share",
    "sessions_per_episode",
    "sessions_per_episode_chronic",
    "sessions_per_episode_non_chronic",
    "median_sessions",
    "episode_weeks",
    "revenue",
    "revenue_per_session",
    "revenue_per_patient",
    "revenue_per_episode",
    "self_pay_share",
    "no_show_rate",
    "sessions_per_fte",
    "patients_per_therapist",
    "outcome_measure_share",
    "goals_achieved_share",
    "ended_regular_share",
    "waiting_days",
    "growth_patients",
}
BRIEF_MIXES = {
    "gender_age_mix",
    "chronic_mix",
    "access_route_mix",
    "referral_mix",
    "dcsph_mix",
    "insurer_patient_mix",
    "session_type_mix",
    "payer_mix",
}


def test_it_holds_every_kpi_and_mix_of_the_brief():
    assert set(catalogue.KPI_BY_CODE) >= BRIEF_CODES
    assert set(catalogue.MIX_BY_CODE) >= BRIEF_MIXES


def test_every_entry_has_a_known_theme_direction_format_and_explanations():
    for kpi in catalogue.KPIS:
        assert kpi.theme in catalogue.THEME_BY_KEY
        assert kpi.better in ("higher", "lower", None)
        assert kpi.number_format in catalogue.NUMBER_FORMATS
        assert len(kpi.explanation_nl) > 30 and len(kpi.explanation_en) > 30
        assert kpi.name_nl and kpi.name_en and kpi.unit
    for mix in catalogue.MIXES:
        assert mix.theme in catalogue.THEME_BY_KEY
        assert mix.categories and mix.explanation_nl and mix.explanation_en


def test_every_theme_has_figures():
    themes = {k.theme for k in catalogue.KPIS} | {m.theme for m in catalogue.MIXES}
    assert themes == set(catalogue.THEME_BY_KEY)


def test_codes_are_unique_and_growth_refers_to_a_stored_kpi():
    assert len(catalogue.COLUMNS) == len(set(catalogue.COLUMNS))
    for kpi in catalogue.GROWTH_KPIS:
        assert kpi.growth_of in catalogue.STORED_COLUMNS


def test_sessions_per_episode_is_neither_better_nor_worse():
    assert catalogue.KPI_BY_CODE["sessions_per_episode"].better is None
    assert catalogue.KPI_BY_CODE["no_show_rate"].better == "lower"


def test_names_follow_the_active_language():
    kpi = catalogue.KPI_BY_CODE["patients"]
    with translation.override("nl"):
        assert kpi.name == "Aantal patiënten"
    with translation.override("en"):
        assert kpi.name == "Patients"
        assert catalogue.THEME_BY_KEY[kpi.theme].label == "Patients"


def test_the_query_module_serves_the_whole_catalogue():
    assert [k.code for k in public_catalogue()] == [k.code for k in catalogue.KPIS]
