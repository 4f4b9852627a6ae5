"""Certificates in the back office: read-only, except the irreversible "Blokkeren" action."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from parabench.certificates import services
from parabench.certificates.models import CertificateEvent, ClientCertificate, VendorCertificate


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
        "origin",
    ]
    list_filter = [
        "origin",
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
        "origin",
        "renewed_from",
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


# --- Vendors' acceptance certificates (issue 20) -------------------------------------------------


class VendorCertificateForm(forms.ModelForm):
    """Vendor, e-mail and the vendor's CSR; the rest is filled in by signing it."""

    csr = forms.CharField(
        label=_("certificaatverzoek (CSR, PEM)"),
        widget=forms.Textarea(attrs={"rows": 10, "cols": 70, "spellcheck": "false"}),
        help_text=_(
            "De leverancier maakt zelf de sleutel en stuurt alleen het verzoek, bijvoorbeeld: "
            "openssl req -new -newkey rsa:2048 -nodes -keyout leverancier.key -out "
            "leverancier.csr -subj /CN=leverancier"
        ),
    )

    class Meta:
        model = VendorCertificate
        fields = ["vendor", "email"]

    def clean_csr(self):
        from parabench.certificates.ca import get_acceptance_ca
        from parabench.certificates.enrolment import check_csr

        value = self.cleaned_data["csr"]
        if get_acceptance_ca() is None:
            raise forms.ValidationError(
                _("Er is geen acceptatie-CA ingesteld (zie docs/certificates.md)."),
                code="acceptance_ca_missing",
            )
        try:
            check_csr(value)
        except services.CertificateError as error:
            raise forms.ValidationError(error.message, code=error.code) from error
        return value


@admin.register(VendorCertificate)
class VendorCertificateAdmin(admin.ModelAdmin):
    """Issued from the back office on the vendor's CSR; only the validation endpoints accept it."""

    list_display = ["vendor", "email", "not_before", "not_after", "blocked_at", "download"]
    search_fields = ["vendor", "email", "fingerprint_sha256"]
    actions = ["block_selected"]
    readonly = [
        "serial_hex",
        "issuer",
        "fingerprint_sha256",
        "not_before",
        "not_after",
        "issued_at",
        "issued_by",
        "blocked_at",
        "certificate_pem",
    ]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = VendorCertificateForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ["vendor", "email", "csr"] if obj is None else ["vendor", "email", *self.readonly]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["vendor", *self.readonly]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        from parabench.certificates.acceptance import issue_vendor_certificate

        issued = issue_vendor_certificate(
            form.cleaned_data["vendor"],
            form.cleaned_data["csr"],
            email=form.cleaned_data.get("email", ""),
            actor=services.Actor(user=request.user, ip_address=request.META.get("REMOTE_ADDR")),
        )
        obj.pk = issued.pk
        obj.refresh_from_db()

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("certificaat"))
    def download(self, obj):
        url = reverse("admin:certificates_vendorcertificate_pem", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.file_name)

    def get_urls(self):
        extra = [
            path(
                "<int:pk>/certificaat.pem",
                self.admin_site.admin_view(self.pem_view),
                name="certificates_vendorcertificate_pem",
            )
        ]
        return extra + super().get_urls()

    def pem_view(self, request, pk):
        certificate = get_object_or_404(VendorCertificate, pk=pk)
        response = HttpResponse(certificate.certificate_pem, content_type="application/x-pem-file")
        response["Content-Disposition"] = f'attachment; filename="{certificate.file_name}"'
        return response

    @admin.action(description=_("Geselecteerde acceptatiecertificaten blokkeren"))
    def block_selected(self, request, queryset):
        from parabench.certificates.acceptance import block_vendor_certificate

        blocked = sum(block_vendor_certificate(c) for c in queryset)
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
