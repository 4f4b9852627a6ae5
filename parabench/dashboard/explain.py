"""The Uitleg page: every figure of the catalogue with its definition, the fields of the practice
records it comes from, and which direction is better — generated, so it cannot drift from the
dashboard. Also the header figures shown on every portal page.

The source fields name the columns of the CSV files the practice software writes
(docs/practice-records.md); ``tests/dashboard/test_explain.py`` fails when a catalogue entry has
none here.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy

from parabench.benchmark import casemix, catalogue, groups, queries
from parabench.dashboard import presentation
from parabench.dashboard.presentation import THEME_TABS
from parabench.language import gettext as _

_P = "patients.csv"
_E = "episodes.csv"
_S = "sessions.csv"
_T = "therapists.csv"
_M = "measurements.csv"
# Per KPI or mix code: the practice-record columns it is computed from.
SOURCES: dict[str, tuple[str, ...]] = {
    "patients": (f"{_S}: date, no_show", f"{_E}: patient_id"),
    "new_patients": (f"{_E}: patient_id, start_date", f"{_S}: date"),
    "female_share": (f"{_P}: gender", f"{_S}: date"),
    "episodes": (f"{_E}: start_date, end_date",),
    "new_episodes": (f"{_E}: start_date",),
    "episodes_per_patient": (f"{_E}: patient_id, start_date, end_date", f"{_S}: date"),
    "chronic_share": (f"{_E}: chronic, start_date, end_date",),
    "direct_access_share": (f"{_E}: access_route, start_date",),
    "sessions": (f"{_S}: date, no_show",),
    "sessions_per_episode": (f"{_E}: end_date", f"{_S}: episode_id, no_show"),
    "sessions_per_episode_chronic": (f"{_E}: end_date, chronic", f"{_S}: episode_id"),
    "sessions_per_episode_non_chronic": (f"{_E}: end_date, chronic", f"{_S}: episode_id"),
    "median_sessions": (f"{_E}: end_date", f"{_S}: episode_id, no_show"),
    "episode_weeks": (f"{_E}: end_date", f"{_S}: episode_id, date"),
    "revenue": (f"{_S}: amount, date",),
    "revenue_per_session": (f"{_S}: amount, no_show",),
    "revenue_per_session_contract": (f"{_S}: amount, payer",),
    "revenue_per_session_self_pay": (f"{_S}: amount, payer",),
    "revenue_per_patient": (f"{_S}: amount", f"{_E}: patient_id"),
    "revenue_per_episode": (f"{_S}: amount, episode_id",),
    "self_pay_share": (f"{_S}: amount, payer",),
    "therapists": (f"{_T}: start_date, end_date",),
    "fte": (f"{_T}: fte, start_date, end_date",),
    "sessions_per_fte": (f"{_S}: date, no_show", f"{_T}: fte"),
    "patients_per_therapist": (f"{_S}: date", f"{_T}: start_date, end_date"),
    "no_show_rate": (f"{_S}: no_show, date",),
    "outcome_measure_share": (f"{_E}: outcome_measured, end_date",),
    "goals_achieved_share": (f"{_E}: goals_achieved, end_date",),
    "ended_regular_share": (f"{_E}: end_reason, end_date",),
    "waiting_days": (f"{_E}: registration_date", f"{_S}: date"),
    "waiting_within_5_share": (f"{_E}: registration_date", f"{_S}: date"),
    "nprs_improved_share": (f"{_M}: episode_id, instrument, date, score", f"{_E}: end_date"),
    "nprs_change": (f"{_M}: episode_id, instrument, date, score", f"{_E}: end_date"),
    "psk_improved_share": (f"{_M}: episode_id, instrument, date, score", f"{_E}: end_date"),
    "psk_change": (f"{_M}: episode_id, instrument, date, score", f"{_E}: end_date"),
    # The case-mix indices: the episode's chronic flag, DCSPH code and the patient's age give
    # its cell; the national rates of the same window give what it is expected to take.
    "sessions_per_episode_index": (
        f"{_E}: end_date, chronic, dcsph_code",
        f"{_P}: birth_date",
        f"{_S}: episode_id, no_show",
    ),
    "duration_index": (
        f"{_E}: end_date, chronic, dcsph_code",
        f"{_P}: birth_date",
        f"{_S}: episode_id, date",
    ),
    "growth_patients": (f"{_S}: date, no_show", f"{_E}: patient_id"),
    "growth_episodes": (f"{_E}: start_date, end_date",),
    "growth_sessions": (f"{_S}: date, no_show",),
    "growth_revenue": (f"{_S}: amount, date",),
    "gender_age_mix": (f"{_P}: gender, birth_date",),
    "chronic_mix": (f"{_E}: chronic",),
    "access_route_mix": (f"{_E}: access_route, start_date",),
    "referral_mix": (f"{_E}: access_route, start_date",),
    "dcsph_mix": (f"{_E}: dcsph_code",),
    "insurer_patient_mix": (f"{_P}: insurer_uzovi, insurer_concern",),
    "insurer_revenue_mix": (f"{_P}: insurer_uzovi, insurer_concern", f"{_S}: amount, payer"),
    "session_type_mix": (f"{_S}: performance_code",),
    "payer_mix": (f"{_S}: payer, amount",),
}

DIRECTION = {
    "higher": gettext_lazy("hoger is gunstiger"),
    "lower": gettext_lazy("lager is gunstiger"),
    None: gettext_lazy("geen richting: hoger of lager is niet beter of slechter"),
}


@dataclass
class Entry:
    code: str
    name: str
    definition: str
    sources: tuple[str, ...]
    direction: str
    unit: str


def sections() -> list[tuple[str, str, list[Entry]]]:
    """(theme key, theme name, entries) per theme, KPIs first, then the mixes, in catalogue
    order. A mix has no direction; its unit is the share."""
    found = []
    for tab in THEME_TABS:
        figures = []
        for kpi in catalogue.KPIS:
            if kpi.theme != tab.key:
                continue
            figures.append((kpi, kpi.better, kpi.unit))
            # A case-mix index right after the crude KPI it adjusts (docs/statistics.md §9).
            for measure, crude in casemix.CRUDE_KPIS.items():
                if crude == kpi.code:
                    index = catalogue.INDEX_BY_CODE[catalogue.INDEX_OF_MEASURE[measure]]
                    figures.append((index, index.better, index.unit))
        figures += [(mix, None, "%") for mix in catalogue.MIXES if mix.theme == tab.key]
        entries = [
            Entry(
                figure.code,
                figure.name,
                figure.explanation,
                SOURCES.get(figure.code, ()),
                str(DIRECTION[better]),
                unit,
            )
            for figure, better, unit in figures
        ]
        found.append((tab.key, str(tab.label), entries))
    return found


def size_classes() -> list[dict]:
    """The size classes as Uitleg states them, from the bands the statistics use."""
    bands = groups.SIZE_BANDS
    found = []
    for i, (name, low) in enumerate(bands):
        high = bands[i + 1][1] - 1 if i + 1 < len(bands) else None
        found.append({"label": groups.size_label(name), "low": low, "high": high})
    return found


def helpdesk() -> dict:
    """The contact block, from settings (HELPDESK_*)."""
    return {
        "name": settings.HELPDESK_NAME,
        "email": settings.HELPDESK_EMAIL,
        "phone": settings.HELPDESK_PHONE,
        "hours": settings.HELPDESK_HOURS,
    }


# --- Header figures ---------------------------------------------------------------------------

HEADER_KPIS = ("patients", "sessions", "revenue_per_patient")


@dataclass
class HeaderFigure:
    code: str
    name: str
    value: str
    median: str | None


def header_values(imp) -> dict[str, tuple[float | None, float | None]]:
    """(own value, the national group's published median or None) per header KPI: one query."""
    return queries.headline(imp, HEADER_KPIS)


def header_figures(values: dict) -> list[HeaderFigure]:
    """The latest import's patients, sessions and revenue per patient, each with the national
    group's published median (none for a group too small to show), written for the page."""
    shown = []
    for code in HEADER_KPIS:
        kpi = catalogue.KPI_BY_CODE[code]
        show = presentation.value_format(kpi.number_format)
        value, median = values[code]
        shown.append(
            HeaderFigure(code, str(kpi.name), show(value), None if median is None else show(median))
        )
    return shown


def header_period(year: int, quarter: int) -> str:
    return _("%(year)s t/m K%(quarter)s") % {"year": year, "quarter": quarter}
