"""Certificates in the back office: read-only, except the irreversible "Blokkeren" action."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from parabench.certificates import services
from parabench.certificates.models import CertificateEvent, ClientCertificate


class CertificateEventInline(admin.TabularInline):
    model = CertificateEvent
    fields = ["at", "action", "username", "is_operator", "ip_address"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-at"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ClientCertificate)
class ClientCertificateAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "practice",
        "name",
        "not_before",
        "not_after",
        "blocked_at",
        "downloaded_at",
    ]
    list_filter = [
        ("blocked_at", admin.EmptyFieldListFilter),
        ("downloaded_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["practice__agb_code", "practice__name", "fingerprint_sha256", "serial_hex"]
    list_select_related = ["practice"]
    actions = ["block_selected"]
    fields = [
        "practice",
        "number",
        "name",
        "issuer",
        "serial_hex",
        "fingerprint_sha256",
        "not_before",
        "not_after",
        "issued_at",
        "issued_by",
        "downloaded_at",
        "blocked_at",
        "blocked_by",
        "certificate_pem",
    ]
    readonly_fields = fields
    inlines = [CertificateEventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(
        description=_("Geselecteerde certificaten blokkeren (onomkeerbaar)"),
        permissions=["change"],
    )
    def block_selected(self, request, queryset):
        actor = services.Actor(user=request.user, ip_address=request.META.get("REMOTE_ADDR"))
        blocked = sum(services.block_certificate(c, actor=actor) for c in queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d certificaat geblokkeerd.",
                "%(count)d certificaten geblokkeerd.",
                blocked,
            )
            % {"count": blocked},
            messages.SUCCESS,
        )


@admin.register(CertificateEvent)
class CertificateEventAdmin(admin.ModelAdmin):
    """The audit log: operators read it, nobody edits or deletes it."""

    list_display = [
        "at",
        "action",
        "certificate",
        "practice",
        "username",
        "is_operator",
        "ip_address",
    ]
    list_filter = ["action", "is_operator"]
    search_fields = [
        "certificate__practice__agb_code",
        "certificate__practice__name",
        "username",
        "ip_address",
    ]
    list_select_related = ["certificate__practice"]
    date_hierarchy = "at"
    fields = ["at", "action", "certificate", "user", "username", "is_operator", "ip_address"]
    readonly_fields = fields

    @admin.display(description=_("praktijk"), ordering="certificate__practice__name")
    def practice(self, obj):
        return obj.certificate.practice

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
