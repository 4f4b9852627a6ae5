from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "parabench.notifications"
    verbose_name = _("E-mailberichten")

    def ready(self):
        from parabench.notifications import signals  # noqa: F401
