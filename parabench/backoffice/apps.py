from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class BackofficeConfig(AppConfig):
    name = "parabench.backoffice"
    label = "backoffice"
    verbose_name = "Backoffice"


# Third-party apps under a Dutch name in the back office (their own names are fixed English
# strings); INSTALLED_APPS names these classes instead of the apps.
class AxesConfig(AxesAppConfig):
    verbose_name = _("Inlogbeveiliging")


class TasksConfig(TasksAppConfig):
    verbose_name = _("Achtergrondtaken")
