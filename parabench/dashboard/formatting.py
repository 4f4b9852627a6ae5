"""Number and date formatting for the dashboard, as pure functions: Dutch, or English when active.

Why not the locale module: the server's C library locales differ between machines, and a practice
owner must read "59,3 %" and "€ 36,53" the same everywhere. In English the separators swap
("59.3 %", "€ 1,234.50"). Month names go through Django's own translations.
"""

from datetime import date

from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from parabench import language

DASH = "–"


def long_date(day: date) -> str:
    """1 januari 2026."""
    return f"{day.day} {MONTHS[day.month]} {day.year}"


def period(begin: date, end: date) -> str:
    """1 januari 2026 t/m 30 juni 2026."""
    return _("%(begin)s t/m %(end)s") % {"begin": long_date(begin), "end": long_date(end)}


def number_format(decimals: int = 0):
    """A function writing numbers with ``decimals`` decimals in the page's language.

    Built once per column of figures: a Trends page writes over a thousand numbers.
    """
    dutch = not language.english()
    spec = f",.{decimals}f"

    def write(value: float | int | None) -> str:
        if value is None:
            return DASH
        text = format(value, spec)  # rounds half to even, as Python's round()
        negative = text[0] == "-"
        if negative:
            text = text[1:]
            negative = text.strip("0.,") != ""  # no "-0,0"
        if dutch:  # swap the marks of "1,234.5"
            text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
        return "\u2212" + text if negative else text  # a real minus sign, as in print

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
