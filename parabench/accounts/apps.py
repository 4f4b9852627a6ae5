from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "parabench.accounts"
    label = "accounts"

    def ready(self):
        # The login audit's signal receivers.
        from parabench.accounts import twofactor  # noqa: F401
