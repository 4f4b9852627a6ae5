"""The period rule: one calendar year from 1 January, up to the last complete quarter."""

from datetime import date

import pytest

from parabench_format.periods import (
    FutureYear,
    NothingToExport,
    allowed_period,
    last_complete_quarter_end,
    period_problems,
    trend_months,
    windows_for_period,
)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 1, 1), date(2025, 12, 31)),
        (date(2026, 3, 31), date(2025, 12, 31)),
        (date(2026, 4, 1), date(2026, 3, 31)),
        (date(2026, 6, 15), date(2026, 3, 31)),
        (date(2026, 6, 30), date(2026, 3, 31)),
        (date(2026, 7, 1), date(2026, 6, 30)),
        (date(2026, 9, 30), date(2026, 6, 30)),
        (date(2026, 10, 1), date(2026, 9, 30)),
        (date(2026, 12, 31), date(2026, 9, 30)),
        (date(2027, 1, 1), date(2026, 12, 31)),
    ],
)
def test_the_last_complete_quarter_ends_before_today(today, expected):
    assert last_complete_quarter_end(today) == expected


@pytest.mark.parametrize(
    ("today", "end"),
    [
        (date(2026, 4, 1), date(2026, 3, 31)),
        (date(2026, 6, 15), date(2026, 3, 31)),
        (date(2026, 7, 1), date(2026, 6, 30)),
        (date(2026, 10, 1), date(2026, 9, 30)),
        (date(2026, 12, 31), date(2026, 9, 30)),
        (date(2027, 1, 1), date(2026, 12, 31)),
        (date(2031, 5, 5), date(2026, 12, 31)),
    ],
)
def test_the_allowed_period_begins_on_1_january(today, end):
    assert allowed_period(2026, today) == (date(2026, 1, 1), end)


@pytest.mark.parametrize("today", [date(2026, 1, 1), date(2026, 2, 14), date(2026, 3, 31)])
def test_before_1_april_there_is_nothing_to_export_for_the_current_year(today):
    with pytest.raises(NothingToExport) as raised:
        allowed_period(2026, today)
    assert raised.value.code == "nothing_to_export"
    assert "1 april 2026" in raised.value.message
    assert raised.value.message_en.startswith("There is nothing to send for 2026")


def test_a_future_year_is_refused():
    with pytest.raises(FutureYear) as raised:
        allowed_period(2027, date(2026, 12, 31))
    assert raised.value.code == "future_year"
    assert "2027" in raised.value.message


def test_windows_are_the_quarters_then_the_year_to_date_windows():
    specs = windows_for_period(date(2026, 1, 1), date(2026, 9, 30))
    assert [(s.id, s.begin, s.end) for s in specs] == [
        ("Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("Q2", date(2026, 4, 1), date(2026, 6, 30)),
        ("Q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("Q1-Q2", date(2026, 1, 1), date(2026, 6, 30)),
        ("Q1-Q3", date(2026, 1, 1), date(2026, 9, 30)),
    ]


def test_the_trend_runs_to_the_export_date_with_a_partial_last_month():
    months = trend_months(2026, date(2026, 6, 15))
    assert [m for m, _, _ in months] == [1, 2, 3, 4, 5, 6]
    assert months[1] == (2, date(2026, 2, 1), date(2026, 2, 28))
    assert months[-1] == (6, date(2026, 6, 1), date(2026, 6, 15))


def test_a_period_within_the_rule_has_no_problems():
    assert period_problems(date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 1)) == []


@pytest.mark.parametrize(
    ("begin", "end", "today", "code"),
    [
        (date(2026, 2, 1), date(2026, 3, 31), date(2026, 6, 1), "period_not_from_january"),
        (date(2025, 1, 1), date(2026, 3, 31), date(2026, 6, 1), "period_not_one_year"),
        (date(2026, 1, 1), date(2025, 12, 31), date(2026, 6, 1), "period_not_one_year"),
        (date(2026, 1, 1), date(2026, 5, 31), date(2026, 7, 1), "period_not_quarter_end"),
        (date(2026, 1, 1), date(2026, 3, 31), date(2026, 3, 31), "period_incomplete_quarter"),
        (date(2026, 1, 1), date(2026, 6, 30), date(2026, 6, 15), "period_incomplete_quarter"),
    ],
)
def test_a_period_breaking_the_rule_is_named(begin, end, today, code):
    assert code in [c for c, _, _ in period_problems(begin, end, today)]
