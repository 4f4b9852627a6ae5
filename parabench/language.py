"""Which language a page is in, asked once per page.

Asking Django for the active language costs a few microseconds (an async-aware local); a dashboard
page names ~150 catalogue entries and formats a thousand numbers, so a page fixes the answer once
(``one_language``) and everything below reads it from a context variable.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.utils.translation import get_language

_FIXED: ContextVar[str | None] = ContextVar("parabench_fixed_language", default=None)


def current() -> str:
    """The page's language code ("nl", "en", "en-gb")."""
    return _FIXED.get() or get_language() or "nl"


def english() -> bool:
    return current().split("-")[0] == "en"


@contextmanager
def one_language():
    """Within this block every name and number follows the language active when it began."""
    token = _FIXED.set(current())
    try:
        yield
    finally:
        _FIXED.reset(token)


def choice(code: str | None) -> str:
    """A language asked for by name (``?taal=en``), else the active one."""
    if code in ("nl", "en"):
        return code
    return get_language() or "nl"
