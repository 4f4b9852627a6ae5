from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "parabench.accounts"
    label = "accounts"

    def ready(self):
        from parabench.accounts import session  # noqa: F401 — connects the logout message
