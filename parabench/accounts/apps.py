from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "parabench.accounts"
    label = "accounts"
    verbose_name = _("Gebruikersaccounts")

    def ready(self):
        from parabench.accounts import session  # noqa: F401 — connects the logout message
