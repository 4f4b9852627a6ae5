"""Write the conformance vectors: valid exports and invalid ones, each breaking one rule.

Run from the repository root: ``python conformance/make_vectors.py``. The valid exports come from
the golden practice records of the test suite through the reference client; every invalid vector
is one of them with one change, and ``MUTATIONS`` says by hand which problem codes it must give.
``tests/conformance/test_vectors.py`` checks that the committed files are what this writes.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from parabench_client.aggregate import build_export  # noqa: E402
from parabench_client.records import load_records  # noqa: E402
from parabench_format import export_json  # noqa: E402
from parabench_format.models import FORMAT_1_0  # noqa: E402

GOLDEN = ROOT / "tests" / "client" / "golden" / "records"
CET = timezone(timedelta(hours=1))
CEST = timezone(timedelta(hours=2))


def valid_exports() -> dict[str, bytes]:
    records = load_records(GOLDEN)

    def made(today: date, moment: datetime, **more) -> bytes:
        export = build_export(
            records,
            2025,
            today,
            agb_code="04123451",
            exported_at=moment,
            software_name="ParaBench-conformance",
            software_version="1.0",
            **more,
        )
        return export_json(export, pretty=True)

    january = (date(2026, 1, 15), datetime(2026, 1, 15, 10, 0, tzinfo=CET))
    return {
        "2025-whole-year.json": made(*january),
        "2025-first-two-quarters.json": made(
            date(2025, 7, 10), datetime(2025, 7, 10, 9, 30, tzinfo=CEST), year_closed=False
        ),
        "2025-whole-year-1.0.json": made(*january, format_version=FORMAT_1_0),
    }


def _set(path: str, value):
    """A mutation that sets one value, addressed like ``windows.0.sessions.total``."""

    def apply(document: dict) -> None:
        *parents, last = path.split(".")
        target = document
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value

    return apply


def _add(path: str, delta: int):
    def apply(document: dict) -> None:
        *parents, last = path.split(".")
        target = document
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        key = int(last) if last.isdigit() else last
        target[key] += delta

    return apply


def _delete(path: str):
    def apply(document: dict) -> None:
        *parents, last = path.split(".")
        target = document
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        del target[int(last) if last.isdigit() else last]

    return apply


def _all_sessions_zero(document: dict) -> None:
    for window in document["windows"]:
        window["sessions"]["total"] = 0


def _shorten(path: str):
    def apply(document: dict) -> None:
        *parents, last = path.split(".")
        target = document
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = target[last][:-1]

    return apply


# (file name, what it breaks, mutation, the problem codes it must give — written by hand)
MUTATIONS = [
    (
        "01-software-name-free-text",
        "a name with a birth date instead of a registered name",
        _set("software.name", "Jan Jansen 01-01-1950"),
        {"software_unknown"},
    ),
    (
        "02-software-name-unregistered",
        "a product name that is not in the registry",
        _set("software.name", "MijnFysioPakket"),
        {"software_unknown"},
    ),
    (
        "03-software-version-bsn",
        "a version holding nine digits (a BSN fits)",
        _set("software.version", "123.456.782"),
        {"software_version_invalid"},
    ),
    (
        "04-software-version-suffix",
        "a version with a text suffix",
        _set("software.version", "7.2+Jansen"),
        {"software_version_invalid"},
    ),
    (
        "05-software-version-leading-zero",
        "a version with leading zeros (a date fits)",
        _set("software.version", "01.03.50"),
        {"software_version_invalid"},
    ),
    (
        "06-exported-at-fraction",
        "an export moment with nine fractional digits",
        _set("exported_at", "2026-01-15T10:00:00.123456782+01:00"),
        {"exported_at_format"},
    ),
    (
        "07-exported-at-without-zone",
        "an export moment without a time zone",
        _set("exported_at", "2026-01-15T10:00:00"),
        {"exported_at_format"},
    ),
    (
        "08-year-1850",
        "a year before 2000",
        _set("period", {"begin": "1850-01-01", "end": "1850-12-31"}),
        {"year_out_of_range"},
    ),
    (
        "09-format-version",
        "another format version",
        _set("format", "parabench-mi/2"),
        {"literal_error"},
    ),
    (
        "10-unknown-field",
        "a field the format does not have (free text)",
        _set("remarks", "gezellige praktijk"),
        {"extra_forbidden"},
    ),
    (
        "11-unknown-nested-field",
        "patient names inside a window",
        _set("windows.0.patients.names", ["Jan"]),
        {"extra_forbidden"},
    ),
    (
        "12-agb-seven-digits",
        "an AGB code of seven digits",
        _set("practice.agb_code", "4123451"),
        {"string_pattern_mismatch"},
    ),
    (
        "13-agb-as-number",
        "the AGB code as a number (its leading zero lost)",
        _set("practice.agb_code", 4123451),
        {"string_type"},
    ),
    (
        "14-negative-count",
        "a negative count",
        _set("windows.0.sessions.no_shows", -1),
        {"greater_than_equal"},
    ),
    (
        "15-fractional-count",
        "a count with decimals",
        _set("windows.0.sessions.no_shows", 1.5),
        {"int_type"},
    ),
    (
        "16-count-too-large",
        "a count above the bound of 10,000,000",
        _set("windows.0.sessions.no_shows", 10_000_001),
        {"less_than_equal"},
    ),
    ("17-missing-field", "year_closed left out", _delete("year_closed"), {"missing"}),
    ("18-boolean-as-text", "year_closed as text", _set("year_closed", "nee"), {"bool_type"}),
    (
        "19-gender-age-sum",
        "patients by gender and age do not add up to the total",
        _add("windows.6.patients.by_gender_age.female.age_30_39", 1),
        {"sum_mismatch", "window_above_quarters"},
    ),
    (
        "20-insurer-sum",
        "patients by insurer do not add up to the total",
        _add("windows.6.patients.by_insurer.other", 1),
        {"sum_mismatch", "window_above_quarters"},
    ),
    (
        "21-new-above-total",
        "more new patients than patients",
        _set("windows.6.patients.new", 1000),
        {"exceeds_limit"},
    ),
    (
        "22-sessions-by-type",
        "sessions by type do not add up",
        _add("windows.0.sessions.by_type.regular", 1),
        {"sum_mismatch", "window_not_quarter_sum"},
    ),
    (
        "23-revenue-by-payer",
        "revenue by payer does not add up",
        _add("windows.0.revenue.by_payer.basic", 1),
        {"sum_mismatch", "window_not_quarter_sum"},
    ),
    (
        "24-closed-versus-ended",
        "closed episodes differ from episodes ended",
        _add("windows.0.episodes.ended", 1),
        {"sum_mismatch", "window_not_quarter_sum"},
    ),
    (
        "25-histogram-length",
        "a sessions histogram one bin short",
        _shorten("windows.0.closed_episodes.chronic.sessions_histogram"),
        {"too_short"},
    ),
    (
        "26-histogram-total",
        "a waiting histogram that counts one episode too many",
        _add("windows.0.waiting.days_histogram.3", 1),
        {"histogram_total", "histogram_sum", "window_not_quarter_sum"},
    ),
    (
        "27-fte-without-therapists",
        "FTE with no therapists",
        _set("windows.0.therapists.count", 0),
        {"exceeds_limit", "window_above_quarters"},
    ),
    (
        "28-window-missing",
        "the fourth quarter left out",
        _delete("windows.3"),
        {"windows_mismatch"},
    ),
    (
        "29-window-dates",
        "a quarter with the wrong end date",
        _set("windows.0.end", "2025-03-30"),
        {"window_dates"},
    ),
    (
        "30-period-not-january",
        "a period that starts in February",
        _set("period.begin", "2025-02-01"),
        {"period_not_from_january"},
    ),
    (
        "31-period-not-quarter-end",
        "a period that ends mid-quarter",
        _set("period.end", "2025-11-30"),
        {"period_not_quarter_end"},
    ),
    (
        "32-period-not-complete",
        "a quarter that was not over when the export was made",
        _set("exported_at", "2025-12-15T10:00:00+01:00"),
        {"period_incomplete_quarter", "trend_mismatch"},
    ),
    (
        "33-no-sessions",
        "an export without a single session",
        _all_sessions_zero,
        {"no_sessions", "exceeds_limit", "sum_mismatch", "trend_not_window_sum"},
    ),
    (
        "34-trend-month-missing",
        "the monthly trend without December",
        _delete("trend.11"),
        {"trend_mismatch"},
    ),
    (
        "35-trend-sum",
        "monthly sessions that do not add up to the quarter",
        _add("trend.0.sessions", 1),
        {"trend_not_window_sum"},
    ),
    (
        "36-year-to-date-sum",
        "a year-to-date total that is not the sum of its quarters",
        _add("windows.6.revenue.total_cents", 100),
        {"sum_mismatch", "window_not_quarter_sum"},
    ),
    # Format 1.1: case-mix cells and outcome measures (Q1, window 0, holds one closed episode:
    # non-chronic, spine, aged 18-44, 4 sessions; NPRS 7 → 3, PSK 6.3 → 4.7).
    (
        "38-case-mix-missing",
        "a 1.1 export with a window without case-mix cells",
        _delete("windows.2.case_mix"),
        {"missing"},
    ),
    (
        "39-case-mix-in-1-0",
        "case-mix cells and outcomes in an export that says it is format 1.0",
        _set("format", "parabench-mi/1"),
        {"extra_forbidden"},
    ),
    (
        "40-case-mix-sum",
        "case-mix cells whose sessions do not add up to the closed episodes' sessions",
        _add("windows.0.case_mix.non_chronic.spine.age_18_44.sessions_total", 1),
        {"sum_mismatch", "cell_spread", "window_not_quarter_sum"},
    ),
    (
        "41-case-mix-above-active",
        "more closed episodes in a DCSPH group than active ones",
        _set(
            "windows.0.case_mix.non_chronic.head_neck.age_18_44",
            {
                "episodes": 1,
                "sessions_total": 0,
                "sessions_squares_total": 0,
                "duration_days_total": 0,
                "duration_days_squares_total": 0,
            },
        ),
        {"sum_mismatch", "exceeds_limit", "window_not_quarter_sum"},
    ),
    (
        "42-outcome-improved-above-measured",
        "more episodes improved than measured",
        _set("windows.0.outcomes.psk.improved", 2),
        {"exceeds_limit", "window_not_quarter_sum"},
    ),
    (
        "43-outcome-score-above-ten",
        "a first NPRS score above 10 points",
        _set("windows.0.outcomes.nprs.baseline_tenths_total", 110),
        {"exceeds_limit", "outcome_spread", "window_not_quarter_sum"},  # a change of 8 needs 6400
    ),
    (
        "44-outcome-spread",
        "squared changes too small for the total change",
        _set("windows.0.outcomes.nprs.change_squares_total", 1599),
        {"outcome_spread", "window_not_quarter_sum"},
    ),
]


_NUMBER_LIST = re.compile(r"\[\s*(-?\d+(?:,\s*-?\d+)*)\s*\]")


def _readable(document: dict) -> bytes:
    """Indented JSON with lists of whole numbers on one line, as the valid exports are written."""
    text = json.dumps(document, indent=2, ensure_ascii=False)
    text = _NUMBER_LIST.sub(lambda m: "[" + ", ".join(re.split(r",\s*", m[1])) + "]", text)
    return (text + "\n").encode()


def invalid_vectors(base: dict) -> dict[str, tuple[bytes, dict]]:
    out = {}
    for name, breaks, mutate, codes in MUTATIONS:
        document = copy.deepcopy(base)
        mutate(document)
        body = _readable(document)
        out[f"{name}.json"] = (body, {"breaks": breaks, "codes": sorted(codes)})
    out["37-not-json.json"] = (
        b'{"format": "parabench-mi/1", "practice": ',
        {"breaks": "a file that is not JSON (cut off)", "codes": ["json_invalid"]},
    )
    return out


def generated() -> dict[Path, bytes]:
    """Every file of conformance/ this script writes: path → bytes."""
    files: dict[Path, bytes] = {}
    valid = valid_exports()
    manifest = {"valid": [], "invalid": []}
    for name, body in valid.items():
        files[HERE / "valid" / name] = body
        manifest["valid"].append({"file": f"valid/{name}"})
    base = json.loads(valid["2025-whole-year.json"])
    for name, (body, expected) in invalid_vectors(base).items():
        files[HERE / "invalid" / name] = body
        manifest["invalid"].append({"file": f"invalid/{name}", **expected})
    files[HERE / "vectors.json"] = (
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    ).encode()
    return files


def main() -> int:
    for path, body in generated().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        print(f"geschreven: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
