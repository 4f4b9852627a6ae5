from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "parabench.accounts"
    label = "accounts"
    verbose_name = _("Gebruikersaccounts")

    def ready(self):
        # The login audit's signal receivers and the logout message.
        from parabench.accounts import session, twofactor  # noqa: F401
