"""Permissions as the back office names them: in the operator's language.

Django stores the name of each permission it makes once, in English ("Can add user"), and shows
that stored name in the groups' and users' permission lists; no catalogue reaches it. The four it
makes for every model (add, change, delete, view) are recognised by their codename here and said
again from the model's translated name; any other permission's stored name goes through the
catalogue as it is.
"""

from django.contrib.auth.models import Permission
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

DEFAULT_ACTIONS = {
    "add": _("Kan %(model)s toevoegen"),
    "change": _("Kan %(model)s wijzigen"),
    "delete": _("Kan %(model)s verwijderen"),
    "view": _("Kan %(model)s bekijken"),
}


def permission_name(permission: Permission) -> str:
    """What the permission allows, e.g. "Kan gebruiker toevoegen" ("Can add user" in English)."""
    model = permission.content_type.model_class()
    if model is not None:
        action, _separator, model_name = permission.codename.partition("_")
        if (
            action in DEFAULT_ACTIONS
            and action in model._meta.default_permissions
            and model_name == model._meta.model_name
        ):
            return DEFAULT_ACTIONS[action] % {"model": model._meta.verbose_name}
    return gettext(permission.name)


def permission_label(permission: Permission) -> str:
    """Django's "app | model | permission", with the permission's name translated too."""
    return f"{permission.content_type} | {permission_name(permission)}"
