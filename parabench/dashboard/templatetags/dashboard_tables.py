"""``{% data_table %}``: the accessible table of numbers beside every chart.

A dashboard page carries hundreds of table cells; rendering each through the template engine's
variable nodes cost more than everything else on the page, so the rows are joined here with
``format_html_join``, which escapes every cell: one format string per table row shape (a row
header and its value cells), filled once per row.
"""

from django import template

from parabench.dashboard.markup import format_html, format_html_join

register = template.Library()


@register.simple_tag
def data_table(rows, head=(), classes=None, links=None):
    """Rows of (label, value, …): the label is the row header, the values are numbers.

    ``head`` names the columns; ``classes`` gives each row a class and ``links`` each row
    header a link (both the same length as ``rows``).
    """
    thead = ""
    if head:
        thead = format_html(
            '<thead><tr><th scope="col">{}</th>'
            + '<th scope="col" class="num">{}</th>' * (len(head) - 1)
            + "</tr></thead>",
            *head,
        )
    header = '<th scope="row"><a href="{}">{}</a></th>' if links else '<th scope="row">{}</th>'
    values = len(rows[0]) - 1 if rows else 0
    body = format_html_join(
        "",
        ('<tr class="{}">' if classes else "<tr>")
        + header
        + '<td class="num">{}</td>' * values
        + "</tr>",
        (
            ((classes[i],) if classes else ()) + ((links[i],) if links else ()) + tuple(row)
            for i, row in enumerate(rows)
        ),
    )
    return format_html('<table class="data compact">{}<tbody>{}</tbody></table>', thead, body)
