"""The current-year rule as the export client applies it, at every quarter boundary."""

from datetime import date
from pathlib import Path

import pytest

import parabench_format.periods
from parabench_client import periods
from parabench_client.aggregate import build_export
from parabench_client.records import load_records

GOLDEN = Path(__file__).parent / "golden" / "records"


@pytest.fixture(scope="module")
def records():
    return load_records(GOLDEN)


def test_the_client_uses_the_very_rule_of_the_format_package():
    assert periods.allowed_period is parabench_format.periods.allowed_period
    assert periods.last_complete_quarter_end is parabench_format.periods.last_complete_quarter_end


@pytest.mark.parametrize(
    ("today", "end", "windows"),
    [
        (date(2025, 4, 1), date(2025, 3, 31), ["Q1"]),
        (date(2025, 6, 15), date(2025, 3, 31), ["Q1"]),
        (date(2025, 6, 30), date(2025, 3, 31), ["Q1"]),
        (date(2025, 7, 1), date(2025, 6, 30), ["Q1", "Q2", "Q1-Q2"]),
        (date(2025, 9, 30), date(2025, 6, 30), ["Q1", "Q2", "Q1-Q2"]),
        (date(2025, 10, 1), date(2025, 9, 30), ["Q1", "Q2", "Q3", "Q1-Q2", "Q1-Q3"]),
        (date(2025, 12, 31), date(2025, 9, 30), ["Q1", "Q2", "Q3", "Q1-Q2", "Q1-Q3"]),
        (
            date(2026, 1, 1),
            date(2025, 12, 31),
            ["Q1", "Q2", "Q3", "Q4", "Q1-Q2", "Q1-Q3", "Q1-Q4"],
        ),
    ],
)
def test_the_export_reaches_the_last_complete_quarter(records, today, end, windows):
    export = build_export(records, 2025, today, agb_code="04123451")
    assert (export.period.begin, export.period.end) == (date(2025, 1, 1), end)
    assert [w.id for w in export.windows] == windows
    assert export.trend[-1].end == min(today, date(2025, 12, 31))


@pytest.mark.parametrize("today", [date(2025, 1, 1), date(2025, 3, 31)])
def test_on_31_march_and_earlier_there_is_nothing_to_send_for_the_year(records, today):
    with pytest.raises(periods.NothingToExport) as raised:
        build_export(records, 2025, today, agb_code="04123451")
    assert raised.value.message.startswith("Er is nog niets te versturen voor 2025")


def test_on_1_january_the_past_year_is_complete(records):
    export = build_export(records, 2025, date(2026, 1, 1), agb_code="04123451")
    assert export.period.end == date(2025, 12, 31)
    assert len(export.trend) == 12


def test_a_future_year_is_refused(records):
    with pytest.raises(periods.FutureYear) as raised:
        build_export(records, 2026, date(2025, 12, 31), agb_code="04123451")
    assert raised.value.code == "future_year"
