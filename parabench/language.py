"""Which language a page is in, asked once per page.

Asking Django for the active language costs a few microseconds (an async-aware local); a dashboard
page names ~150 catalogue entries and formats a thousand numbers, so a page fixes the answer once
(``one_language``) and everything below reads it from a context variable.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.utils.translation import get_language
from django.utils.translation import gettext as django_gettext

_FIXED: ContextVar[str | None] = ContextVar("parabench_fixed_language", default=None)
# Within one_language: (the translation object, its messages translated so far).
_CATALOGUE = ContextVar("parabench_fixed_catalogue", default=None)
# The messages of each translation object, translated once per process: a message's translation
# never changes within one object (Django makes new objects when the language settings change).
# The catalogue's ``gettext`` looks a message up in each of the merged apps' catalogues in turn,
# about 1 µs a message and about 120 messages a theme tab: 2–3 % of its instructions (issue 18,
# session 10, callgrind). At most MEMO_SIZE messages per object are kept (the code has far
# fewer).
_MEMOS: dict = {}
MEMO_SIZE = 4096


def current() -> str:
    """The page's language code ("nl", "en", "en-gb")."""
    return _FIXED.get() or get_language() or "nl"


def english() -> bool:
    return current().split("-")[0] == "en"


@contextmanager
def one_language():
    """Within this block every name and number follows the language active when it began."""
    from django.utils.translation import trans_real

    token = _FIXED.set(current())
    translation = trans_real.catalog()
    catalogue = _CATALOGUE.set((translation, _MEMOS.setdefault(translation, {})))
    try:
        yield
    finally:
        _CATALOGUE.reset(catalogue)
        _FIXED.reset(token)


def gettext(message: str) -> str:
    """Django's ``gettext``; within ``one_language`` from the translation object that was
    active when it began, the very object Django's would ask (``trans_real.catalog()``).

    Django asks its async-aware local for that object on every call: 1.9 µs a message against
    0.3 µs, and a heavy theme tab translates about 200 (issue 18). Empty messages, ``\r`` line
    ends and anything but a plain ``str`` (safe strings) still go through Django's. Each message
    is asked of the object once per process (``_MEMOS``)."""
    fixed = _CATALOGUE.get()
    if fixed is None or type(message) is not str or not message or "\r" in message:
        return django_gettext(message)
    translation, memo = fixed
    found = memo.get(message)
    if found is None:
        found = translation.gettext(message)
        if len(memo) < MEMO_SIZE:
            memo[message] = found
    return found


def choice(code: str | None) -> str:
    """A language asked for by name (``?taal=en``), else the active one."""
    if code in ("nl", "en"):
        return code
    return get_language() or "nl"
