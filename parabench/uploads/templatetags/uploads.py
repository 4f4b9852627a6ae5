from django import template

from parabench.uploads.listing import imports_page

register = template.Library()


@register.inclusion_tag("uploads/dashboards.html", takes_context=True)
def dashboards_list(context):
    """The Dashboards section for the logged-in practice (page from ``?pagina=``)."""
    request = context["request"]
    practice = context["practice"]
    return {
        "listing": imports_page(practice, request.GET.get("pagina")),
        "request": request,
    }
