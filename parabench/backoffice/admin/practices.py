from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from parabench.practices.models import Network, Practice


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "practice_count"]
    search_fields = ["number", "name"]

    @admin.display(description=_("aantal praktijken"))
    def practice_count(self, obj):
        return obj.practices.count()


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["agb_code", "name", "city", "province", "network", "status"]
    list_filter = ["status", "province", "network"]
    search_fields = ["agb_code", "name", "city", "debtor_number"]
    list_select_related = ["network"]
    fieldsets = [
        (None, {"fields": ["agb_code", "debtor_number", "name", "status"]}),
        (_("Adres"), {"fields": ["street", "postcode", "city", "province"]}),
        (_("Netwerk"), {"fields": ["network"]}),
    ]
