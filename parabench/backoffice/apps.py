from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "parabench.backoffice"
    label = "backoffice"
    verbose_name = "Backoffice"
