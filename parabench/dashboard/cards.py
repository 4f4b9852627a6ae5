"""The KPI cards of a theme tab as HTML: value, verdict, case-mix index, group facts and charts.

A theme tab shows up to a few dozen cards of about forty values each. Through the template
engine's variable, ``if`` and ``translate`` nodes the cards were most of the template engine's
work on a theme tab (the engine was a quarter of a page under cProfile); here each card is
filled into a few format strings with ``format_html``, which escapes every value just as the
template did. The markup, whitespace included, is exactly what
``{% for row in rows %}`` in ``dashboard/detail.html`` rendered before: compared byte for byte
on 1,377 pages when it was moved here (issue 18), the cards' content is checked by the page
tests (tests/dashboard/test_views.py, test_casemix.py, tests/privacy).
"""

from django.utils.safestring import SafeString

from parabench.dashboard import charts
from parabench.dashboard.markup import format_html
from parabench.dashboard.templatetags.dashboard_tables import data_table
from parabench.language import gettext as _

CARD = (
    '\n      <article class="kpi verdict-{verdict}" id="kpi-{code}">\n'
    '        <div class="kpi-text">\n'
    "          <h3>{name}</h3>\n"
    '          <p class="kpi-value"><span class="value-label">{your_value}</span> '
    '<span class="value">{value}</span>{interval}{badge}</p>\n'
    "          {note}\n"
    "          {adjusted}\n"
    "          {facts}\n"
    "        </div>\n"
    "        {chart}\n"
    "      </article>\n"
    "      "
)
INTERVAL = ' <span class="interval" title="{}">{}</span>'
BADGE = ' <span class="badge verdict" data-verdict="{}">{}</span>'
NOTE = '<p class="muted kpi-note">{}</p>'
ADJUSTED = (
    '\n          <div class="kpi-adjusted" id="adjusted-{code}">\n'
    "            {body}\n"
    "          </div>\n"
    "          "
)
ADJUSTED_JUDGED = (
    '\n            <p class="kpi-value"><span class="value-label">{corrected}</span> '
    '<span class="value-label">{index}</span> <span class="value adjusted-value">{value}</span>'
    '{interval} <span class="index-info" title="{explanation}">ⓘ</span>{badge}</p>\n'
    '            <dl class="kpi-facts">\n'
    "              <dt>{expected_label}</dt><dd>{expected}</dd>\n"
    "              {normal}\n"
    "            </dl>\n"
    "            {note}\n"
    "            "
)
ADJUSTED_NORMAL = '<dt>{}</dt><dd class="normal-range">{}</dd>'
ADJUSTED_NOTE = '<p class="muted kpi-note adjusted-note">{}</p>'
ADJUSTED_MISSING = '\n            <p class="muted kpi-note adjusted-missing">{}</p>\n            '
FACTS = (
    '\n          <dl class="kpi-facts">\n'
    "            <dt>{median_label}</dt><dd>{median}</dd>\n"
    "            {normal}\n"
    "            <dt>{middle_label}</dt><dd>{band}</dd>\n"
    "            <dt>{position_label}</dt><dd>{position}</dd>\n"
    "            <dt>{place_label}</dt><dd>{place}</dd>\n"
    "          </dl>\n"
    "          "
)
NORMAL = '<dt>{}</dt><dd class="normal-range">{}</dd>'
CHART = (
    '\n        <div class="kpi-chart">\n'
    '          <figure class="chart chart-box">{box}</figure>\n'
    "          {funnel}\n"
    '          <details class="numbers">\n'
    "            <summary>{chart_numbers}</summary>\n"
    "            {table}\n"
    "          </details>\n"
    "        </div>\n"
    "        "
)
FUNNEL = (
    '<figure class="chart chart-funnel">{}</figure>\n'
    '          <details class="numbers">\n'
    "            <summary>{}</summary>\n"
    "            {}\n"
    "          </details>"
)
EMPTY = SafeString("")


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
    return SafeString("".join(_card(row, too_small, words) for row in rows))


def _card(row, too_small: bool, words: dict) -> SafeString:
    judged = row.judged
    facts = EMPTY
    if not too_small:
        facts = format_html(
            FACTS,
            median_label=words["median_label"],
            median=row.median,
            normal=format_html(NORMAL, words["normal_label"], judged.normal)
            if judged.normal
            else EMPTY,
            middle_label=words["middle_label"],
            band=row.band,
            position_label=words["position_label"],
            position=row.position or "–",
            place_label=words["place_label"],
            place=row.place,
        )
    return format_html(
        CARD,
        verdict=row.verdict,
        code=row.code,
        name=row.name,
        your_value=words["your_value"],
        value=row.value,
        interval=format_html(INTERVAL, words["interval_title"], judged.interval)
        if judged.interval
        else EMPTY,
        badge=format_html(BADGE, judged.verdict, judged.text) if judged.text else EMPTY,
        note=format_html(NOTE, judged.note) if judged.note else EMPTY,
        adjusted=_adjusted(row) if row.adjusted else EMPTY,
        facts=facts,
        chart=_charts(row, words) if row.chart else EMPTY,
    )


def _adjusted(row) -> SafeString:
    adjusted = row.adjusted
    judged = adjusted.judged
    if judged:
        body = format_html(
            ADJUSTED_JUDGED,
            corrected=_("gecorrigeerd voor casemix"),
            index=_("index"),
            value=adjusted.value,
            interval=format_html(
                INTERVAL,
                _("95 %%-interval: waar uw index bij toeval ook had kunnen liggen").replace(
                    "%%", "%"
                ),
                judged.interval,
            )
            if judged.interval
            else EMPTY,
            explanation=row.adjusted_explanation,
            badge=format_html(BADGE, judged.verdict, judged.text) if judged.text else EMPTY,
            expected_label=_("Verwachting bij uw casemix (landelijk)"),
            expected=adjusted.expected,
            normal=format_html(ADJUSTED_NORMAL, _("Normale spreiding van de index"), judged.normal)
            if judged.normal
            else EMPTY,
            note=format_html(ADJUSTED_NOTE, adjusted.note) if adjusted.note else EMPTY,
        )
    else:
        body = format_html(ADJUSTED_MISSING, adjusted.missing)
    return format_html(ADJUSTED, code=row.code, body=body)


def _charts(row, words: dict) -> SafeString:
    funnel = row.funnel.funnel
    return format_html(
        CHART,
        box=charts.render(row.chart),
        funnel=format_html(
            FUNNEL, charts.render(funnel), words["funnel_numbers"], data_table(row.funnel.table)
        )
        if funnel
        else EMPTY,
        chart_numbers=words["chart_numbers"],
        table=data_table(row.table),
    )
