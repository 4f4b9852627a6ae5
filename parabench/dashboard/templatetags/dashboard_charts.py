"""``{% chart spec %}``: a chart spec of ``parabench.dashboard.charts`` as inline SVG."""

from django import template

from parabench.dashboard import cards, charts

register = template.Library()


@register.simple_tag
def chart(spec):
    return charts.render(spec) if spec is not None else ""


@register.simple_tag
def kpi_cards(rows, too_small):
    """The cards of a theme tab's KPIs (``parabench.dashboard.cards``)."""
    return cards.kpi_cards(rows, too_small)
