from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "parabench.accounts"
    label = "accounts"
