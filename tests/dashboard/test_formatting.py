from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from parabench.dashboard import formatting


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


def test_it_writes_a_period_as_a_dutch_sentence():
    assert formatting.period(date(2026, 1, 1), date(2026, 6, 30)) == (
        "1 januari 2026 t/m 30 juni 2026"
    )


def test_it_writes_dates_without_a_leading_zero():
    assert formatting.long_date(date(2025, 3, 9)) == "9 maart 2025"


def test_it_writes_a_percentage_with_a_decimal_comma():
    assert formatting.percent(59.34) == "59,3 %"


def test_it_writes_euros_with_cents():
    assert formatting.euro_format()(36.53) == "€ 36,53"


def test_it_groups_thousands_with_points():
    assert formatting.euro_format(0)(1234567.4) == "€ 1.234.567"
    assert formatting.number(1234.56, 1) == "1.234,6"


def test_it_writes_negative_numbers_with_a_real_minus():
    assert formatting.number(-1234.5, 1) == "\u22121.234,5"
    assert formatting.percent(-11.14) == "\u221211,1 %"


def test_it_never_writes_minus_zero():
    assert formatting.number(-0.04, 1) == "0,0"


def test_it_signs_growth_with_a_real_minus():
    assert formatting.percent_format(1, signed=True)(4.24) == "+4,2 %"
    assert formatting.percent_format(1, signed=True)(-3) == "\u22123,0 %"
    assert formatting.percent_format(1, signed=True)(0.01) == "0,0 %"
    assert formatting.percent_format(1, signed=True)(0.5) == "+0,5 %"
    assert formatting.percent_format(1, signed=True)(-0.5) == "\u22120,5 %"


def test_it_shows_a_dash_for_a_missing_value():
    assert formatting.number(None) == "–"
    assert formatting.percent(None) == "–"
    assert formatting.euro_format()(None) == "–"


def test_it_uses_english_month_names_in_english():
    with translation.override("en"):
        assert formatting.long_date(date(2026, 6, 30)) == "30 June 2026"


def test_it_writes_a_period_in_english_in_english():
    with translation.override("en"):
        assert formatting.period(date(2026, 1, 1), date(2026, 6, 30)) == (
            "1 January 2026 to 30 June 2026"
        )


def test_it_swaps_the_separators_in_english():
    with translation.override("en"):
        assert formatting.number(1234567.34, 1) == "1,234,567.3"
        assert formatting.percent(59.34) == "59.3 %"
        assert formatting.euro_format()(1234.5) == "€ 1,234.50"
        assert formatting.percent_format(1, signed=True)(-3) == "\u22123.0 %"


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.integers(0, 3))
def test_any_number_reads_as_its_exactly_rounded_value_with_dutch_marks(value, decimals):
    exact = Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)
    expected = f"{abs(exact):,.{decimals}f}".replace(",", "_").replace(".", ",").replace("_", ".")
    if exact != 0 and exact < 0:
        expected = "\u2212" + expected
    assert formatting.number(value, decimals) == expected
