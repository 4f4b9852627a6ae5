from django.contrib import admin


class AuditAdmin(admin.ModelAdmin):
    """An audit trail: operators read it, nobody adds, edits or deletes a row."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
