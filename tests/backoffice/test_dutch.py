"""The back office speaks Dutch on every page an operator opens: the index, each app's list, and
every registered model's list, add, change and history page (django-otp's QR page too), with one
record of each model to open; also the texts its JavaScript writes into them."""

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import django
import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from parabench.certificates.acceptance import issue_vendor_certificate
from parabench.certificates.services import Actor
from parabench.coordination.models import CoordinatorView
from tests.certificates.factories import issue_certificate_for, new_csr, use_test_ca
from tests.coordination.factories import ConsentFactory, CoordinatorFactory
from tests.test_i18n import read_po
from tests.uploads.factories import upload_export

pytestmark = pytest.mark.django_db

# Words that only English pages carry: Django's, django-axes', django-tasks' and django-otp's own
# texts, and the names Django stores for its permissions ("Can add user"). Words that Dutch
# shares (is, in, of, over, status, filter, code, app, user agent ...) are not giveaways.
ENGLISH = {
    "the", "and", "to", "Add", "Change", "Delete", "Search", "Select", "Access",
    "attempts", "attempt", "failures", "logs", "Task", "Results", "Model", "link", "view",
    "list", "Backend", "Database", "Tasks", "Time", "Data", "Address", "Agent", "Logins",
    "Locked", "Failed", "Running", "Ready", "Successful", "Path", "Username", "Yes", "No",
    "priority", "enqueued", "finished", "started", "worker", "queue", "Certificates",
    "Practices", "Accounts", "Uploads", "Axes", "Expires", "Remaining", "all", "None",
    "After", "you", "edit", "options", "another",
    # Django's permission names, django-otp's models, fields, help texts and fieldsets
    "Can", "can", "Otp", "Totp", "Otp_Totp", "Otp_Static", "device", "devices", "Device",
    "Devices", "Identity", "Timestamps", "Configuration", "State", "Throttling", "Confirmed",
    "confirmed", "Created", "created", "Last", "last", "used", "Used", "throttling", "failure",
    "Failure", "count", "Count", "timestamp", "Timestamp", "Key", "key", "Step", "step",
    "Digits", "digits", "Tolerance", "tolerance", "Drift", "drift", "Token", "token",
    "Tokens", "tokens", "static", "Static", "human", "readable", "belongs", "ready", "Number",
    "successive", "failed", "seconds", "counting", "steps", "past", "future", "allow",
    "known", "deviate", "clock", "verified", "must", "higher", "encoded", "secret",
    "User", "Name", "Email", "email", "address", "or", "by", "Install", "below",
    # Django's admin and forms
    "this", "that", "for", "with", "from", "your", "are", "be", "has", "have", "will", "not",
    "when", "what", "which", "there", "been", "an", "on", "at", "Save", "Close", "Show",
    "Hide", "Today", "Now", "Clear", "Log", "Welcome", "Home", "View", "History",
    "Documentation", "Recent", "actions", "My", "continue", "editing", "Actions", "Go",
    "selected", "Choose", "Remove", "Available", "Chosen", "Date", "Error", "Please",
    "correct", "errors", "Password", "password", "Groups", "Permissions", "Active", "Staff",
    "Superuser", "First", "Important", "dates", "joined", "login",
}  # fmt: skip

# Attributes whose text a person sees (a tooltip, a button, an image's text) or hears.
VISIBLE_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder"}


class VisibleText(HTMLParser):
    """The texts of a page a person sees or hears: its title and body text, tooltips, image
    texts, labels for screen readers and the words on buttons; not scripts or styles."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self.skipping += 1
        self.texts += [attrs[a] for a in VISIBLE_ATTRIBUTES if attrs.get(a)]
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset"):
            self.texts.append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.texts.append(data)


def visible_words(page: str) -> set[str]:
    """The words of the page's visible texts. Only tokens of letters between spaces count, so
    that the letters of a certificate, a key or a hash are never taken for words."""
    parser = VisibleText()
    parser.feed(page)
    words = set()
    for text in parser.texts:
        for token in html.unescape(text).split():
            for part in re.split(r"[-'’]", token.strip('.,:;!?()[]{}"“”«»…|*')):
                if re.fullmatch(r"[A-Za-z_]+", part):
                    words.add(part)
    return words


def english_on(client: Client, paths) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        english = visible_words(response.content.decode()) & ENGLISH
        if english:
            found[path] = sorted(english)
    return found


# --- One record of every registered model, made the way the portal makes them ------------------


@pytest.fixture
def one_of_each(settings, tmp_path, operator, network, practice_a, user_a, password):
    settings.UPLOAD_STORAGE_DIR = tmp_path / "uploads"
    use_test_ca(settings, tmp_path / "ca")
    # Logins through the login page: django-axes logs the good one and counts the wrong one
    # (and, with its failure log switched on, logs that one too).
    settings.AXES_ENABLE_ACCESS_FAILURE_LOG = True
    Client().post(reverse("login"), {"username": "anna", "password": password})
    Client().post(reverse("login"), {"username": "anna", "password": "fout-wachtwoord"})
    issue_certificate_for(practice_a)  # a certificate and its events
    issue_vendor_certificate("Fysiosoft BV", new_csr(), email="info@fysiosoft.nl", actor=Actor())
    upload_export(practice_a)  # an import and its queued task
    CoordinatorView.objects.create(
        user=CoordinatorFactory(network=network).user, network=network, page="trend"
    )
    ConsentFactory(practice=practice_a, by=user_a)
    group = Group.objects.create(name="Helpdesk")
    group.permissions.set(Permission.objects.all())
    recovery = StaticDevice.objects.create(user=operator, name="recovery")
    recovery.token_set.create(token="abcdefgh")


def back_office_pages(operator):
    """Every page of the back office an operator can open from its menus, lists and forms."""
    request = RequestFactory().get("/")
    request.user = operator
    yield reverse("admin:index")
    for app_label in sorted({model._meta.app_label for model in admin.site._registry}):
        yield reverse("admin:app_list", args=[app_label])
    for model, model_admin in admin.site._registry.items():
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        record = model._default_manager.order_by("pk").first()
        assert record is not None, f"the world has no {model.__name__} to open"
        yield reverse(f"{name}_changelist")
        if model_admin.has_add_permission(request):  # audit trails: nobody adds by hand
            yield reverse(f"{name}_add")
        yield reverse(f"{name}_change", args=[record.pk])
        yield reverse(f"{name}_history", args=[record.pk])


def test_every_back_office_page_is_dutch(operator_client, operator, one_of_each):
    assert english_on(operator_client, back_office_pages(operator)) == {}


def test_every_form_to_add_one_of_our_own_records_is_dutch(operator_client):
    """Among them "add user": Django's own sentence above that form ("After you've created a
    user, ...") has no Dutch in Django's catalogue, so the back office says it itself."""
    paths = []
    for model in admin.site._registry:
        if not model.__module__.startswith("parabench."):
            continue
        path = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        if operator_client.get(path).status_code == 403:  # audit trails: nobody adds by hand
            continue
        paths.append(path)
    assert reverse("admin:accounts_user_add") in paths
    assert english_on(operator_client, paths) == {}


def test_the_check_finds_english_on_a_page_in_english(operator_client):
    operator_client.cookies["django_language"] = "en"
    page = operator_client.get(reverse("admin:index")).content.decode()
    assert visible_words(page) & ENGLISH


def test_the_check_reads_buttons_tooltips_and_the_title_but_not_scripts():
    page = (
        "<html><head><title>Site administration</title><script>var the = 1;</script></head>"
        '<body><input type="submit" value="Save"><a title="Show all">x</a>'
        "<p>MIIBIjANBgkqhkiG9w0BAQ8the+AMIIBCgKCAQEA</p></body></html>"
    )
    assert visible_words(page) & ENGLISH == {"Save", "Show", "all"}


# --- Permissions, django-otp and the admin's JavaScript, in either language --------------------


def test_permissions_are_named_in_the_operators_language(operator_client):
    path = reverse("admin:auth_group_add")
    dutch = operator_client.get(path).content.decode()
    assert "Authenticatie en autorisatie | groep | Kan groep toevoegen" in dutch
    assert "Kan gebruiker verwijderen" in dutch
    assert "Can add" not in dutch
    operator_client.cookies["django_language"] = "en"
    english = operator_client.get(path).content.decode()
    assert "Authentication and Authorization | group | Can add group" in english
    assert "Can delete user" in english


def test_two_factor_devices_keep_django_otps_english_in_english(operator_client):
    """The English back office shows django-otp's own texts, the Dutch one ours."""
    path = reverse("admin:otp_totp_totpdevice_change", args=[TOTPDevice.objects.get().pk])
    dutch = operator_client.get(path).content.decode()
    assert "De tijdstap in seconden." in dutch
    operator_client.cookies["django_language"] = "en"
    english = operator_client.get(path).content.decode()
    assert "The time step in seconds." in english


def test_django_otps_texts_stay_out_of_the_migrations():
    """Its texts became lazy translations here; its migrations must not notice."""
    from django.core.management import call_command

    call_command("makemigrations", "otp_totp", "otp_static", "--check", "--dry-run", verbosity=0)


DJANGO_ADMIN_LOCALE = Path(django.__file__).parent / "contrib" / "admin" / "locale"


def test_every_text_of_djangos_admin_has_dutch():
    """Django 5.2's own Dutch lacks a few newer admin texts; parabench/locale/nl adds them."""
    catalogue = translation.trans_real.translation("nl")._catalog
    missing = []
    for entry in read_po(DJANGO_ADMIN_LOCALE / "en" / "LC_MESSAGES" / "django.po"):
        key = entry["msgid"]
        key = f"{entry['msgctxt']}\x04{key}" if "msgctxt" in entry else key
        if (key if "msgid_plural" not in entry else (key, 0)) not in catalogue:
            missing.append(entry["msgid"])
    assert missing == []


def test_every_text_of_the_admins_javascript_has_dutch(operator_client):
    """The two-list widget of the group and user pages and the date widgets write their texts
    with the admin's JavaScript catalogue (admin:jsi18n), which parabench/locale/nl completes."""
    script = operator_client.get(reverse("admin:jsi18n")).content.decode()
    served = json.loads(re.search(r"const newcatalog = (\{.*?\});", script, re.S).group(1))
    expected = [
        f"{entry['msgctxt']}\x04{entry['msgid']}" if "msgctxt" in entry else entry["msgid"]
        for entry in read_po(DJANGO_ADMIN_LOCALE / "en" / "LC_MESSAGES" / "djangojs.po")
    ]
    assert [key for key in expected if key not in served] == []
