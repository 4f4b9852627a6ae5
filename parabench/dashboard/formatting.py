"""Number and date formatting for the dashboard, as pure functions: Dutch, or English when active.

Why not the locale module: the server's C library locales differ between machines, and a practice
owner must read "59,3 %" and "€ 36,53" the same everywhere. In English the separators swap
("59.3 %", "€ 1,234.50"). Month names go through Django's own translations.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date

from django.utils.dates import MONTHS
from django.utils.translation import get_language
from django.utils.translation import gettext as _

DASH = "–"


# Asking Django for the active language costs a few microseconds (a thread/async local); a
# dashboard page formats a thousand numbers, so a page fixes the answer once (``one_language``).
_FIXED_ENGLISH: ContextVar[bool | None] = ContextVar("parabench_fixed_english", default=None)


def _english() -> bool:
    fixed = _FIXED_ENGLISH.get()
    if fixed is not None:
        return fixed
    return (get_language() or "nl").split("-")[0] == "en"


@contextmanager
def one_language():
    """Within this block every number is formatted for the language active when it began."""
    token = _FIXED_ENGLISH.set(_english())
    try:
        yield
    finally:
        _FIXED_ENGLISH.reset(token)


def chart_separators() -> str:
    """Plotly's ``separators``: decimal mark, then thousands mark, as in ``number``."""
    return ".," if _english() else ",."


def long_date(day: date) -> str:
    """1 januari 2026."""
    return f"{day.day} {MONTHS[day.month]} {day.year}"


def period(begin: date, end: date) -> str:
    """1 januari 2026 t/m 30 juni 2026."""
    return _("%(begin)s t/m %(end)s") % {"begin": long_date(begin), "end": long_date(end)}


def number(value: float | int | None, decimals: int = 0) -> str:
    """1.234,5 — a point between thousands, a comma before decimals (1,234.5 in English)."""
    if value is None:
        return DASH
    rounded = round(float(value), decimals)
    if rounded == 0:
        rounded = 0.0  # no "-0,0"
    text = f"{abs(rounded):,.{decimals}f}"
    if not _english():
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return f"\u2212{text}" if rounded < 0 else text  # a real minus sign, as in print


def percent(value: float | None, decimals: int = 1) -> str:
    """59,3 % for a value already in percent (59.3)."""
    if value is None:
        return DASH
    return f"{number(value, decimals)} %"


def signed_percent(value: float | None, decimals: int = 1) -> str:
    """+4,2 % / −3,0 % for growth; a real minus sign reads better than a hyphen."""
    if value is None:
        return DASH
    text = percent(abs(value), decimals)
    if round(value, decimals) > 0:
        return f"+{text}"
    if round(value, decimals) < 0:
        return f"\u2212{text}"
    return text


def euro(value: float | None, decimals: int = 2) -> str:
    """€ 36,53; € 1.234.567 with decimals=0."""
    if value is None:
        return DASH
    if value < 0:
        return f"\u2212€ {number(-value, decimals)}"
    return f"€ {number(value, decimals)}"
