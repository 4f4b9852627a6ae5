"""The KPI cards of a theme tab as HTML: value, verdict, case-mix index, group facts and charts.

A theme tab shows up to a few dozen cards of about forty values each. Through the template
engine's variable, ``if`` and ``translate`` nodes the cards were most of the template engine's
work on a theme tab (the engine was a quarter of a page under cProfile); here each card is
written with f-strings, as the charts are (``charts.base``): a fixed attribute goes in as it is
and every value through ``markup.escaped`` once, just as the template (and ``format_html``)
escaped it; a piece of markup made here or by the charts and tables is a ``SafeString`` and goes
in as it is. ``format_html`` with a dict of named values per piece (about 15 a card) was a
third of the cards' time without their charts (issue 18, session 10). The markup, whitespace
included, is exactly what ``{% for row in rows %}`` in ``dashboard/detail.html`` rendered
before: compared byte for byte on 1,377 pages when it was moved here (issue 18) and on the 480
pages of ``bench/dashboard_pages.py`` since; the cards' content is checked by the page tests
(tests/dashboard/test_views.py, test_casemix.py, tests/privacy).
"""

import functools

from django.utils.safestring import SafeString

from parabench.dashboard import charts
from parabench.dashboard.markup import escaped as e
from parabench.dashboard.templatetags.dashboard_tables import data_rows, data_table, table_of
from parabench.language import gettext as _


def kpi_cards(rows, too_small: bool) -> SafeString:
    """Every card of ``rows`` (``presentation.KpiRow`` with their verdicts, pages.kpi_rows)."""
    words = {
        "your_value": _("uw waarde"),
        # As the template's {% translate %}: a "%" is doubled in the catalogue's message id.
        "interval_title": _(
            "95 %%-interval: waar uw waarde bij toeval ook had kunnen liggen"
        ).replace("%%", "%"),
        "median_label": _("Mediaan groep"),
        "normal_label": _("Normale spreiding"),
        "middle_label": _("Middelste helft (P25–P75)"),
        "position_label": _("Positie"),
        "place_label": _("Plaats in de groep"),
        "funnel_numbers": _("Cijfers van de trechter"),
        "chart_numbers": _("Cijfers van de grafiek"),
    }
    words = {key: e(text) for key, text in words.items()}
    return SafeString("".join(_card(row, too_small, words) for row in rows))


def _interval(title: str, interval: str) -> str:
    return f' <span class="interval" title="{title}">{e(interval)}</span>' if interval else ""


def _badge(judged) -> str:
    if not judged.text:
        return ""
    verdict, text = e(judged.verdict), e(judged.text)
    return f' <span class="badge verdict" data-verdict="{verdict}">{text}</span>'


def _card(row, too_small: bool, words: dict) -> str:
    judged = row.judged
    facts = ""
    if not too_small:
        normal = (
            f'<dt>{words["normal_label"]}</dt><dd class="normal-range">{e(judged.normal)}</dd>'
            if judged.normal
            else ""
        )
        facts = (
            '\n          <dl class="kpi-facts">\n'
            f"            <dt>{words['median_label']}</dt><dd>{e(row.median)}</dd>\n"
            f"            {normal}\n"
            f"            <dt>{words['middle_label']}</dt><dd>{e(row.band)}</dd>\n"
            f"            <dt>{words['position_label']}</dt><dd>{e(row.position or '–')}</dd>\n"
            f"            <dt>{words['place_label']}</dt><dd>{e(row.place)}</dd>\n"
            "          </dl>\n"
            "          "
        )
    note = f'<p class="muted kpi-note">{e(judged.note)}</p>' if judged.note else ""
    return (
        f'\n      <article class="kpi verdict-{e(row.verdict)}" id="kpi-{e(row.code)}">\n'
        '        <div class="kpi-text">\n'
        f"          <h3>{e(row.name)}</h3>\n"
        f'          <p class="kpi-value"><span class="value-label">{words["your_value"]}</span> '
        f'<span class="value">{e(row.value)}</span>'
        f"{_interval(words['interval_title'], judged.interval)}{_badge(judged)}</p>\n"
        f"          {note}\n"
        f"          {_adjusted(row) if row.adjusted else ''}\n"
        f"          {facts}\n"
        "        </div>\n"
        f"        {_charts(row, words) if row.chart else ''}\n"
        "      </article>\n"
        "      "
    )


def _adjusted(row) -> str:
    adjusted = row.adjusted
    judged = adjusted.judged
    if judged:
        title = e(
            _("95 %%-interval: waar uw index bij toeval ook had kunnen liggen").replace("%%", "%")
        )
        normal = (
            f"<dt>{e(_('Normale spreiding van de index'))}</dt>"
            f'<dd class="normal-range">{e(judged.normal)}</dd>'
            if judged.normal
            else ""
        )
        note = (
            f'<p class="muted kpi-note adjusted-note">{e(adjusted.note)}</p>'
            if adjusted.note
            else ""
        )
        body = (
            '\n            <p class="kpi-value">'
            f'<span class="value-label">{e(_("gecorrigeerd voor casemix"))}</span> '
            f'<span class="value-label">{e(_("index"))}</span> '
            f'<span class="value adjusted-value">{e(adjusted.value)}</span>'
            f"{_interval(title, judged.interval)} "
            f'<span class="index-info" title="{e(row.adjusted_explanation)}">ⓘ</span>'
            f"{_badge(judged)}</p>\n"
            '            <dl class="kpi-facts">\n'
            f"              <dt>{e(_('Verwachting bij uw casemix (landelijk)'))}</dt>"
            f"<dd>{e(adjusted.expected)}</dd>\n"
            f"              {normal}\n"
            "            </dl>\n"
            f"            {note}\n"
            "            "
        )
    else:
        body = (
            '\n            <p class="muted kpi-note adjusted-missing">'
            f"{e(adjusted.missing)}</p>\n            "
        )
    return (
        f'\n          <div class="kpi-adjusted" id="adjusted-{e(row.code)}">\n'
        f"            {body}\n"
        "          </div>\n"
        "          "
    )


def _charts(row, words: dict) -> str:
    funnel = ""
    if row.funnel.funnel:
        funnel = (
            f'<figure class="chart chart-funnel">{charts.render(row.funnel.funnel)}</figure>\n'
            '          <details class="numbers">\n'
            f"            <summary>{words['funnel_numbers']}</summary>\n"
            f"            {data_table(row.funnel.table)}\n"
            "          </details>"
        )
    return (
        '\n        <div class="kpi-chart">\n'
        f'          <figure class="chart chart-box">{charts.render(row.chart)}</figure>\n'
        f"          {funnel}\n"
        '          <details class="numbers">\n'
        f"            <summary>{words['chart_numbers']}</summary>\n"
        f"            {_box_table(row.table)}\n"
        "          </details>\n"
        "        </div>\n"
        "        "
    )


def _box_table(rows) -> str:
    """``data_table(rows)`` of a box plot's numbers: the practice's row (the first) per card, the
    group's rows (its published statistics and size, as written) kept per process."""
    if len(rows) < 2:
        return data_table(rows)
    return table_of(data_rows(rows[:1]) + _group_rows(tuple(rows[1:])))


# Keyed by the rows' texts themselves (the group's published figures as the page writes them,
# in its language): a new figure is a new key. Only group rows are kept, never the practice's.
@functools.lru_cache(maxsize=2048)
def _group_rows(rows: tuple) -> str:
    return data_rows(rows)
