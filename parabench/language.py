"""Which language a page is in, asked once per page.

Asking Django for the active language costs a few microseconds (an async-aware local); a dashboard
page names ~150 catalogue entries and formats a thousand numbers, so a page fixes the answer once
(``one_language``) and everything below reads it from a context variable.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.utils.translation import get_language

_FIXED_ENGLISH: ContextVar[bool | None] = ContextVar("parabench_fixed_english", default=None)


def english() -> bool:
    fixed = _FIXED_ENGLISH.get()
    if fixed is not None:
        return fixed
    return (get_language() or "nl").split("-")[0] == "en"


@contextmanager
def one_language():
    """Within this block every name and number follows the language active when it began."""
    token = _FIXED_ENGLISH.set(english())
    try:
        yield
    finally:
        _FIXED_ENGLISH.reset(token)


def choice(code: str | None) -> str:
    """A language asked for by name (``?taal=en``), else the active one."""
    if code in ("nl", "en"):
        return code
    return get_language() or "nl"
