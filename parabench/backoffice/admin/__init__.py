"""The back office is Django's admin, in Dutch, one module per domain."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from parabench.backoffice.admin import accounts, certificates, practices, uploads  # noqa: F401

admin.site.site_header = _("ParaBench backoffice")
admin.site.site_title = _("ParaBench backoffice")
admin.site.index_title = _("Beheer")
