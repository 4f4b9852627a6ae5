"""The dashboard's repeated links and lists in one tag each: the comparison groups, the tabs, the
trend KPIs, the welcome screen's theme tiles, the explained terms, the downloads and the key
figures in the header of every page of a practice user (base.html).

Every page carries these lists; through the template's ``for``, ``if`` and variable nodes they
cost a few hundred microseconds of a page (the Welkom page renders in about 2.2 instead of 2.6
ms: national data, 2026-11-30). Each item is filled into one format string with
``format_html``, which escapes every value as the template did; the markup, whitespace
included, is what the loops in ``dashboard/detail.html`` rendered (byte comparison of the
pages before and after).
"""

from django import template
from django.utils.safestring import SafeString

from parabench import language
from parabench.dashboard import pages, presentation
from parabench.dashboard.markup import escaped, format_html_join
from parabench.fixed_urls import fixed_url
from parabench.language import gettext as _

register = template.Library()

EMPTY = SafeString("")


def _links(items, line: str, current: str) -> SafeString:
    """``items`` (dicts) through ``line``, whose ``{current}`` is ``current`` for the current
    item and nothing for the others."""
    marker = SafeString(current)
    return format_html_join(
        "",
        line,
        ({**item, "current": marker if item["current"] else EMPTY} for item in items),
    )


@register.simple_tag
def group_links(groups):
    return _links(
        groups,
        '\n    <a href="{href}" data-group="{choice}" {current}>{label}</a>\n    ',
        'aria-current="true"',
    )


@register.simple_tag
def tab_links(group: str, tab: str):
    """The tabs' menu of a page of ``tab`` compared with ``group`` (both checked values:
    ``presentation.group_param``, ``tab_param``). detail.html keeps it per process in a
    ``{% fixed_part %}`` by group, tab and language: the same 54 menus per language for every
    practice (about 30 µs a page when each page built and escaped them, issue 18, session 18)."""
    return _links(
        (
            {
                "key": t.key,
                "label": t.label,
                "href": pages.link(group, t.key),
                "current": t.key == tab,
            }
            for t in presentation.TABS
        ),
        '\n      <li><a href="{href}" data-tab="{key}" {current}>{label}</a></li>\n      ',
        'aria-current="page"',
    )


@register.simple_tag
def trend_links(choices):
    return _links(
        choices, '<a href="{href}" data-kpi="{code}" {current}>{name}</a>', 'aria-current="true"'
    )


@register.simple_tag
def definitions(pairs):
    """(term, explanation) pairs as the items of a ``<dl>``."""
    return format_html_join("", "<dt>{}</dt><dd>{}</dd>", pairs)


TILE = (
    '\n        <li class="symbol-tile state-{state}">\n'
    '          <a href="{href}" data-theme="{key}" aria-describedby="summary-{key}">\n'
    '            <span class="symbol" aria-hidden="true">{symbol}</span>\n'
    '            <span class="theme-name">{label}</span>\n'
    '            <span class="state-label">{state_label}</span>\n'
    "          </a>\n"
    '          <p class="theme-summary" id="summary-{key}" role="tooltip">{summary}</p>\n'
    "        </li>\n"
    "        "
)


@register.simple_tag
def symbol_tiles(symbols):
    """The welcome screen's tiles: one per theme, its symbol (verdicts.ThemeSymbol) linked."""
    return format_html_join(
        "",
        TILE,
        (
            {
                "state": s.state,
                "href": item["href"],
                "key": s.tab.key,
                "symbol": s.symbol,
                "label": s.tab.label,
                "state_label": s.label,
                "summary": s.summary,
            }
            for item in symbols
            for s in (item["symbol"],)
        ),
    )


@register.simple_tag
def key_figures(figures):
    """The header's key figures (``explain.HeaderFigure``): name, value and the national median.

    Written here rather than by a loop in base.html: its variable, ``if`` and ``translate``
    nodes were about 25 of a page's 130 template nodes, 1.4–2 % of a dashboard page's
    instructions (callgrind, issue 18, session 10). Every value escaped once, as the template
    did; the markup is the loop's, byte for byte.
    """
    median = escaped(_("mediaan"))
    return SafeString(
        "".join(
            f'<span class="keyfigure" data-kpi="{escaped(f.code)}">'
            f'<span class="keyfigure-name">{escaped(f.name)}</span> '
            f"<strong>{escaped(f.value)}</strong>"
            + (
                f' <span class="keyfigure-median">({median} {escaped(f.median)})</span>'
                if f.median
                else ""
            )
            + "</span>"
            for f in figures
        )
    )


@register.simple_tag
def download_links(import_id, group):
    """The page's downloads for its comparison group: the report (and the report in the other
    language), the figures in Excel and as CSV.

    What the links in ``dashboard/detail.html`` rendered, byte for byte, without their
    seventeen URL, variable and ``translate`` nodes (issue 18, session 10)."""
    query = f"?groep={escaped(group)}"
    report = escaped(fixed_url("dashboard:report", import_id)) + query
    xlsx = escaped(fixed_url("dashboard:xlsx", import_id)) + query
    csv = escaped(fixed_url("dashboard:csv", import_id)) + query
    if language.current() == "en":
        other = (
            f'<a href="{report}&amp;taal=nl" hreflang="nl" lang="nl" download>'
            "Nederlandstalig rapport</a>"
        )
    else:
        other = (
            f'<a href="{report}&amp;taal=en" hreflang="en" lang="en" download>Report in English</a>'
        )
    return SafeString(
        f'<a class="button primary" href="{report}" data-download="pdf" download>'
        f"{escaped(_('Praktijkrapport (PDF)'))}</a>\n"
        f"  {other}\n"
        f'  <a href="{xlsx}" data-download="xlsx" download>{escaped(_("Cijfers in Excel"))}</a>\n'
        f'  <a href="{csv}" data-download="csv" download>{escaped(_("CSV"))}</a>'
    )
