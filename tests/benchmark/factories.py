"""Real parabench-mi/1 and 1.1 exports and imports for tests: built through the format's models.

``make_export(agb, year, quarters=4, size=1)`` returns a validated ``parabench_format.Export``.
Every quarter is the same hand-made template times ``size``; the year-to-date windows follow the
distinct-count rules of the format: additive numbers (sessions, revenue, started episodes …) are
the sum of the quarters, distinct counts (patients, active episodes) grow by half a quarter per
extra quarter (Q1-Q2 = 1.5 × a quarter), therapists stay the same people. The golden values in
tests/benchmark/test_kpis.py are computed by hand from this template. With
``format_version="parabench-mi/1.1"`` every window also carries the template's case-mix cells and
outcome measures (``_CASE_MIX``, ``_OUTCOMES``), additive like the closed episodes they describe.

``make_import(practice, year, ...)`` adds an imported ``Import`` row and stores its values through
``store_export`` (and recomputes, unless told not to) — the same path the import task takes.
``store_imported(practice, export, ...)`` does the storing for an export made elsewhere (the
export client's ``build_export``): the privacy world, the dashboard tests and the benchmarks.
"""

import hashlib
import itertools
from datetime import UTC, date, datetime, timedelta

from parabench.benchmark.ingest import store_export
from parabench.benchmark.recompute import recompute_practices
from parabench.uploads.importer import mark_current
from parabench.uploads.models import Import
from parabench_format import validate_export
from parabench_format.codes import (
    AGE_BAND_NAMES,
    CASE_MIX_AGE_BAND_NAMES,
    CASE_MIX_SIDES,
    DCSPH_GROUPS,
    INSURER_BUCKETS,
    SESSIONS_BINS,
    WAITING_DAYS_BINS,
    WEEKS_BINS,
)
from parabench_format.models import FORMAT_1_0, FORMAT_1_1
from parabench_format.periods import QUARTER_IDS, YTD_IDS, quarter_begin, quarter_end

# The format's own code lists, in the order the factory's arrays are written.
_BANDS = AGE_BAND_NAMES
_INSURERS = INSURER_BUCKETS


def _histogram(bins: int, points: dict[int, int]) -> list[int]:
    histogram = [0] * (bins + 1)
    for value, count in points.items():
        histogram[value] += count
    return histogram


def _closed(episodes, sessions, weeks, outcome, goals, reasons):
    return {
        "episodes": episodes,
        "sessions_total": sum(v * n for v, n in sessions.items()),
        "sessions_histogram": _histogram(SESSIONS_BINS, sessions),
        # 3 days past the whole weeks: inside every bin's range.
        "duration_days_total": sum((7 * v + 3) * n for v, n in weeks.items()),
        "weeks_histogram": _histogram(WEEKS_BINS, weeks),
        "outcome_measured": outcome,
        "goals_achieved": goals,
        "end_reasons": reasons,
    }


# One quarter of a small practice (size 1). Distinct counts are even so that half of them is whole.
_DISTINCT = {
    "patients": {
        "female": [4, 6, 8, 10, 12, 10, 8, 2],  # 60
        "male": [4, 4, 6, 6, 8, 6, 4, 2],  # 40
        "other": [0] * 8,
        "insurer": [30, 24, 20, 12, 4, 2, 2, 2, 2, 0, 0, 2],  # 100
    },
    "episodes": {
        "dcsph": [10, 6, 48, 26, 24, 6],  # 120
        "insurer": [36, 28, 24, 14, 6, 2, 2, 4, 2, 0, 0, 2],  # 120
        "chronic": 18,
    },
}


def _cell(episodes: int, sessions: int, weeks: int) -> list[int]:
    """``episodes`` closed episodes of ``sessions`` sessions over 7·weeks + 3 days each."""
    days = 7 * weeks + 3
    return [
        episodes,
        episodes * sessions,
        episodes * sessions**2,
        episodes * days,
        episodes * days**2,
    ]


# The closed episodes of one quarter (see _quarter_additive) in their case-mix cells, as
# (side, DCSPH group, age band) → (episodes, sessions each, whole weeks each). Each group holds at
# most 5/8 of its active episodes, so the year-to-date windows (closed × m, active × (1+(m−1)/2))
# stay possible.
_CASE_MIX = {
    ("chronic", "thorax_abdomen", "age_65_plus"): (3, 30, 20),
    ("chronic", "generalised", "age_65_plus"): (3, 30, 20),
    ("non_chronic", "spine", "age_18_44"): (18, 3, 2),
    ("non_chronic", "spine", "age_45_64"): (12, 6, 5),
    ("non_chronic", "head_neck", "age_0_17"): (6, 6, 5),
    ("non_chronic", "shoulder_arm_hand", "age_65_plus"): (16, 12, 10),
    ("non_chronic", "pelvis_leg_foot", "age_45_64"): (2, 12, 10),
}
# Outcome measures of one quarter: NPRS 20 measured, each 6 → 3 (12 of them, improved) or 6 → 5
# (8); PSK 10 measured, each 7 → 4.5 (5, improved) or 7 → 6.5 (5).
_OUTCOMES = {
    "nprs": {"measured": 20, "baseline_tenths_total": 1200, "final_tenths_total": 760,
             "change_squares_total": 12 * 30**2 + 8 * 10**2, "improved": 12},
    "psk": {"measured": 10, "baseline_tenths_total": 700, "final_tenths_total": 550,
            "change_squares_total": 5 * 25**2 + 5 * 5**2, "improved": 5},
}  # fmt: skip


def _case_mix(size: int) -> dict:
    fields = (
        "episodes",
        "sessions_total",
        "sessions_squares_total",
        "duration_days_total",
        "duration_days_squares_total",
    )
    out = {}
    for side in CASE_MIX_SIDES:
        out[side] = {}
        for group in DCSPH_GROUPS:
            out[side][group] = {}
            for band in CASE_MIX_AGE_BAND_NAMES:
                found = _CASE_MIX.get((side, group, band))
                numbers = _cell(*found) if found else [0] * 5
                out[side][group][band] = {f: n * size for f, n in zip(fields, numbers, strict=True)}
    return out


def _quarter_additive(size: int) -> dict:
    s = size
    return {
        "new_patients": 40 * s,
        "started": 60 * s,
        "routes": {"direct": 42 * s, "gp": 12 * s, "specialist": 4 * s, "other": 2 * s},
        "ended": 60 * s,
        "closed": {
            "chronic": _closed(
                6 * s,
                {30: 6 * s},
                {20: 6 * s},
                3 * s,
                4 * s,
                {"regular": 5 * s, "patient_stopped": 1 * s, "referred": 0, "other": 0},
            ),
            "non_chronic": _closed(
                54 * s,
                {3: 18 * s, 6: 18 * s, 12: 18 * s},
                {2: 18 * s, 5: 18 * s, 10: 18 * s},
                27 * s,
                45 * s,
                {"regular": 45 * s, "patient_stopped": 5 * s, "referred": 2 * s, "other": 2 * s},
            ),
        },
        "sessions": 600 * s,
        "no_shows": 24 * s,
        "types": {
            "regular": 420 * s,
            "at_home": 60 * s,
            "institution": 0,
            "paediatric": 0,
            "screening_intake": 42 * s,
            "intake_referral": 18 * s,
            "telephone": 30 * s,
            "group": 30 * s,
            "manual_therapy": 0,
            "oedema": 0,
            "pelvic": 0,
            "other": 0,
        },
        "payers": {"basic": 300 * s, "supplementary": 240 * s, "self_pay": 60 * s},
        "payer_cents": {
            "basic": 1_095_900 * s,
            "supplementary": 876_720 * s,
            "self_pay": 274_800 * s,
        },
        "insurer_cents": [
            600_000 * s,
            500_000 * s,
            400_000 * s,
            250_000 * s,
            100_000 * s,
            50_000 * s,
            30_000 * s,
            30_000 * s,
            12_620 * s,
            0,
            0,
            274_800 * s,
        ],
        "waiting": {2: 20 * s, 4: 20 * s, 10: 20 * s},
        "within_5": 40 * s,
        "case_mix": _case_mix(s),
        "outcomes": {k: {f: n * s for f, n in v.items()} for k, v in _OUTCOMES.items()},
    }


def _add(a, b):
    """Element-wise sum of two nested structures of the same shape."""
    if isinstance(a, dict):
        return {k: _add(a[k], b[k]) for k in a}
    if isinstance(a, list):
        return [_add(x, y) for x, y in zip(a, b, strict=True)]
    return a + b


def _times(value, m: int):
    result = value
    for _ in range(m - 1):
        result = _add(result, value)
    return result


def _window(
    window_id: str, begin: date, end: date, quarters: int, size: int, format_version: str
) -> dict:
    """A window of ``quarters`` quarters: additive parts summed, distinct parts 1 + (m-1)/2."""

    def distinct(count: int) -> int:
        per_quarter = count * size
        return per_quarter + (quarters - 1) * per_quarter // 2

    p, e = _DISTINCT["patients"], _DISTINCT["episodes"]
    a = _times(_quarter_additive(size), quarters)
    gender_age = {
        gender: {band: distinct(n) for band, n in zip(_BANDS, p[gender], strict=True)}
        for gender in ("female", "male", "other")
    }
    total_patients = sum(sum(bands.values()) for bands in gender_age.values())
    dcsph_keys = (
        "head_neck",
        "thorax_abdomen",
        "spine",
        "shoulder_arm_hand",
        "pelvis_leg_foot",
        "generalised",
    )
    active_by_dcsph = {k: distinct(n) for k, n in zip(dcsph_keys, e["dcsph"], strict=True)}
    waiting = _histogram(WAITING_DAYS_BINS, a["waiting"])
    fte = 400
    return {
        "id": window_id,
        "begin": begin.isoformat(),
        "end": end.isoformat(),
        "patients": {
            "total": total_patients,
            "new": a["new_patients"],
            "by_gender_age": gender_age,
            "by_insurer": {k: distinct(n) for k, n in zip(_INSURERS, p["insurer"], strict=True)},
        },
        "episodes": {
            "active": sum(active_by_dcsph.values()),
            "started": a["started"],
            "ended": a["ended"],
            "chronic_active": distinct(e["chronic"]),
            "started_by_access_route": a["routes"],
            "active_by_dcsph_group": active_by_dcsph,
            "active_by_insurer": {
                k: distinct(n) for k, n in zip(_INSURERS, e["insurer"], strict=True)
            },
        },
        "sessions": {
            "total": a["sessions"],
            "no_shows": a["no_shows"],
            "by_type": a["types"],
            "by_payer": a["payers"],
        },
        "revenue": {
            "total_cents": sum(a["payer_cents"].values()),
            "by_payer": a["payer_cents"],
            "by_insurer": dict(zip(_INSURERS, a["insurer_cents"], strict=True)),
        },
        "closed_episodes": a["closed"],
        "waiting": {
            "episodes": sum(waiting),
            "days_total": sum(i * n for i, n in enumerate(waiting)),
            "within_5_working_days": a["within_5"],
            "days_histogram": waiting,
        },
        "therapists": {"count": 5, "fte_hundredths": fte},
    } | (
        {"case_mix": a["case_mix"], "outcomes": a["outcomes"]}
        if format_version == FORMAT_1_1
        else {}
    )


def _split3(total: int) -> list[int]:
    base = total // 3
    return [base, base, total - 2 * base]


def export_dict(
    agb: str,
    year: int,
    quarters: int = 4,
    size: int = 1,
    year_closed: bool = False,
    exported_at: datetime | None = None,
    format_version: str = FORMAT_1_0,
) -> dict:
    """The JSON document of an export (before validation); exported 15 days after its period
    unless ``exported_at`` says otherwise."""
    end = quarter_end(year, quarters)
    exported = exported_at or datetime.combine(
        end + timedelta(days=15), datetime.min.time(), tzinfo=UTC
    )
    windows = [
        _window(
            QUARTER_IDS[q - 1],
            quarter_begin(year, q),
            quarter_end(year, q),
            1,
            size,
            format_version,
        )
        for q in range(1, quarters + 1)
    ]
    windows += [
        _window(YTD_IDS[q - 1], date(year, 1, 1), quarter_end(year, q), q, size, format_version)
        for q in range(2, quarters + 1)
    ]
    through = min(exported.date(), date(year, 12, 31))
    trend = []
    quarter = windows[0]
    for month in range(1, 13):
        begin = date(year, month, 1)
        if begin > through:
            break
        last = (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - timedelta(1)
        i = (month - 1) % 3
        trend.append(
            {
                "month": month,
                "begin": begin.isoformat(),
                "end": min(last, through).isoformat(),
                "patients": _split3(quarter["patients"]["total"])[i],
                "episodes_started": _split3(quarter["episodes"]["started"])[i],
                "sessions": _split3(quarter["sessions"]["total"])[i],
                "no_shows": _split3(quarter["sessions"]["no_shows"])[i],
                "revenue_cents": _split3(quarter["revenue"]["total_cents"])[i],
            }
        )
    return {
        "format": format_version,
        "practice": {"agb_code": agb},
        "software": {"name": "parabench-client", "version": "1.0"},
        "exported_at": exported.isoformat(),
        "period": {"begin": date(year, 1, 1).isoformat(), "end": end.isoformat()},
        "year_closed": year_closed,
        "windows": windows,
        "trend": trend,
    }


def make_export(
    agb: str,
    year: int,
    quarters: int = 4,
    size: int = 1,
    year_closed=False,
    exported_at=None,
    format_version: str = FORMAT_1_0,
):
    """A validated export (``parabench_format.Export``); fails loudly if the format refuses it."""
    report = validate_export(
        export_dict(agb, year, quarters, size, year_closed, exported_at, format_version)
    )
    if not report.ok:
        raise AssertionError([p.to_dict() for p in report.problems])
    return report.export


_uploads = itertools.count(1)


def make_import(
    practice,
    year: int,
    quarters: int = 4,
    size: int = 1,
    *,
    status=Import.Status.IMPORTED,
    recompute: bool = True,
    uploaded_at: datetime | None = None,
    exported_at: datetime | None = None,
    format_version: str = FORMAT_1_0,
):
    """An Import of ``practice`` for ``year``, stored like the import task does, then recomputed.

    The export moment is the end of its period + 15 days unless given; an imported one is
    marked current when it counts (``importer.mark_current``), as the import task does.
    """
    export = make_export(
        practice.agb_code,
        year,
        quarters,
        size,
        exported_at=exported_at,
        format_version=format_version,
    )
    number = next(_uploads)
    uploaded_at = uploaded_at or datetime(2020, 1, 1, tzinfo=UTC) + timedelta(minutes=number)
    imported = status == Import.Status.IMPORTED
    imp = Import.objects.create(
        practice=practice,
        certificate_fingerprint="ab" * 32,
        status=status,
        uploaded_at=uploaded_at,
        imported_at=uploaded_at + timedelta(seconds=30) if imported else None,
        content_sha256=hashlib.sha256(f"{practice.pk}-{number}".encode()).hexdigest(),
        body_path=f"test/{number}.json",
        body_size=1000,
        format_version="parabench-mi/1",
        year=year,
        period_begin=export.period.begin,
        period_end=export.period.end,
        year_closed=export.year_closed,
        exported_at=export.exported_at,
    )
    if imported:
        mark_current([imp])
    store_export(imp, export)
    if recompute and imported:
        recompute_practices(imp.year, [imp.practice_id])
    return imp


def imported_upload(practice, export, *, moment: datetime, key: str) -> Import:
    """The Import row (not saved) of ``export`` as the practice's upload, imported at ``moment``;
    ``key`` makes the content hash unique."""
    return Import(
        practice=practice,
        certificate_fingerprint="0" * 64,
        status=Import.Status.IMPORTED,
        uploaded_at=moment,
        imported_at=moment,
        content_sha256=hashlib.sha256(key.encode()).hexdigest(),
        body_path=f"test/{key}.json",
        body_size=1,
        format_version="parabench-mi/1",
        year=export.period.begin.year,
        period_begin=export.period.begin,
        period_end=export.period.end,
        year_closed=export.year_closed,
        exported_at=moment,
    )


def store_imported(practice, export, *, moment: datetime, key: str):
    """``export`` as the practice's imported upload made at ``moment``, marked current when it
    counts (``importer.mark_current``) and its values stored by ``store_export``, as the import
    task does; ``key`` makes the content hash unique. Call inside a transaction; nothing is
    recomputed."""
    imp = imported_upload(practice, export, moment=moment, key=key)
    imp.save()
    mark_current([imp])
    store_export(imp, export)
    return imp
