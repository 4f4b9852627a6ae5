"""``{% data_table %}``: the accessible table of numbers beside every chart.

A dashboard page carries hundreds of table cells; rendering each through the template engine's
variable nodes cost more than everything else on the page, so the rows are written here, every
cell through ``markup.escaped`` once (as the template, and ``format_html``, escaped it). Written
with f-strings and joins rather than ``format_html_join`` per row (a heavy tab has about 40
tables of 5–8 rows): the cards' tables cost about half as much (issue 18, session 10).
"""

from django import template
from django.utils.safestring import SafeString

from parabench.dashboard.markup import escaped as e

register = template.Library()


@register.simple_tag
def data_table(rows, head=(), classes=None, links=None):
    """Rows of (label, value, …): the label is the row header, the values are numbers.

    ``head`` names the columns; ``classes`` gives each row a class and ``links`` each row
    header a link (both the same length as ``rows``). Every row has as many value cells as the
    first.
    """
    thead = ""
    if head:
        thead = (
            f'<thead><tr><th scope="col">{e(head[0])}</th>'
            + "".join(f'<th scope="col" class="num">{e(label)}</th>' for label in head[1:])
            + "</tr></thead>"
        )
    return table_of(data_rows(rows, classes, links), thead)


def data_rows(rows, classes=None, links=None) -> str:
    """The body rows of ``data_table`` (escaped markup): each with as many value cells as the
    first row."""
    values = len(rows[0]) - 1 if rows else 0
    body = []
    for i, row in enumerate(rows):
        opening = f'<tr class="{e(classes[i])}">' if classes else "<tr>"
        label = e(row[0])
        header = f'<a href="{e(links[i])}">{label}</a>' if links else label
        cells = "".join(f'<td class="num">{e(value)}</td>' for value in row[1 : values + 1])
        body.append(f'{opening}<th scope="row">{header}</th>{cells}</tr>')
    return "".join(body)


def table_of(body: str, thead: str = "") -> SafeString:
    """A ``data_table`` around body rows written by ``data_rows``."""
    return SafeString(f'<table class="data compact">{thead}<tbody>{body}</tbody></table>')
