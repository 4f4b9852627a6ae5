"""Profiel's notifications card: rendered by this app, so that practices never imports it."""

from django import template

from parabench.notifications.forms import PreferenceForm
from parabench.notifications.models import Preference

register = template.Library()


@register.inclusion_tag("notifications/card.html", takes_context=True)
def notification_card(context):
    user = context["request"].user
    preference = Preference.objects.filter(user=user).first() or Preference(user=user)
    return {
        "form": PreferenceForm(instance=preference),
        "email": user.email,
        "csrf_token": context.get("csrf_token"),
    }
