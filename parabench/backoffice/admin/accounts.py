from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from parabench.accounts.models import LoginEvent, User
from parabench.accounts.onboarding import send_onboarding_emails
from parabench.backoffice.admin.readonly import AuditAdmin
from parabench.backoffice.permissions import permission_label


class PermissionsInTheOperatorsLanguage:
    """Lists of permissions name each one in the operator's language (Django stores the names
    of its own permissions in English: parabench.backoffice.permissions)."""

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in ("permissions", "user_permissions"):
            formfield.label_from_instance = permission_label
        return formfield


class PracticeUserCreationForm(forms.ModelForm):
    """The operator never chooses a password: the user sets one through the e-mailed link."""

    class Meta:
        model = User
        fields = ["username", "email", "first_name", "last_name", "practice"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


@admin.register(User)
class ParaBenchUserAdmin(PermissionsInTheOperatorsLanguage, UserAdmin):
    add_form = PracticeUserCreationForm
    add_form_template = "admin/accounts/user/add_form.html"  # Django's sentence in Dutch
    add_fieldsets = [
        (None, {"fields": ["username", "email", "first_name", "last_name", "practice"]}),
    ]
    fieldsets = [
        (None, {"fields": ["username", "email", "first_name", "last_name", "practice"]}),
        (_("Rechten"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Belangrijke datums"), {"fields": ["last_login", "date_joined"]}),
    ]
    list_display = ["username", "email", "practice", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_active"]
    search_fields = ["username", "email", "practice__agb_code", "practice__name"]
    list_select_related = ["practice"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and obj.email:
            send_onboarding_emails(obj, request)
            messages.info(
                request,
                _("Welkomstmail en inloggegevens zijn verstuurd naar %(email)s.")
                % {"email": obj.email},
            )


# Importing django.contrib.auth.admin above registered Django's GroupAdmin; ours takes its place.
admin.site.unregister(Group)


@admin.register(Group)
class ParaBenchGroupAdmin(PermissionsInTheOperatorsLanguage, GroupAdmin):
    pass


@admin.register(LoginEvent)
class LoginEventAdmin(AuditAdmin):
    """The login audit (issue 20): operators read it, nobody edits or deletes it."""

    list_display = ["at", "username", "action", "ip_address"]
    list_filter = ["action"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "at"
    fields = ["at", "user", "username", "action", "ip_address", "user_agent"]
    readonly_fields = fields
