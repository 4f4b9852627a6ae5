"""``{% chart spec %}``: a chart spec of ``parabench.dashboard.charts`` as inline SVG; the theme
tab's KPI cards and mixes (chart and table each) in one tag each."""

from django import template
from django.utils.safestring import SafeString

from parabench.dashboard import cards, charts
from parabench.dashboard.markup import escaped
from parabench.dashboard.templatetags.dashboard_tables import data_table
from parabench.language import gettext as _

register = template.Library()


@register.simple_tag
def chart(spec):
    return charts.render(spec) if spec is not None else ""


@register.simple_tag
def kpi_cards(rows, too_small):
    """The cards of a theme tab's KPIs (``parabench.dashboard.cards``)."""
    return cards.kpi_cards(rows, too_small)


@register.simple_tag
def mix_blocks(mixes, head):
    """Each mix of a theme tab (``presentation.MixBlock``): its chart and, under "Cijfers van de
    grafiek", its table with the columns ``head``. What ``{% for mix in mixes %}`` in
    ``dashboard/detail.html`` rendered, byte for byte, without its variable nodes (six a mix,
    four mixes on Klachten: issue 18, session 10); every value escaped once, as the template
    did. The words are translated here, as the cards' are (the template's ``{% translate … as
    %}`` node cost about 20 µs a page, issue 18, session 14)."""
    label = escaped(_("Cijfers van de grafiek"))
    return SafeString(
        "".join(
            f'\n      <article class="kpi mix" id="mix-{escaped(mix.code)}">\n'
            f"        <h3>{escaped(mix.name)}</h3>\n"
            f'        <figure class="chart chart-mix">{chart(mix.chart)}</figure>\n'
            '        <details class="numbers">\n'
            f"          <summary>{label}</summary>\n"
            f"          {data_table(mix.rows, head=head)}\n"
            "        </details>\n"
            "      </article>\n"
            "      "
            for mix in mixes
        )
    )
