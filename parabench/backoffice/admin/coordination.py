"""Networks' coordinators (invited by an operator), members' consents and the coordinators' audit
trail. A coordinator is an ordinary user (made under Gebruikers, with the onboarding e-mails)
given a network here; a user may coordinate several networks."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from parabench.backoffice.admin.readonly import AuditAdmin
from parabench.coordination.models import Consent, Coordinator, CoordinatorView


class CoordinatorInline(admin.TabularInline):
    model = Coordinator
    fk_name = "network"
    fields = ["user", "invited_by", "invited_at"]
    readonly_fields = ["invited_by", "invited_at"]
    autocomplete_fields = ["user"]
    extra = 0


class ConsentInline(admin.TabularInline):
    """The members' decisions, newest first: read only (a practice decides in Profiel)."""

    model = Consent
    fields = ["at", "practice", "given", "by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


def record_inviter(request, instances) -> None:
    for instance in instances:
        if isinstance(instance, Coordinator) and instance.invited_by_id is None:
            instance.invited_by = request.user


@admin.register(Coordinator)
class CoordinatorAdmin(admin.ModelAdmin):
    list_display = ["user", "network", "invited_by", "invited_at"]
    list_filter = ["network"]
    search_fields = ["user__username", "user__email", "network__name"]
    autocomplete_fields = ["user", "network"]
    fields = ["user", "network", "invited_by", "invited_at"]
    readonly_fields = ["invited_by", "invited_at"]

    def save_model(self, request, obj, form, change):
        record_inviter(request, [obj])
        super().save_model(request, obj, form, change)


@admin.register(Consent)
class ConsentAdmin(AuditAdmin):
    list_display = ["at", "practice", "network", "given", "by"]
    list_filter = ["given", "network"]
    search_fields = ["practice__agb_code", "practice__name"]
    date_hierarchy = "at"
    fields = ["at", "practice", "network", "given", "by"]
    readonly_fields = fields


@admin.register(CoordinatorView)
class CoordinatorViewAdmin(AuditAdmin):
    """What each coordinator viewed: which network, which page, which practice's figures."""

    list_display = ["at", "user", "network", "page", "practice", "detail"]
    list_filter = ["page", "network"]
    search_fields = ["user__username", "practice__agb_code", "practice__name"]
    date_hierarchy = "at"
    fields = ["at", "user", "network", "page", "practice", "detail"]
    readonly_fields = fields
    verbose_name_plural = _("bekeken door coördinatoren")
