from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from parabench.uploads.importer import requeue
from parabench.uploads.models import Import


@admin.register(Import)
class ImportAdmin(admin.ModelAdmin):
    """Every upload of every practice: status, warnings, reasons; read-only except re-queueing."""

    list_display = [
        "pk",
        "practice",
        "year",
        "period_end",
        "status",
        "is_current",
        "warning_count",
        "uploaded_at",
        "imported_at",
        "attempts",
    ]
    list_filter = ["status", "is_current", "year_closed", "year"]
    search_fields = ["practice__agb_code", "practice__name", "=id", "content_sha256"]
    list_select_related = ["practice"]
    date_hierarchy = "uploaded_at"
    actions = ["requeue_imports"]
    readonly_fields = [f.name for f in Import._meta.fields]

    @admin.display(description=_("waarschuwingen"))
    def warning_count(self, obj):
        return len(obj.warnings or [])

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Uploads are the audit trail of what a practice sent; they are never deleted here.
        return False

    @admin.action(description=_("Opnieuw inlezen (afgekeurde of vastgelopen imports)"))
    def requeue_imports(self, request, queryset):
        done = sum(requeue(pk) for pk in queryset.values_list("pk", flat=True))
        skipped = queryset.count() - done
        self.message_user(
            request,
            ngettext(
                "%(n)d import staat opnieuw in de wachtrij.",
                "%(n)d imports staan opnieuw in de wachtrij.",
                done,
            )
            % {"n": done},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(n)d import is al ingelezen en is overgeslagen.",
                    "%(n)d imports zijn al ingelezen en zijn overgeslagen.",
                    skipped,
                )
                % {"n": skipped},
                messages.WARNING,
            )
