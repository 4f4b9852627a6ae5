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

    def ready(self):
        super().ready()
        # Listed after django-otp, so its admin is registered by now (admin autodiscovers in its
        # own ready()). django-otp writes its device lists' search help in English only.
        from django.contrib import admin
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        for model in (TOTPDevice, StaticDevice):
            if admin.site.is_registered(model):
                admin.site.get_model_admin(model).search_help_text = _(
                    "Zoek op gebruikersnaam of e-mailadres"
                )
