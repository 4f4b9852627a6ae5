"""``{% chart spec %}``: a chart spec of ``parabench.dashboard.charts`` as inline SVG."""

from django import template

from parabench.dashboard import charts

register = template.Library()


@register.simple_tag
def chart(spec):
    return charts.render(spec) if spec is not None else ""
