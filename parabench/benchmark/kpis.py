"""A practice's KPIs for one window of its export, and growth against last year.

Pure functions on a window of a validated export's JSON document (its parts read by name; a model
becomes one through ``parabench_format.models.export_document``), no Django. Each window of an
export (every quarter Q1…Q4 and every year-to-date window Q1-Q2, Q1-Q3, Q1-Q4) carries its own
distinct counts, so every KPI of a window comes from that window's aggregates alone — never from
adding quarters. A KPI whose denominator is zero is "not defined" (NaN), not zero: a practice
without closed chronic episodes has no chronic treatment average, and is left out of the group's
statistics for that KPI.
"""

import math
import operator

import numpy as np

from parabench.benchmark.casemix import Outcome, outcome
from parabench.benchmark.catalogue import (
    BASE_KPIS,
    COLUMN_INDEX,
    COLUMNS,
    GROWTH_KPIS,
    INSURER_COLUMNS,
    INSURER_CONCERNS,
    MIXES,
    STORED_COLUMNS,
    SUPPORT_COLUMNS,
    insurer_column,
)
from parabench.benchmark.uncertainty import histogram_sd
from parabench_format.codes import OUTCOME_INSTRUMENTS
from parabench_format.histograms import histogram_median

NAN = math.nan
YTD_WINDOWS = ("Q1", "Q1-Q2", "Q1-Q3", "Q1-Q4")
QUARTER_WINDOWS = ("Q1", "Q2", "Q3", "Q4")
WINDOWS = ("Q1", "Q2", "Q3", "Q4", "Q1-Q2", "Q1-Q3", "Q1-Q4")


def dashboard_window(quarters: int) -> str:
    """The year-to-date window a dashboard shows for an export of ``quarters`` quarters."""
    return YTD_WINDOWS[quarters - 1]


def _ratio(numerator: float, denominator: float, scale: float = 1.0) -> float:
    return numerator * scale / denominator if denominator else NAN


def _sum_histograms(a, b) -> list[int]:
    if len(a) != len(b):
        raise ValueError("histograms of different lengths")
    return list(map(operator.add, a, b))


def _median(histogram) -> float:
    value = histogram_median(histogram)
    return NAN if value is None else float(value)


def _routed(routes) -> int:
    """New episodes of every access route: the denominator of direct access, by name."""
    return routes["direct"] + routes["gp"] + routes["specialist"] + routes["other"]


def _shares(counts: dict[str, int], keys) -> list[float]:
    parts = [counts[k] for k in keys]
    total = sum(parts)
    if not total:
        return [NAN] * len(parts)
    return [part * 100.0 / total for part in parts]


def base_kpis(window) -> dict[str, float]:
    """Every stored (non-growth) KPI of one window, by code."""
    patients = window["patients"]
    episodes = window["episodes"]
    sessions = window["sessions"]
    revenue = window["revenue"]
    closed = window["closed_episodes"]
    therapists = window["therapists"]
    waiting = window["waiting"]
    chronic, other = closed["chronic"], closed["non_chronic"]
    closed_n = chronic["episodes"] + other["episodes"]
    euros = revenue["total_cents"] / 100
    payer_sessions = sessions["by_payer"]
    payer_cents = revenue["by_payer"]
    routes = episodes["started_by_access_route"]
    female = sum(patients["by_gender_age"]["female"].values())
    fte = therapists["fte_hundredths"] / 100
    contract_sessions = payer_sessions["basic"] + payer_sessions["supplementary"]
    contract_euros = (payer_cents["basic"] + payer_cents["supplementary"]) / 100
    chronic_end, other_end = chronic["end_reasons"], other["end_reasons"]
    return {
        "patients": float(patients["total"]),
        "new_patients": float(patients["new"]),
        "female_share": _ratio(female, patients["total"], 100.0),
        "episodes": float(episodes["active"]),
        "new_episodes": float(episodes["started"]),
        "episodes_per_patient": _ratio(episodes["active"], patients["total"]),
        "chronic_share": _ratio(episodes["chronic_active"], episodes["active"], 100.0),
        "direct_access_share": _ratio(routes["direct"], _routed(routes), 100.0),
        "sessions": float(sessions["total"]),
        "sessions_per_episode": _ratio(
            chronic["sessions_total"] + other["sessions_total"], closed_n
        ),
        "sessions_per_episode_chronic": _ratio(chronic["sessions_total"], chronic["episodes"]),
        "sessions_per_episode_non_chronic": _ratio(other["sessions_total"], other["episodes"]),
        "median_sessions": _median(
            _sum_histograms(chronic["sessions_histogram"], other["sessions_histogram"])
        ),
        "episode_weeks": _median(
            _sum_histograms(chronic["weeks_histogram"], other["weeks_histogram"])
        ),
        "revenue": euros,
        "revenue_per_session": _ratio(euros, sessions["total"]),
        "revenue_per_session_contract": _ratio(contract_euros, contract_sessions),
        "revenue_per_session_self_pay": _ratio(
            payer_cents["self_pay"] / 100, payer_sessions["self_pay"]
        ),
        "revenue_per_patient": _ratio(euros, patients["total"]),
        "revenue_per_episode": _ratio(euros, episodes["active"]),
        "self_pay_share": _ratio(payer_cents["self_pay"], revenue["total_cents"], 100.0),
        "therapists": float(therapists["count"]),
        "fte": fte,
        "sessions_per_fte": _ratio(sessions["total"], fte),
        "patients_per_therapist": _ratio(patients["total"], therapists["count"]),
        "no_show_rate": _ratio(
            sessions["no_shows"], sessions["total"] + sessions["no_shows"], 100.0
        ),
        "outcome_measure_share": _ratio(
            chronic["outcome_measured"] + other["outcome_measured"], closed_n, 100.0
        ),
        "goals_achieved_share": _ratio(
            chronic["goals_achieved"] + other["goals_achieved"], closed_n, 100.0
        ),
        "ended_regular_share": _ratio(
            chronic_end["regular"] + other_end["regular"], closed_n, 100.0
        ),
        "waiting_days": _median(waiting["days_histogram"]),
        "waiting_within_5_share": _ratio(
            waiting["within_5_working_days"], waiting["episodes"], 100.0
        ),
    } | outcome_kpis(window)


def _outcomes(window) -> dict[str, Outcome | None]:
    """Per instrument its figures, None when not measured (or a 1.0 export: no outcomes)."""
    found = window.get("outcomes")
    return {name: None if found is None else outcome(found[name]) for name in OUTCOME_INSTRUMENTS}


def outcome_kpis(window) -> dict[str, float]:
    """% clinically improved and mean change per instrument (``casemix.outcome``)."""
    values = {}
    for name, figures in _outcomes(window).items():
        values[f"{name}_improved_share"] = NAN if figures is None else figures.improved_share
        values[f"{name}_change"] = NAN if figures is None else figures.mean_change
    return values


def mix_counts(window) -> dict[str, dict[str, int]]:
    """The counts behind every mix of the catalogue, by mix code and category key."""
    gender_age = {
        f"{gender}.{band}": count
        for gender, bands in window["patients"]["by_gender_age"].items()
        for band, count in bands.items()
    }
    episodes = window["episodes"]
    routes = episodes["started_by_access_route"]
    return {
        "gender_age_mix": gender_age,
        "chronic_mix": {
            "chronic": episodes["chronic_active"],
            "non_chronic": episodes["active"] - episodes["chronic_active"],
        },
        "access_route_mix": routes,
        "referral_mix": {k: routes[k] for k in ("gp", "specialist", "other")},
        "dcsph_mix": episodes["active_by_dcsph_group"],
        "insurer_patient_mix": window["patients"]["by_insurer"],
        "insurer_revenue_mix": window["revenue"]["by_insurer"],
        "session_type_mix": window["sessions"]["by_type"],
        "payer_mix": window["revenue"]["by_payer"],
    }


def support_values(window) -> dict[str, float]:
    """The denominators and spreads behind the KPIs' intervals (``catalogue.SUPPORT_COLUMNS``)."""
    closed = window["closed_episodes"]
    chronic, other = closed["chronic"], closed["non_chronic"]
    sessions = window["sessions"]
    both = _sum_histograms(chronic["sessions_histogram"], other["sessions_histogram"])
    sessions_both = chronic["sessions_total"] + other["sessions_total"]

    def sd(histogram, total) -> float:
        value = histogram_sd(histogram, total)
        return NAN if value is None else value

    return {
        "support.closed_episodes": float(chronic["episodes"] + other["episodes"]),
        "support.closed_episodes_chronic": float(chronic["episodes"]),
        "support.closed_episodes_non_chronic": float(other["episodes"]),
        "support.routed_new_episodes": float(
            _routed(window["episodes"]["started_by_access_route"])
        ),
        "support.waiting_episodes": float(window["waiting"]["episodes"]),
        "support.appointments": float(sessions["total"] + sessions["no_shows"]),
        "support.sessions_per_episode_sd": sd(both, sessions_both),
        "support.sessions_per_episode_chronic_sd": sd(
            chronic["sessions_histogram"], chronic["sessions_total"]
        ),
        "support.sessions_per_episode_non_chronic_sd": sd(
            other["sessions_histogram"], other["sessions_total"]
        ),
    } | {
        column: value
        for name, figures in _outcomes(window).items()
        for column, value in (
            (f"support.{name}_measured", NAN if figures is None else float(figures.n)),
            (
                f"support.{name}_change_sd",
                NAN if figures is None or figures.sd_change is None else figures.sd_change,
            ),
        )
    }


# Per insurer concern its key and its three column names, worked out once.
_INSURER_PLAN = tuple(
    (
        concern.key,
        insurer_column(concern.key, "patients"),
        insurer_column(concern.key, "episodes_per_patient"),
        insurer_column(concern.key, "revenue_per_patient"),
    )
    for concern in INSURER_CONCERNS
)


def insurer_values(window) -> dict[str, float]:
    """Per insurer concern: patients, episodes per patient, revenue per patient
    (``catalogue.INSURER_COLUMNS``); NaN where the practice has no patient of that concern."""
    patients = window["patients"]["by_insurer"]
    episodes = window["episodes"]["active_by_insurer"]
    cents = window["revenue"]["by_insurer"]
    values = {}
    for key, patients_column, episodes_column, revenue_column in _INSURER_PLAN:
        values[patients_column] = float(patients[key])
        values[episodes_column] = _ratio(episodes[key], patients[key])
        values[revenue_column] = _ratio(cents[key] / 100, patients[key])
    return values


# Per mix: its code, category keys and stored column names, worked out once (every import
# computes the mixes of every window: at national scale that is millions of look-ups).
_MIX_PLAN = tuple((mix.code, tuple(c.key for c in mix.categories), mix.columns) for mix in MIXES)
_IN_STORED_ORDER = operator.itemgetter(*STORED_COLUMNS)


def window_values(window) -> dict[str, float]:
    """Every stored column of one window: the base KPIs, each mix category's share (0–100),
    the support columns of the intervals and the figures per insurer."""
    values = base_kpis(window) | support_values(window) | insurer_values(window)
    counts = mix_counts(window)
    for code, keys, columns in _MIX_PLAN:
        values.update(zip(columns, _shares(counts[code], keys), strict=True))
    return values


# STORED_COLUMNS is the base KPIs, the mixes' columns, the support columns and the insurer
# columns, in that order (``catalogue``): ``window_vector`` lays the parts end to end.
_BASE_IN_ORDER = operator.itemgetter(*(kpi.code for kpi in BASE_KPIS))
_SUPPORT_IN_ORDER = operator.itemgetter(*SUPPORT_COLUMNS)
_INSURER_IN_ORDER = operator.itemgetter(*INSURER_COLUMNS)


def window_vector(window) -> np.ndarray:
    """``window_values`` as a float64 vector in ``STORED_COLUMNS`` order: the order in which a
    recompute holds a window in memory and the layout ``store_export`` writes today.

    The same numbers as ``window_values``, laid end to end part by part instead of merged into
    one dict first: seven windows an import, and the merging cost 12–15 % of computing them
    (85 → 75 µs a window, 140 windows, min of 3, alternated; the bytes identical)."""
    counts = mix_counts(window)
    parts = [*_BASE_IN_ORDER(base_kpis(window))]
    for code, keys, _ in _MIX_PLAN:
        parts += _shares(counts[code], keys)
    parts += _SUPPORT_IN_ORDER(support_values(window))
    parts += _INSURER_IN_ORDER(insurer_values(window))
    return np.array(parts, dtype=np.float64)


def growth_matrix(stored: np.ndarray, previous: np.ndarray | None) -> np.ndarray:
    """The growth KPIs (GROWTH_KPIS order) of stored rows against last year's same window.

    ``previous`` holds, row for row, the same practice's same window one year earlier (NaN rows
    where it was not sent). Vectorised, because a full recompute does this for every year.
    """
    stored = np.atleast_2d(np.asarray(stored, dtype=np.float64))
    out = np.full((stored.shape[0], len(GROWTH_KPIS)), np.nan)
    if previous is None:
        return out
    previous = np.atleast_2d(np.asarray(previous, dtype=np.float64))
    for i, kpi in enumerate(GROWTH_KPIS):
        base = COLUMN_INDEX[kpi.growth_of]
        now, before = stored[:, base], previous[:, base]
        with np.errstate(invalid="ignore", divide="ignore"):
            value = (now - before) / before * 100.0
        out[:, i] = np.where(before > 0, value, np.nan)
    return out


def with_growth(stored: np.ndarray, growth: np.ndarray | None) -> np.ndarray:
    """Stored rows (× STORED_COLUMNS) and their growth KPIs side by side (→ COLUMNS)."""
    stored = np.atleast_2d(np.asarray(stored, dtype=np.float64))
    shape = (stored.shape[0], len(COLUMNS))
    whole = growth is not None and stored.shape[1] == len(STORED_COLUMNS)
    # Every column written (a recompute's windows): no NaN fill of the 13 MB first, CPU 1.7
    # against 2.2 and 2.4 against 3.0 ms a national window of 10,000 × 163 (median of 400
    # alternated calls in a kept heap, two runs, 2026-12-02).
    out = np.empty(shape) if whole else np.full(shape, np.nan)
    out[:, : stored.shape[1]] = stored
    if growth is not None:
        out[:, len(STORED_COLUMNS) :] = np.atleast_2d(growth)
    return out


def pack(vector: np.ndarray) -> bytes:
    """The stored form of a vector: little-endian float64, NaN = not defined. Stored with the
    layout that names its numbers (``layout.py``); read back through that module only."""
    return np.asarray(vector, dtype="<f8").tobytes()
