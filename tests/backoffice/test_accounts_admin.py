import re

import pytest
from django.core import mail
from django.urls import reverse

from parabench.accounts.models import User

pytestmark = pytest.mark.django_db


def add_user(client, practice):
    return client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "petra",
            "email": "petra@fysio.nl",
            "first_name": "Petra",
            "last_name": "de Vries",
            "practice": practice.pk,
        },
    )


def test_operator_adds_a_user_who_gets_two_emails_without_a_password(operator_client, practice_a):
    response = add_user(operator_client, practice_a)
    assert response.status_code == 302
    user = User.objects.get(username="petra")
    assert user.practice == practice_a
    assert not user.has_usable_password()
    assert [m.subject for m in mail.outbox] == ["Welkom bij ParaBench", "Inloggegevens ParaBench"]
    credentials = mail.outbox[1].body
    assert "petra" in credentials
    assert "/wachtwoord/instellen/" in credentials
    assert "wachtwoord:" not in credentials.lower()


def test_the_link_in_the_credentials_email_sets_a_password_once(
    operator_client, practice_a, anonymous_client
):
    add_user(operator_client, practice_a)
    link = re.search(r"https?://\S+/wachtwoord/instellen/\S+", mail.outbox[1].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form_page = anonymous_client.get("/" + path, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    new_password = "zomer-fysio-2026!"
    anonymous_client.post(set_url, {"new_password1": new_password, "new_password2": new_password})
    assert User.objects.get(username="petra").check_password(new_password)
    reused = anonymous_client.get("/" + path, follow=True)
    assert "niet (meer) geldig" in reused.content.decode()


def test_the_emails_link_to_the_address_the_portal_actually_runs_on(
    operator_client, practice_a, settings
):
    settings.PORTAL_URL = "http://127.0.0.1:8000"  # the default, not where this portal runs
    settings.ALLOWED_HOSTS = ["portaal.example.nl"]
    operator_client.defaults["HTTP_HOST"] = "portaal.example.nl:8080"
    add_user(operator_client, practice_a)
    for message in mail.outbox:
        assert "127.0.0.1:8000" not in message.body
    credentials = mail.outbox[1].body
    assert "Portaal: http://portaal.example.nl:8080\n" in credentials
    assert "http://portaal.example.nl:8080/wachtwoord/instellen/" in credentials


def test_a_too_short_password_is_refused_in_dutch(operator_client, practice_a, anonymous_client):
    add_user(operator_client, practice_a)
    link = re.search(r"https?://\S+/wachtwoord/instellen/\S+", mail.outbox[1].body).group(0)
    form_page = anonymous_client.get("/" + link.split("://", 1)[1].split("/", 1)[1], follow=True)
    set_url = form_page.redirect_chain[-1][0]
    page = anonymous_client.post(set_url, {"new_password1": "kort", "new_password2": "kort"})
    body = page.content.decode()
    assert "Dit wachtwoord is te kort: het moet minstens 10 tekens bevatten." in body
    assert "too short" not in body and "must contain" not in body
