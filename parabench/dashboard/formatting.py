"""Number and date formatting for the dashboard, as pure functions, in the active language.

The marks come from Django's localisation (``django/conf/locale/<language>/formats.py``: a Dutch
page reads "1.234,5", "59,3 %", "€ 36,53", an English one "1,234.5"), not from the C library's
locales, which differ between machines. Month names are Django's own translations.
"""

import functools
from datetime import date

from django.utils import formats, numberformat

from parabench import language
from parabench.language import gettext as _

DASH = "–"


def long_date(day: date) -> str:
    """1 januari 2026 (1 January 2026)."""
    return _long_date(day, language.current())


# Kept per process and page language (``language.current``, which date_format writes in): every
# page writes its period (two dates, nearly always the same few for every practice), and Django's
# date_format looks up the format and builds a DateFormat each time: 0.1 ms a page, about 1 % of
# a theme tab's CPU (py-spy over the 20-client mix of bench_dashboard, issue 18, session 17).
@functools.lru_cache(maxsize=256)
def _long_date(day: date, language_code: str) -> str:
    return formats.date_format(day, "j F Y")


def period(begin: date, end: date) -> str:
    """1 januari 2026 t/m 30 juni 2026."""
    return _("%(begin)s t/m %(end)s") % {"begin": long_date(begin), "end": long_date(end)}


@functools.cache
def marks(language_code: str) -> tuple[str, str, int]:
    """(decimal mark, thousands mark, digits per group) of a language, from Django's formats."""
    return (
        formats.get_format("DECIMAL_SEPARATOR", language_code),
        formats.get_format("THOUSAND_SEPARATOR", language_code),
        formats.get_format("NUMBER_GROUPING", language_code),
    )


def number_format(decimals: int = 0):
    """A function writing numbers with ``decimals`` decimals in the page's language.

    Built once per column of figures: a page writes hundreds of numbers. Python's ``format``
    writes the digits and the language's marks replace its own: Django's ``numberformat.format``
    per number costs seven times as much (9.3 against 1.3 ms per 1,000 numbers on the
    benchmark's machine) and ``get_format`` per column 30 µs, both of which a dashboard page
    would feel. A language that does not group by threes gets ``numberformat.format`` itself.
    """
    return _number_format(decimals, language.current())


# Kept per process, as the marks are: a theme tab asks for about 110 number writers (every
# value, range and table column of its cards), a few distinct ones (issue 18, session 10).
@functools.lru_cache(maxsize=64)
def _number_format(decimals: int, language_code: str):
    decimal_mark, thousands_mark, grouping = marks(language_code)
    spec = f",.{decimals}f"
    if grouping != 3:

        def digits(value):
            return numberformat.format(
                round(value, decimals), decimal_mark, decimals, grouping, thousands_mark, True
            )

    elif (thousands_mark, decimal_mark) == (",", "."):
        digits = ("{:" + spec + "}").format
    else:

        def digits(value):
            text = format(value, spec)  # rounds half to even, as Python's round()
            return (
                text.replace(",", "\x00").replace(".", decimal_mark).replace("\x00", thousands_mark)
            )

    def write(value: float | int | None) -> str:
        if value is None:
            return DASH
        text = digits(value)
        if text[0] == "-":
            text = text[1:]
            if text.strip("0" + decimal_mark + thousands_mark):  # no "-0,0"
                return "\u2212" + text  # a real minus sign, as in print
        return text

    return write


def percent_format(decimals: int = 1, signed: bool = False):
    """59,3 % for values already in percent; ``signed``: +4,2 % / −3,0 % for growth."""
    write_number = number_format(decimals)

    def write(value: float | None) -> str:
        if value is None:
            return DASH
        if not signed:
            return write_number(value) + " %"
        text = write_number(abs(value)) + " %"
        rounded = round(value, decimals)
        if rounded == 0:  # zero after rounding has no sign
            return text
        return ("+" if rounded > 0 else "\u2212") + text

    return write


def euro_format(decimals: int = 2):
    """€ 36,53; € 1.234.567 with decimals=0; −€ 5,00."""
    write_number = number_format(decimals)

    def write(value: float | None) -> str:
        if value is None:
            return DASH
        if value < 0:
            return "\u2212€ " + write_number(-value)
        return "€ " + write_number(value)

    return write


def number(value: float | int | None, decimals: int = 0) -> str:
    """1.234,5 — a point between thousands, a comma before decimals (1,234.5 in English)."""
    return number_format(decimals)(value)


def percent(value: float | None, decimals: int = 1) -> str:
    """59,3 % for a value already in percent (59.3)."""
    return percent_format(decimals)(value)
