"""``{% data_table %}``: the accessible table of numbers beside every chart.

A dashboard page carries hundreds of table cells (the Trends tab over a thousand); rendering each
through the template engine's variable nodes cost more than everything else on the page, so the
rows are joined here in one pass, every cell escaped.
"""

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def data_table(rows, head=(), classes=None, links=None):
    """Rows of (label, value, …): the label is the row header, the values are numbers.

    ``head`` names the columns; ``classes`` gives each row a class and ``links`` each row
    header a link (both the same length as ``rows``).
    """
    parts = ['<table class="data compact">']
    if head:
        first, *rest = (escape(str(cell)) for cell in head)
        cells = "".join(f'<th scope="col" class="num">{cell}</th>' for cell in rest)
        parts.append(f'<thead><tr><th scope="col">{first}</th>{cells}</tr></thead>')
    parts.append("<tbody>")
    for i, (label, *values) in enumerate(rows):
        row_class = f' class="{escape(str(classes[i]))}"' if classes else ""
        cells = "".join(f'<td class="num">{escape(str(value))}</td>' for value in values)
        label = escape(str(label))
        if links:
            label = f'<a href="{escape(str(links[i]))}">{label}</a>'
        parts.append(f'<tr{row_class}><th scope="row">{label}</th>{cells}</tr>')
    parts.append("</tbody></table>")
    return mark_safe("".join(parts))  # noqa: S308 — every cell above is escaped
