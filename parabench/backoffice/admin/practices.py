from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from parabench.backoffice.admin.coordination import (
    ConsentInline,
    CoordinatorInline,
    record_inviter,
)
from parabench.practices.models import Network, Practice
from parabench.practices.validators import validate_agb_code


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "practice_count", "coordinator_names"]
    search_fields = ["number", "name"]
    inlines = [CoordinatorInline, ConsentInline]

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        record_inviter(request, instances)
        formset.save()

    @admin.display(description=_("coördinatoren"))
    def coordinator_names(self, obj):
        return ", ".join(c.user.username for c in obj.coordinators.select_related("user"))

    @admin.display(description=_("aantal praktijken"))
    def practice_count(self, obj):
        return obj.practices.count()


class PracticeForm(forms.ModelForm):
    # Wider than 8 so that a 9-digit code gets the AGB message rather than a length message.
    agb_code = forms.CharField(label=_("AGB-code"), max_length=20, validators=[validate_agb_code])

    class Meta:
        model = Practice
        fields = [
            "agb_code",
            "debtor_number",
            "name",
            "status",
            "street",
            "postcode",
            "city",
            "province",
            "network",
            "profile",
        ]

    def clean_agb_code(self):
        return self.cleaned_data["agb_code"].strip()


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    form = PracticeForm
    list_display = ["agb_code", "name", "city", "province", "network", "status"]
    list_filter = ["status", "province", "network"]
    search_fields = ["agb_code", "name", "city", "debtor_number"]
    list_select_related = ["network"]
    fieldsets = [
        (None, {"fields": ["agb_code", "debtor_number", "name", "status"]}),
        (_("Adres"), {"fields": ["street", "postcode", "city", "province"]}),
        (_("Netwerk"), {"fields": ["network", "profile"]}),
    ]
