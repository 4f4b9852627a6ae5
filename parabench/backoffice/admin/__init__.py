"""The back office is Django's admin, in Dutch, one module per domain."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from parabench.backoffice.admin import (  # noqa: F401
    accounts,
    certificates,
    coordination,
    practices,
    tasks,
    twofactor,
    uploads,
)

admin.site.site_header = _("ParaBench backoffice")
admin.site.site_title = _("ParaBench backoffice")
admin.site.index_title = _("Beheer")

# Defence in depth behind parabench.accounts.twofactor.TwoFactorMiddleware: the back office
# opens only for an operator whose session passed the second factor (issue 20).
_staff_permission = admin.site.has_permission


def _verified_operator(request) -> bool:
    return _staff_permission(request) and request.user.is_verified()


admin.site.has_permission = _verified_operator
