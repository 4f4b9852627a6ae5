"""build_export on the hand-made golden records, and its properties on generated records.

The golden expectations were worked out by hand from tests/client/golden/records (see the comments
for the reasoning per number); they are written out here, not computed.

For the properties the records are written as real CSV files and read back with load_records, so
the whole path from the practice's folder to the JSON that leaves the practice is exercised. Every
raw value that could leak (ids with a marker, birth dates, amounts as written) is created first,
then looked for.
"""

import csv
import json
import os
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from parabench_client.aggregate import build_export, summarize, summary_lines, working_days_between
from parabench_client.records import FILES, OPTIONAL_FILES, load_records
from parabench_format import NoSessions, NothingToExport, codes, export_json, validate_export
from parabench_format.models import FIELDS_1_1, FORMAT_1_0

GOLDEN = Path(__file__).parent / "golden" / "records"
EXAMPLE = Path(__file__).parents[2] / "docs" / "example-export.json"
EXAMPLE_1_0 = Path(__file__).parents[2] / "docs" / "example-export-1.0.json"
CET = timezone(timedelta(hours=1))


def zeros(names, **values):
    return dict.fromkeys(names, 0) | values


def histogram(bins, **at):
    out = [0] * (bins + 1)
    for key, value in at.items():
        out[int(key.removeprefix("b"))] = value
    return out


def gender_age(**cells):
    out = {g: zeros(codes.AGE_BAND_NAMES) for g in codes.GENDERS}
    for key, value in cells.items():
        gender, band = key.split("__")
        out[gender][band] = value
    return out


def closed(**kw):
    base = {
        "episodes": 0,
        "sessions_total": 0,
        "sessions_histogram": histogram(codes.SESSIONS_BINS),
        "duration_days_total": 0,
        "weeks_histogram": histogram(codes.WEEKS_BINS),
        "outcome_measured": 0,
        "goals_achieved": 0,
        "end_reasons": zeros(codes.END_REASONS),
    }
    return base | kw


def no_waiting():
    return {
        "episodes": 0,
        "days_total": 0,
        "within_5_working_days": 0,
        "days_histogram": histogram(codes.WAITING_DAYS_BINS),
    }


@pytest.fixture(scope="module")
def golden_export():
    records = load_records(GOLDEN)
    return build_export(
        records,
        2025,
        date(2026, 1, 15),
        agb_code="04123451",
        exported_at=datetime(2026, 1, 15, 10, 0, tzinfo=CET),
    )


def window(export, window_id):
    """One window of the export without the parts of format 1.1 (tested on their own below)."""
    found = next(w for w in export.model_dump(mode="json")["windows"] if w["id"] == window_id)
    return {k: v for k, v in found.items() if k not in FIELDS_1_1}


def case_mix_cells(export, window_id):
    """Non-empty case-mix cells of a window: {(side, group, band): (episodes, sessions,
    sessions², days, days²)}."""
    found = next(w for w in export.windows if w.id == window_id)
    return {
        (side, group, band): tuple(cell.values())
        for side, groups in found.case_mix.model_dump().items()
        for group, bands in groups.items()
        for band, cell in bands.items()
        if cell["episodes"]
    }


def outcomes(export, window_id):
    found = next(w for w in export.windows if w.id == window_id)
    return found.outcomes.model_dump()


def test_a_past_year_covers_the_whole_year_with_every_quarter_and_year_to_date_window(
    golden_export,
):
    assert (golden_export.period.begin, golden_export.period.end) == (
        date(2025, 1, 1),
        date(2025, 12, 31),
    )
    assert [w.id for w in golden_export.windows] == [
        "Q1",
        "Q2",
        "Q3",
        "Q4",
        "Q1-Q2",
        "Q1-Q3",
        "Q1-Q4",
    ]


def test_the_first_quarter_matches_the_hand_computed_figures(golden_export):
    # Q1 2025: sessions S-01, S-02, S-03, S-05 (episode E-01 of P-0001) and S-12 (E-03 of
    # P-0003); S-04 is a no-show billed € 20 to the patient.
    assert window(golden_export, "Q1") == {
        "id": "Q1",
        "begin": "2025-01-01",
        "end": "2025-03-31",
        "patients": {
            "total": 2,  # P-0001 and P-0003
            "new": 1,  # P-0001: first episode starts 2025-01-06; P-0003's in 2024
            # ages on 1 January 2025: P-0001 44, P-0003 80 (born 31 December 1944)
            "by_gender_age": gender_age(female__age_40_49=1, female__age_80_plus=1),
            "by_insurer": zeros(codes.INSURER_BUCKETS, achmea=1, self_pay=1),
        },
        "episodes": {
            "active": 2,  # E-01, E-03 (2024-11-04 … 2025-05-15)
            "started": 1,
            "ended": 1,  # E-01 on 2025-03-28
            "chronic_active": 1,  # E-03
            "started_by_access_route": zeros(codes.ACCESS_ROUTES, direct=1),
            "active_by_dcsph_group": zeros(codes.DCSPH_GROUPS, spine=1, generalised=1),
            "active_by_insurer": zeros(codes.INSURER_BUCKETS, achmea=1, self_pay=1),
        },
        "sessions": {
            "total": 5,
            "no_shows": 1,
            "by_type": zeros(codes.SESSION_TYPES, screening_intake=1, regular=3, at_home=1),
            "by_payer": zeros(codes.PAYERS, basic=4, self_pay=1),
        },
        "revenue": {
            # 45.00 + 3 × 36.53 basic; 20.00 (no-show) + 50.00 self-pay
            "total_cents": 22459,
            "by_payer": zeros(codes.PAYERS, basic=15459, self_pay=7000),
            "by_insurer": zeros(codes.INSURER_BUCKETS, achmea=15459, self_pay=7000),
        },
        "closed_episodes": {
            "chronic": closed(),
            # E-01: 4 sessions, 2025-01-06 … 2025-03-28 = 81 days = 11 whole weeks
            "non_chronic": closed(
                episodes=1,
                sessions_total=4,
                sessions_histogram=histogram(codes.SESSIONS_BINS, b4=1),
                duration_days_total=81,
                weeks_histogram=histogram(codes.WEEKS_BINS, b11=1),
                outcome_measured=1,
                goals_achieved=1,
                end_reasons=zeros(codes.END_REASONS, regular=1),
            ),
        },
        # E-01: registered Thu 2025-01-02, first session Mon 2025-01-06: 4 days, 2 working days
        "waiting": {
            "episodes": 1,
            "days_total": 4,
            "within_5_working_days": 1,
            "days_histogram": histogram(codes.WAITING_DAYS_BINS, b4=1),
        },
        # T-1 1.0 × 90 days, T-3 0.8 × 45 days (to 14 February): (9000 + 3600) / 90 = 140
        "therapists": {"count": 2, "fte_hundredths": 140},
    }


def test_the_second_quarter_matches_the_hand_computed_figures(golden_export):
    q2 = window(golden_export, "Q2")
    assert q2["patients"] == {
        "total": 3,  # P-0002, P-0003, P-0004
        "new": 2,  # P-0002 (2025-04-02), P-0004 (2025-06-30)
        "by_gender_age": gender_age(male__age_0_17=1, female__age_80_plus=1, other__age_30_39=1),
        "by_insurer": zeros(codes.INSURER_BUCKETS, vgz=1, self_pay=1, other=1),
    }
    assert q2["episodes"]["active"] == 3  # E-02, E-03, E-05
    assert q2["episodes"]["ended"] == 2  # E-03, E-05
    assert q2["episodes"]["started_by_access_route"] == zeros(codes.ACCESS_ROUTES, gp=1, direct=1)
    assert q2["sessions"]["by_type"] == zeros(
        codes.SESSION_TYPES, intake_referral=1, paediatric=1, regular=1, screening_intake=1
    )
    assert q2["revenue"] == {
        "total_cents": 16880,  # 40.00 + 38.00 supplementary; 45.80 + 45.00 self-pay
        "by_payer": zeros(codes.PAYERS, supplementary=7800, self_pay=9080),
        "by_insurer": zeros(codes.INSURER_BUCKETS, vgz=7800, self_pay=9080),
    }
    # E-03 (chronic): 4 sessions over two years, 2024-11-04 … 2025-05-15 = 192 days = 27 weeks
    assert q2["closed_episodes"]["chronic"] == closed(
        episodes=1,
        sessions_total=4,
        sessions_histogram=histogram(codes.SESSIONS_BINS, b4=1),
        duration_days_total=192,
        weeks_histogram=histogram(codes.WEEKS_BINS, b27=1),
        outcome_measured=1,
        end_reasons=zeros(codes.END_REASONS, patient_stopped=1),
    )
    # E-05: one session, same day as start and end
    assert q2["closed_episodes"]["non_chronic"] == closed(
        episodes=1,
        sessions_total=1,
        sessions_histogram=histogram(codes.SESSIONS_BINS, b1=1),
        weeks_histogram=histogram(codes.WEEKS_BINS, b0=1),
        end_reasons=zeros(codes.END_REASONS, other=1),
    )
    # E-02: Thu 20 March → Wed 2 April = 13 days, 9 working days; E-05: Wed 25 → Mon 30 June =
    # 5 days, 3 working days
    assert q2["waiting"] == {
        "episodes": 2,
        "days_total": 18,
        "within_5_working_days": 1,
        "days_histogram": histogram(codes.WAITING_DAYS_BINS, b5=1, b13=1),
    }
    assert q2["therapists"] == {"count": 2, "fte_hundredths": 150}  # T-1 1.0 + T-2 0.5


def test_the_last_quarter_counts_the_episode_closed_in_december(golden_export):
    q4 = window(golden_export, "Q4")
    assert (q4["patients"]["total"], q4["patients"]["new"]) == (2, 0)
    assert q4["episodes"]["active"] == 2  # E-02 (open), E-04
    assert q4["sessions"]["total"] == 3
    assert q4["revenue"]["total_cents"] == 9306
    # E-04: 3 sessions, 2025-09-03 … 2025-12-17 = 105 days = 15 weeks, referred, goals achieved
    assert q4["closed_episodes"]["non_chronic"] == closed(
        episodes=1,
        sessions_total=3,
        sessions_histogram=histogram(codes.SESSIONS_BINS, b3=1),
        duration_days_total=105,
        weeks_histogram=histogram(codes.WEEKS_BINS, b15=1),
        goals_achieved=1,
        end_reasons=zeros(codes.END_REASONS, referred=1),
    )
    assert q4["waiting"] == no_waiting()


def test_year_to_date_windows_count_each_patient_once(golden_export):
    half = window(golden_export, "Q1-Q2")
    assert half["patients"]["total"] == 4  # 2 in Q1 + 3 in Q2, P-0003 in both
    assert half["patients"]["new"] == 3
    assert half["patients"]["by_gender_age"] == gender_age(
        female__age_40_49=1, female__age_80_plus=1, male__age_0_17=1, other__age_30_39=1
    )
    assert half["episodes"]["active"] == 4  # E-01, E-02, E-03, E-05
    assert half["sessions"]["total"] == 9
    # (1.0 × 181 + 0.5 × 91 + 0.8 × 45) × 100 / 181 = 145.03
    assert half["therapists"] == {"count": 3, "fte_hundredths": 145}
    year = window(golden_export, "Q1-Q4")
    assert year["patients"]["total"] == 4  # P-0005 was treated only in 2024
    assert year["episodes"]["active"] == 5
    assert year["episodes"]["active_by_insurer"] == zeros(
        codes.INSURER_BUCKETS, achmea=2, vgz=1, other=1, self_pay=1
    )
    assert year["sessions"]["total"] == 14
    assert year["revenue"]["total_cents"] == 56298
    assert year["therapists"] == {"count": 3, "fte_hundredths": 148}  # 53850 / 365 = 147.5


def test_the_trend_has_every_month_of_a_past_year(golden_export):
    trend = [
        (m.month, m.patients, m.episodes_started, m.sessions, m.no_shows, m.revenue_cents)
        for m in golden_export.trend
    ]
    assert trend == [
        (1, 1, 1, 3, 0, 11806),
        (2, 1, 0, 1, 1, 7000),
        (3, 1, 0, 1, 0, 3653),
        (4, 1, 1, 2, 0, 7800),
        (5, 1, 0, 1, 0, 4580),
        (6, 1, 1, 1, 0, 4500),
        (7, 1, 0, 1, 0, 3653),
        (8, 0, 0, 0, 0, 0),
        (9, 1, 1, 1, 0, 4000),
        (10, 2, 0, 2, 0, 5653),
        (11, 0, 0, 0, 0, 0),
        (12, 1, 0, 1, 0, 3653),
    ]


def test_the_current_year_stops_at_the_last_complete_quarter_but_the_trend_runs_to_today():
    export = build_export(load_records(GOLDEN), 2025, date(2025, 7, 10), agb_code="04123451")
    assert (export.period.begin, export.period.end) == (date(2025, 1, 1), date(2025, 6, 30))
    assert [w.id for w in export.windows] == ["Q1", "Q2", "Q1-Q2"]
    assert [(m.month, m.end) for m in export.trend][-1] == (7, date(2025, 7, 10))
    assert export.trend[-1].sessions == 1  # S-08 on 1 July, outside the period
    assert window(export, "Q1-Q2")["sessions"]["total"] == 9
    assert validate_export(export_json(export)).ok


def test_the_summary_shows_only_totals_of_the_whole_period(golden_export):
    summary = summarize(golden_export)
    assert (summary.patients, summary.episodes, summary.sessions) == (4, 5, 14)
    lines = summary_lines(summary)
    assert lines[1] == "Periode: 01-01-2025 t/m 31-12-2025 (trend t/m 31-12-2025)"
    assert "Patiënten: 4" in lines


def test_working_days_skip_weekends():
    thursday = date(2025, 1, 2)
    assert working_days_between(thursday, date(2025, 1, 6)) == 2  # Friday, Monday
    assert working_days_between(thursday, thursday) == 0
    assert working_days_between(date(2025, 3, 20), date(2025, 4, 2)) == 9
    assert working_days_between(date(2025, 1, 4), date(2025, 1, 12)) == 5  # Saturday → Sunday


def test_the_shipped_example_is_the_export_of_the_golden_records(golden_export):
    """docs/example-export.json; regenerate with PARABENCH_REGENERATE_EXAMPLE=1."""
    generated = export_json(golden_export, pretty=True)
    if os.environ.get("PARABENCH_REGENERATE_EXAMPLE"):
        EXAMPLE.write_bytes(generated)
    assert EXAMPLE.read_bytes() == generated
    assert json.loads(generated)["format"] == "parabench-mi/1.1"


def test_the_shipped_1_0_example_is_the_same_export_without_case_mix_and_outcomes():
    """docs/example-export-1.0.json: what a 1.0 exporter writes from the same records."""
    export = build_export(
        load_records(GOLDEN),
        2025,
        date(2026, 1, 15),
        agb_code="04123451",
        exported_at=datetime(2026, 1, 15, 10, 0, tzinfo=CET),
        format_version=FORMAT_1_0,
    )
    generated = export_json(export, pretty=True)
    if os.environ.get("PARABENCH_REGENERATE_EXAMPLE"):
        EXAMPLE_1_0.write_bytes(generated)
    assert EXAMPLE_1_0.read_bytes() == generated
    document = json.loads(generated)
    assert document["format"] == "parabench-mi/1"
    assert not any(name in w for w in document["windows"] for name in FIELDS_1_1)
    assert validate_export(generated).ok


# --- Format 1.1: case mix and outcome measures, by hand ------------------------------------------


def test_closed_episodes_fall_in_their_case_mix_cell(golden_export):
    # Ages on 1 January 2025. E-01 (spine 3400, P-0001 aged 44): 4 sessions over 81 days, Q1.
    assert case_mix_cells(golden_export, "Q1") == {
        ("non_chronic", "spine", "age_18_44"): (1, 4, 16, 81, 81**2)
    }
    # E-03 (chronic, generalised 9100, P-0003 aged 80): S-10 2024-11-04 … S-13 2025-05-15 =
    # 192 days, 4 sessions; E-05 (head/neck 1200, P-0004 aged 30): one session, 0 days.
    assert case_mix_cells(golden_export, "Q2") == {
        ("chronic", "generalised", "age_65_plus"): (1, 4, 16, 192, 192**2),
        ("non_chronic", "head_neck", "age_18_44"): (1, 1, 1, 0, 0),
    }
    # E-04 (shoulder 4200, P-0001): S-14 2025-09-03 … S-16 2025-12-17 = 105 days, 3 sessions.
    assert case_mix_cells(golden_export, "Q4") == {
        ("non_chronic", "shoulder_arm_hand", "age_18_44"): (1, 3, 9, 105, 105**2)
    }
    assert case_mix_cells(golden_export, "Q3") == {}
    assert len(case_mix_cells(golden_export, "Q1-Q4")) == 4


def test_outcomes_pair_the_first_and_last_score_of_closed_episodes(golden_export):
    # E-01: NPRS 7 → 3 (the 5 between does not count): −4, improved; PSK 6.3 → 4.7: −1.6, not.
    assert outcomes(golden_export, "Q1") == {
        "nprs": measure(1, 70, 30, 40**2, 1),
        "psk": measure(1, 63, 47, 16**2, 0),
    }
    # E-03: NPRS 5 → 4 (−1, 20 %): not improved. E-05 has one NPRS only: not measured.
    assert outcomes(golden_export, "Q2") == {
        "nprs": measure(1, 50, 40, 10**2, 0),
        "psk": measure(0, 0, 0, 0, 0),
    }
    # E-04: NPRS 3 → 2 (−1 point, but 33 %): improved; PSK 8 → 5.5 (−2.5): improved.
    # E-02 is scored twice but still open: not counted.
    assert outcomes(golden_export, "Q4") == {
        "nprs": measure(1, 30, 20, 10**2, 1),
        "psk": measure(1, 80, 55, 25**2, 1),
    }
    assert outcomes(golden_export, "Q1-Q4") == {
        "nprs": measure(3, 150, 90, 1800, 2),
        "psk": measure(2, 143, 102, 881, 1),
    }


def measure(measured, baseline, final, squares, improved):
    return {
        "measured": measured,
        "baseline_tenths_total": baseline,
        "final_tenths_total": final,
        "change_squares_total": squares,
        "improved": improved,
    }


# --- Properties on generated records -------------------------------------------------------------

YEAR = 2025
UZOVI = ["", "3311", "7095", "3343", "9999"]
DCSPH = ["1200", "2100", "3400", "4200", "5900", "6000", "7500", "9100"]
CODES = ["1000", "1001", "1002", "1100", "1864", "1870", "1920", "1234"]


@st.composite
def practice(draw):
    """Rows for the files; every id carries the marker 'GEHEIM' so a leak is easy to see."""
    patients, episodes, sessions, therapists, measurements = [], [], [], [], []
    for p in range(draw(st.integers(1, 7))):
        pid = f"GEHEIM-P{p}-{draw(st.integers(100, 999))}"
        birth = draw(st.dates(date(1920, 1, 1), date(2015, 12, 31)))
        uzovi = draw(st.sampled_from(UZOVI))
        patients.append([pid, draw(st.sampled_from("FMX")), birth.isoformat(), uzovi])
        for e in range(draw(st.integers(0, 3))):
            eid = f"GEHEIM-E{p}-{e}"
            start = draw(st.dates(date(2024, 10, 1), date(2026, 6, 30)))
            registration = start - timedelta(days=draw(st.integers(0, 40)))
            closed = draw(st.booleans())
            end = start + timedelta(days=draw(st.integers(0, 250))) if closed else None
            episodes.append(
                [
                    eid,
                    pid,
                    registration.isoformat() if draw(st.booleans()) else "",
                    start.isoformat(),
                    end.isoformat() if end else "",
                    draw(st.sampled_from(DCSPH)),
                    draw(st.sampled_from("01")),
                    draw(st.sampled_from(["direct", "gp", "specialist", "other"])),
                    draw(st.sampled_from(["regular", "patient_stopped", "referred", "other"]))
                    if closed
                    else "",
                    draw(st.sampled_from("01")) if closed else "",
                    draw(st.sampled_from("01")),
                ]
            )
            last = end or start + timedelta(days=300)
            for instrument in ("NPRS", "PSK"):
                days = draw(st.sets(st.integers(0, (last - start).days), max_size=3))
                for offset in sorted(days):
                    tenths = draw(st.integers(0, 100))
                    score = str(tenths // 10) if instrument == "NPRS" else f"{tenths / 10:.1f}"
                    day = (start + timedelta(days=offset)).isoformat()
                    measurements.append([eid, instrument, day, score])
            for s in range(draw(st.integers(0, 6))):
                day = start + timedelta(days=draw(st.integers(0, (last - start).days)))
                payer = (
                    "self_pay"
                    if not uzovi
                    else draw(st.sampled_from(["basic", "supplementary", "self_pay"]))
                )
                cents = draw(st.integers(0, 9999))
                sessions.append(
                    [
                        f"GEHEIM-S{p}-{e}-{s}",
                        eid,
                        day.isoformat(),
                        draw(st.sampled_from(CODES)),
                        payer,
                        f"{cents // 100}.{cents % 100:02d}",
                        draw(st.sampled_from("0001")),
                    ]
                )
    for t in range(draw(st.integers(0, 3))):
        start = draw(st.none() | st.dates(date(2020, 1, 1), date(2025, 12, 31)))
        end = draw(st.none() | st.dates(date(2025, 1, 1), date(2026, 12, 31)))
        if start and end and end < start:
            start, end = end, start
        therapists.append(
            [
                f"GEHEIM-T{t}",
                draw(st.sampled_from(["0.5", "0.8", "1.0", "1"])),
                start.isoformat() if start else "",
                end.isoformat() if end else "",
            ]
        )
    return {
        "patients": patients,
        "episodes": episodes,
        "sessions": sessions,
        "therapists": therapists,
        "measurements": measurements,
    }


def write(folder: Path, rows: dict) -> None:
    for kind, (name, columns) in (FILES | OPTIONAL_FILES).items():
        with (folder / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            writer.writerows(rows[kind])


def export_of(rows, today):
    with tempfile.TemporaryDirectory() as folder:
        write(Path(folder), rows)
        records = load_records(folder)
    try:
        return records, build_export(records, YEAR, today, agb_code="04123451")
    except NoSessions:
        reject()  # a year without sessions is refused (tested on its own); draw another


TODAY = st.dates(date(2025, 4, 1), date(2026, 12, 31))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def strings_in(value, path="$"):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from strings_in(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for inner in value:
            yield from strings_in(inner, f"{path}[]")
    elif isinstance(value, str):
        yield path, value


ALLOWED_STRING_PATHS = {
    "$.format",
    "$.practice.agb_code",
    "$.software.name",
    "$.software.version",
    "$.exported_at",
    "$.period.begin",
    "$.period.end",
    "$.windows[].id",
    "$.windows[].begin",
    "$.windows[].end",
    "$.trend[].begin",
    "$.trend[].end",
}


@SETTINGS
@given(rows=practice(), today=TODAY)
def test_no_patient_id_birth_date_or_raw_value_appears_in_the_export(rows, today):
    _, export = export_of(rows, today)
    text = export_json(export).decode()
    assert "GEHEIM" not in text
    for patient in rows["patients"]:
        assert patient[2] not in text  # birth dates (all before 2016; the export's are 2025/26)
    for session in rows["sessions"]:
        if session[5] not in ("0.00",):
            assert f'"{session[5]}"' not in text and f":{session[5]}," not in text
    paths = {path for path, _ in strings_in(json.loads(text))}
    assert paths <= ALLOWED_STRING_PATHS


@SETTINGS
@given(rows=practice(), today=TODAY)
def test_the_validator_accepts_every_export_built_from_valid_records(rows, today):
    _, export = export_of(rows, today)
    report = validate_export(export_json(export))
    assert report.problems == []


@SETTINGS
@given(rows=practice(), today=TODAY)
def test_totals_of_the_whole_period_match_the_records(rows, today):
    records, export = export_of(rows, today)
    begin, end = export.period.begin, export.period.end
    whole = export.windows[-1]
    in_period = [s for s in records.sessions if begin <= s.date <= end]
    held = [s for s in in_period if not s.no_show]
    assert whole.sessions.total == len(held)
    assert whole.sessions.no_shows == len(in_period) - len(held)
    assert whole.revenue.total_cents == sum(s.amount_cents for s in in_period)
    patients = {records.episodes[s.episode_id].patient_id for s in held}
    assert whole.patients.total == len(patients)
    active = [
        e
        for e in records.episodes.values()
        if e.start_date <= end and (e.end_date is None or e.end_date >= begin)
    ]
    assert whole.episodes.active == len(active)
    closed = [e for e in active if e.end_date is not None and e.end_date <= end]
    assert whole.episodes.ended == len(closed)
    sessions_of_closed = sum(
        1
        for s in records.sessions
        if not s.no_show and s.episode_id in {e.episode_id for e in closed}
    )
    sides = whole.closed_episodes
    assert sides.chronic.sessions_total + sides.non_chronic.sessions_total == sessions_of_closed


@SETTINGS
@given(rows=practice(), today=TODAY)
def test_distinct_counts_of_a_longer_window_are_at_least_those_of_every_window_inside(rows, today):
    _, export = export_of(rows, today)
    by_id = {w.id: w for w in export.windows}
    for ytd, inside in {
        "Q1-Q2": ["Q1", "Q2"],
        "Q1-Q3": ["Q1", "Q2", "Q3", "Q1-Q2"],
        "Q1-Q4": ["Q1", "Q2", "Q3", "Q4", "Q1-Q2", "Q1-Q3"],
    }.items():
        if ytd not in by_id:
            continue
        outer = by_id[ytd]
        for inner_id in inside:
            inner = by_id[inner_id]
            assert outer.patients.total >= inner.patients.total
            assert outer.patients.new >= inner.patients.new
            assert outer.episodes.active >= inner.episodes.active
            assert outer.therapists.count >= inner.therapists.count
        quarters = [by_id[q] for q in inside if "-" not in q]
        assert outer.patients.total <= sum(q.patients.total for q in quarters)
        assert outer.sessions.total == sum(q.sessions.total for q in quarters)


@settings(max_examples=20, deadline=None)
@given(rows=practice(), today=st.dates(date(2025, 1, 1), date(2025, 3, 31)))
def test_before_the_first_quarter_is_complete_there_is_nothing_to_export(rows, today):
    with tempfile.TemporaryDirectory() as folder:
        write(Path(folder), rows)
        records = load_records(folder)
    try:
        build_export(records, YEAR, today, agb_code="04123451")
    except NothingToExport as error:
        assert error.code == "nothing_to_export"
    else:
        raise AssertionError("an export was made before 1 April")


def test_exports_of_several_years_from_the_same_records_equal_exports_from_fresh_ones():
    """build_export keeps facts of the records between calls; they must not leak across years."""
    today = date(2026, 7, 15)
    shared = load_records(GOLDEN)

    def outcome(records, year):
        try:
            return build_export(records, year, today, agb_code="04123451")
        except NoSessions as refused:
            return refused.code  # the golden records hold 2025 only

    for year in (2024, 2025, 2026, 2025):
        assert outcome(shared, year) == outcome(load_records(GOLDEN), year)
    assert outcome(shared, 2026) == "no_sessions"


def test_records_that_grow_after_an_export_are_counted_in_the_next_one():
    records = load_records(GOLDEN)
    before = build_export(records, 2025, date(2026, 1, 15), agb_code="04123451")
    extra = records.sessions[1]._replace(session_id="S-extra")
    records.sessions.append(extra)

    after = build_export(records, 2025, date(2026, 1, 15), agb_code="04123451")

    assert after.windows[-1].sessions.total == before.windows[-1].sessions.total + 1
