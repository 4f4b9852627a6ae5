from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.apps import DefaultConfig as OTPStaticAppConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as OTPTOTPAppConfig
from django_tasks_db.apps import TasksAppConfig


class BackofficeConfig(AppConfig):
    name = "parabench.backoffice"
    label = "backoffice"
    verbose_name = "Backoffice"


# Third-party apps under a Dutch name in the back office (their own names are fixed English
# strings); INSTALLED_APPS names these classes instead of the apps.
class AxesConfig(AxesAppConfig):
    verbose_name = _("Inlogbeveiliging")

    def ready(self):
        from parabench.backoffice.axes import name_records_in_the_operators_language

        super().ready()
        name_records_in_the_operators_language()


class TasksConfig(TasksAppConfig):
    verbose_name = _("Achtergrondtaken")


# django-otp's two kinds of second factor, under Dutch names. Their models' and fields' names and
# help texts are plain English strings: parabench.backoffice.otp puts them through the catalogue.
class OTPTextsTranslated:
    def ready(self):
        from parabench.backoffice.otp import make_translatable

        super().ready()
        for model in self.get_models():
            make_translatable(model)


class OTPTOTPConfig(OTPTextsTranslated, OTPTOTPAppConfig):
    verbose_name = _("Tweestapsverificatie: authenticator-apps")


class OTPStaticConfig(OTPTextsTranslated, OTPStaticAppConfig):
    verbose_name = _("Tweestapsverificatie: herstelcodes")
