"""``{% fixed_url %}``: ``{% url %}`` for the links every page carries, reversed once per process.

A dashboard page has a dozen such links (the menu, the footer, its downloads); each ``{% url %}``
resolves its arguments, reverses the name and escapes the result, about 50 µs on the 2-core
bench machine, and the answer is always the same for the same name, arguments, URLconf and
script prefix: half a millisecond of a dashboard page's 9–11 ms of CPU (issue 18). The result
is escaped by the tag as ``{% url %}`` escapes it. The arguments must be hashable (names and
primary keys); at most 1,024 distinct links are kept.
"""

import functools

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

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
