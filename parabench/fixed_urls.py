"""``{% fixed_url %}``: ``{% url %}`` for the links every page carries, reversed once per process;
``{% fixed_static %}``: ``{% static %}`` for the style sheets, scripts and icon, likewise;
``{% language_options %}``: the footer's choice of language, written once per process and
language.

A dashboard page has a dozen such links (the menu, the footer, its downloads); each ``{% url %}``
resolves its arguments, reverses the name and escapes the result, about 50 µs on the 2-core
bench machine, and the answer is always the same for the same name, arguments, URLconf and
script prefix: half a millisecond of a dashboard page's 9–11 ms of CPU (issue 18). The result
is escaped by the tag as ``{% url %}`` escapes it. The arguments must be hashable (names and
primary keys); at most 1,024 distinct links are kept.

A ``{% static %}`` node asks the static files storage every time: with the production storage
(hashed names from collectstatic's manifest, read once when the storage is made) that is a
manifest lookup, a URL join and a quote, about 120,000 instructions a node (callgrind), five a
dashboard page: 1–2 % of a page (issue 18, session 10). The answer depends on the path and the
storage only, so the storage is part of the key: Django makes a new one when the STORAGES,
STATIC_ROOT or STATIC_URL settings change (tests).
"""

import functools

from django import template
from django.conf import settings
from django.core.files.storage import storages
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

register = template.Library()


@functools.lru_cache(maxsize=1024)
def _reversed(name: str, args: tuple, urlconf, prefix: str) -> str:
    return reverse(name, args=args, urlconf=urlconf)


@register.simple_tag
def fixed_url(name: str, *args) -> str:
    # The URLconf by name, not None for the default: a test that overrides ROOT_URLCONF gets
    # its own links. Names of one app instance only (the admin's stay {% url %}: its links
    # follow the current admin site).
    return _reversed(name, args, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@functools.lru_cache(maxsize=256)
def _static(path: str, storage) -> str:
    return conditional_escape(storage.url(path))


@register.simple_tag
def fixed_static(path: str) -> str:
    # What {% static %} writes: the storage's URL, escaped (simple_tag keeps it as it is).
    return _static(path, storages["staticfiles"])


@register.simple_tag
def language_options(current: str) -> str:
    """An ``<option>`` per language of the LANGUAGES setting, in its own name, ``current``
    selected: what base.html's loop over ``{% get_available_languages %}`` wrote, without its
    ten nodes (1 % of a dashboard page's instructions, issue 18, session 10)."""
    return _language_options(current, tuple(code for code, _name in settings.LANGUAGES))


@functools.lru_cache(maxsize=16)
def _language_options(current: str, codes: tuple) -> SafeString:
    return SafeString(
        "".join(
            f'<option value="{conditional_escape(code)}" lang="{conditional_escape(code)}" '
            f"{'selected' if code == current else ''}>"
            f"{conditional_escape(translation.get_language_info(code)['name_local'])}</option>"
            for code in codes
        )
    )
