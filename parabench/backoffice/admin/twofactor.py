"""The operators' second factors (django-otp's devices) in Dutch.

django-otp's admins write their fieldset titles and their search help in
English, in code rather than in a catalogue; these subclasses say them in Dutch. The models' and
fields' own texts come through the catalogue (parabench.backoffice.otp).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

# django-otp's fieldset titles, by the name it gives them.
FIELDSET_TITLES = {
    "Identity": _("Apparaat"),
    "Timestamps": _("Tijdstippen"),
    "Configuration": _("Instellingen"),
    "State": _("Klokafwijking"),
    "Throttling": _("Vertraging na foute codes"),
}


class DutchDeviceAdmin:
    search_help_text = _("Zoek op gebruikersnaam of e-mailadres")

    def get_fieldsets(self, request, obj=None):
        return [
            (FIELDSET_TITLES.get(title, title), options)
            for title, options in super().get_fieldsets(request, obj)
        ]


class ParaBenchTOTPDeviceAdmin(DutchDeviceAdmin, TOTPDeviceAdmin):
    pass


class ParaBenchStaticDeviceAdmin(DutchDeviceAdmin, StaticDeviceAdmin):
    pass


# Importing django-otp's admin modules above registered its admins; ours take their place.
for model, model_admin in (
    (TOTPDevice, ParaBenchTOTPDeviceAdmin),
    (StaticDevice, ParaBenchStaticDeviceAdmin),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
