"""``{% fixed_url %}``: ``{% url %}`` for the links every page carries, reversed once per process;
``{% fixed_static %}``: ``{% static %}`` for the style sheets, scripts and icon, likewise;
``{% language_options %}``: the footer's choice of language, written once per process and
language; ``{% fixed_part %}``: a part of a page written once per process and key, with
``{% live %}`` parts written every time.

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

The frame's menu and footer (base.html) and a dashboard page's head, tab explanation and fixed
texts (detail.html) are about 40 ``translate``, ``if``, ``fixed_url`` and text nodes that write
the same for every practice user in a language (and tab): a ``{% fixed_part %}`` keeps what they
wrote and renders only its ``{% live %}`` parts (the CSRF tokens, the practice's name, the
cards) again: 1.3–2.1 M of 23–41 M instructions a dashboard page, 3–7 % (callgrind,
bench/page_instructions.py, issue 18, session 11). The minimal view renders no template.
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


# --- {% fixed_part %} ----------------------------------------------------------------------------

FIXED_PARTS_MAX = 256  # per node: a handful are used (language × menu state, language × tab)
_LIVE = "\x00live\x00"  # stands for a {% live %} part while a fixed part is first written
_RECORDING = "fixed_part recording"


class FixedPartNode(template.Node):
    """Written once per key (the given values, the language, the URLconf and the script prefix):
    the text between its ``{% live %}`` parts is kept, each ``{% live %}`` part written anew."""

    def __init__(self, name: str, keys: list, nodelist: template.NodeList):
        self.name = name
        self.keys = keys
        self.nodelist = nodelist
        # Kept on the node: a template loaded anew (a changed file in development) starts empty.
        self.parts: dict[tuple, tuple[tuple[str, ...], tuple[LiveNode, ...]]] = {}
        self.nodes_by_type: dict[type, list] = {}

    def get_nodes_by_type(self, nodetype) -> list:
        """Django's walk, kept per node type: a page that extends base.html has Django search
        all of base.html's nodes for its blocks on every render (``ExtendsNode.render``), and
        the menu and footer parts were most of them (about 30 µs a page, issue 18, session
        14). A parsed node list does not change."""
        found = self.nodes_by_type.get(nodetype)
        if found is None:
            found = self.nodes_by_type[nodetype] = super().get_nodes_by_type(nodetype)
        return list(found)

    def render(self, context) -> str:
        key = (
            translation.get_language(),
            get_urlconf() or settings.ROOT_URLCONF,
            get_script_prefix(),
            *(value.resolve(context) for value in self.keys),
        )
        found = self.parts.get(key)
        if found is None:
            lives: list[LiveNode] = []
            context.render_context[_RECORDING] = lives
            try:
                written = self.nodelist.render(context)
            finally:
                del context.render_context[_RECORDING]
            texts = written.split(_LIVE)
            if len(texts) != len(lives) + 1:
                raise template.TemplateSyntaxError(f"fixed_part {self.name}: a stray live mark")
            if len(self.parts) >= FIXED_PARTS_MAX:
                self.parts.clear()
            found = self.parts[key] = (tuple(texts), tuple(lives))
        texts, lives = found
        # The live parts' nodes straight into one join, and that join returned as a plain str,
        # as a text node's is (the node list around marks it safe): Django's NodeList.render
        # copies the whole text twice (its join, then SafeString), so a theme tab's cards, most
        # of its page, were copied twice per live part and twice more here. A block holding a
        # fixed part alone then copies it once: the join of one exact str is that str (CPython).
        # page_instructions --gzip: Kwaliteit 32.1 -> 31.4 M a page, Klachten and Behandelingen
        # -0.5 M, Welkom -0.1 M (callgrind counts a large copy by the byte: less in time).
        pieces = [texts[0]]
        for live, text in zip(lives, texts[1:], strict=True):
            pieces.extend([node.render_annotated(context) for node in live.nodelist])
            pieces.append(text)
        return "".join(pieces)


class LiveNode(template.Node):
    def __init__(self, nodelist: template.NodeList):
        self.nodelist = nodelist

    def render(self, context) -> str:
        lives = context.render_context.get(_RECORDING)
        if lives is None:  # outside a fixed part's first writing: as if the tag were not there
            return self.nodelist.render(context)
        lives.append(self)
        return _LIVE


@register.tag
def fixed_part(parser, token):
    """``{% fixed_part name value … %} … {% live %}…{% endlive %} … {% endfixed_part %}``: a part of
    a page written once per process for each combination of the given values and the page's
    language (the frame's menu, a tab's explanations), so that its ``translate``, ``if`` and
    ``fixed_url`` nodes are not rendered again on every page. Everything inside that is not
    within ``{% live %}`` must depend on the given values and the language only (the URLconf
    and script prefix are part of the key too); a ``{% live %}`` part (a CSRF token, the
    practice's name) is rendered every time. The texts stay in the template, through Django's
    ``translate`` and ``blocktranslate`` (``makemessages`` finds them)."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("fixed_part needs a name")
    keys = [parser.compile_filter(bit) for bit in bits[2:]]
    nodelist = parser.parse(("endfixed_part",))
    parser.delete_first_token()
    return FixedPartNode(bits[1], keys, nodelist)


@register.tag
def live(parser, token):
    nodelist = parser.parse(("endlive",))
    parser.delete_first_token()
    return LiveNode(nodelist)
