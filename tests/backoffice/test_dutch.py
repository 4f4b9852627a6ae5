"""The back office speaks Dutch on every page an operator opens: index, lists and forms."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

# Words that only English pages carry (Django's, django-axes' and django-tasks' own texts).
ENGLISH = {
    "the", "and", "to", "Add", "Change", "Delete", "Search", "Select", "Access",
    "attempts", "attempt", "failures", "logs", "Task", "Results", "Model", "link", "view",
    "list", "Backend", "Database", "Tasks", "Time", "Data", "Address", "Agent", "Logins",
    "Locked", "Failed", "Running", "Ready", "Successful", "Path", "Username", "Yes", "No",
    "priority", "enqueued", "finished", "started", "worker", "queue", "Certificates",
    "Practices", "Accounts", "Uploads", "Axes", "Expires", "Remaining", "all", "None",
    "After", "you", "edit", "options", "another",
}  # fmt: skip


def visible_words(html: str) -> set[str]:
    body = html[html.find("<body") :]
    body = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", body)
    text = re.sub(r"<[^>]+>", " ", body)
    return set(re.findall(r"[A-Za-z]+", text))


def admin_pages():
    yield reverse("admin:index")
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        yield reverse("admin:{}_{}_changelist".format(*info))
        yield reverse("admin:app_list", args=[info[0]])


def test_every_back_office_page_is_dutch(operator_client):
    found = {}
    for path in admin_pages():
        response = operator_client.get(path)
        assert response.status_code == 200, path
        english = visible_words(response.content.decode()) & ENGLISH
        if english:
            found[path] = sorted(english)
    assert found == {}


def test_every_form_to_add_one_of_our_own_records_is_dutch(operator_client):
    """Among them "add user": Django's own sentence above that form ("After you've created a
    user, ...") has no Dutch in Django's catalogue, so the back office says it itself."""
    found = {}
    checked = []
    for model in admin.site._registry:
        if not model.__module__.startswith("parabench."):
            continue
        path = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        response = operator_client.get(path)
        if response.status_code == 403:  # audit trails: nobody adds to them by hand
            continue
        assert response.status_code == 200, path
        checked.append(path)
        english = visible_words(response.content.decode()) & ENGLISH
        if english:
            found[path] = sorted(english)
    assert reverse("admin:accounts_user_add") in checked
    assert found == {}


def test_the_check_finds_english_on_a_page_in_english(operator_client):
    operator_client.cookies["django_language"] = "en"
    page = operator_client.get(reverse("admin:index")).content.decode()
    assert visible_words(page) & ENGLISH
