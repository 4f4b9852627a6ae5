"""The period rule: one calendar year from 1 January, up to the last complete quarter.

Pure functions, shared by the export client (what may I send?) and the uploader (may this be
accepted?), so both sides apply the very same rule.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

QUARTER_END_DAYS: Final = ((3, 31), (6, 30), (9, 30), (12, 31))
QUARTER_IDS: Final = ("Q1", "Q2", "Q3", "Q4")
YTD_IDS: Final = ("Q1", "Q1-Q2", "Q1-Q3", "Q1-Q4")


class PeriodError(ValueError):
    """A year that cannot be exported (yet); `code` for software, `message` in Dutch for people."""

    code = "period_invalid"
    message_en = "This period cannot be exported."

    def __init__(self, message: str, message_en: str | None = None):
        super().__init__(message)
        self.message = message
        if message_en is not None:
            self.message_en = message_en


class FutureYear(PeriodError):
    code = "future_year"


class NothingToExport(PeriodError):
    code = "nothing_to_export"


class NoSessions(NothingToExport):
    """The records hold no session in the period: an export of zeros would replace a real year."""

    code = "no_sessions"


class YearOutOfRange(PeriodError):
    code = "year_out_of_range"


FIRST_YEAR: Final = 2000


@dataclass(frozen=True)
class WindowSpec:
    id: str
    begin: date
    end: date
    quarters: tuple[int, ...]  # 1-based quarter numbers the window consists of


def quarter_begin(year: int, quarter: int) -> date:
    return date(year, 3 * quarter - 2, 1)


def quarter_end(year: int, quarter: int) -> date:
    month, day = QUARTER_END_DAYS[quarter - 1]
    return date(year, month, day)


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def last_complete_quarter_end(today: date) -> date:
    """The last day of the latest quarter that is over on `today` (that day itself still runs).

    On 31 March the first quarter is not complete yet: the answer is 31 December of last year.
    """
    candidates = [quarter_end(today.year, q) for q in (1, 2, 3, 4)]
    done = [end for end in candidates if end < today]
    return done[-1] if done else date(today.year - 1, 12, 31)


def allowed_period(year: int, today: date) -> tuple[date, date]:
    """The period an export of `year` covers when made on `today`, or a PeriodError why not."""
    if year < FIRST_YEAR:
        raise YearOutOfRange(
            f"Het jaar {year} ligt voor {FIRST_YEAR}; ParaBench neemt alleen jaren vanaf "
            f"{FIRST_YEAR} aan.",
            f"The year {year} lies before {FIRST_YEAR}; ParaBench accepts years from "
            f"{FIRST_YEAR} only.",
        )
    if year > today.year:
        raise FutureYear(
            f"Het jaar {year} ligt in de toekomst; dat kan nog niet worden geëxporteerd.",
            f"The year {year} lies in the future and cannot be exported.",
        )
    if year < today.year:
        return date(year, 1, 1), date(year, 12, 31)
    end = last_complete_quarter_end(today)
    if end.year < year:
        raise NothingToExport(
            f"Er is nog niets te versturen voor {year}: het eerste kwartaal is pas na 31 maart "
            f"compleet. Exporteer vanaf 1 april {year}.",
            f"There is nothing to send for {year} yet: the first quarter is complete only after "
            f"31 March. Export from 1 April {year}.",
        )
    return date(year, 1, 1), end


def period_quarters(begin: date, end: date) -> int:
    """How many quarters a valid period covers (1–4)."""
    return quarter_of(end) if end >= begin else 0


def windows_for_period(begin: date, end: date) -> list[WindowSpec]:
    """Every quarter and every year-to-date window of a valid period, in the canonical order.

    The order is: the quarters Q1 … Qn, then the year-to-date windows Q1-Q2 … Q1-Qn (Q1 is both
    a quarter and the first year-to-date window and appears once).
    """
    year = begin.year
    n = period_quarters(begin, end)
    specs = [
        WindowSpec(QUARTER_IDS[q - 1], quarter_begin(year, q), quarter_end(year, q), (q,))
        for q in range(1, n + 1)
    ]
    specs += [
        WindowSpec(YTD_IDS[q - 1], date(year, 1, 1), quarter_end(year, q), tuple(range(1, q + 1)))
        for q in range(2, n + 1)
    ]
    return specs


def trend_months(year: int, through: date) -> list[tuple[int, date, date]]:
    """(month, begin, end) of the monthly trend of `year` up to and including `through`.

    A past year gets all twelve months; the current year runs to `through`, whose month is then
    partial (it ends on `through`).
    """
    months = []
    for month in range(1, 13):
        begin = date(year, month, 1)
        if begin > through:
            break
        last = (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - timedelta(1)
        months.append((month, begin, min(last, through)))
    return months


def period_problems(begin: date, end: date, today: date) -> list[tuple[str, str, str]]:
    """(code, Dutch message, English message) for every way a period breaks the rule on `today`.

    Empty when the period is (part of) one calendar year from 1 January, ends on a quarter end and
    does not reach past the last complete quarter on `today`.
    """
    problems = []
    if begin != date(begin.year, 1, 1):
        problems.append(
            (
                "period_not_from_january",
                f"De periode moet op 1 januari beginnen, niet op {begin.isoformat()}.",
                f"The period must begin on 1 January, not on {begin.isoformat()}.",
            )
        )
    if end < begin or end.year != begin.year:
        problems.append(
            (
                "period_not_one_year",
                "De periode moet binnen één kalenderjaar liggen en na het begin eindigen.",
                "The period must lie within one calendar year and end after its begin.",
            )
        )
    elif (end.month, end.day) not in QUARTER_END_DAYS:
        problems.append(
            (
                "period_not_quarter_end",
                f"De periode moet op het einde van een kwartaal eindigen, niet op "
                f"{end.isoformat()}.",
                f"The period must end on the last day of a quarter, not on {end.isoformat()}.",
            )
        )
    limit = last_complete_quarter_end(today)
    if end > limit:
        problems.append(
            (
                "period_incomplete_quarter",
                f"De periode loopt tot {end.isoformat()}, maar op {today.isoformat()} is "
                f"{limit.isoformat()} het einde van het laatste complete kwartaal.",
                f"The period runs to {end.isoformat()}, but on {today.isoformat()} the last "
                f"complete quarter ends on {limit.isoformat()}.",
            )
        )
    return problems
