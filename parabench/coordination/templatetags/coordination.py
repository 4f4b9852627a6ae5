"""Profiel's consent card: rendered by this app, so that practices never imports it."""

from django import template

from parabench.coordination import consent
from parabench.coordination.access import coordinated_networks
from parabench.coordination.models import Coordinator

register = template.Library()


@register.inclusion_tag("coordination/consent_card.html", takes_context=True)
def consent_card(context):
    practice = context["practice"]
    coordinators = Coordinator.objects.none()
    if practice.network_id is not None:
        coordinators = Coordinator.objects.filter(network_id=practice.network_id).select_related(
            "user"
        )
    return {
        "practice": practice,
        "csrf_token": context.get("csrf_token"),
        "consented": consent.has_consented(practice),
        "history": list(consent.history(practice)[:20]),
        "coordinators": list(coordinators),
        # A practice user who also coordinates: the way to its networks (the menu has none).
        "coordinated": list(coordinated_networks(context["request"].user)),
    }
