"""The security page: the practice's certificate history and recent logins, nobody else's."""

import pytest
from django.test import Client
from django.urls import reverse

from parabench.accounts.models import LoginEvent
from parabench.certificates import enrolment, services
from tests.certificates.factories import issue_certificate_for, new_csr

pytestmark = pytest.mark.django_db


def test_the_security_page_shows_every_certificate_event_with_its_address(
    client_a, practice_a, user_a, practice_b
):
    actor = services.Actor(user=user_a, ip_address="198.51.100.4")
    old, _pfx = issue_certificate_for(practice_a, actor=actor)
    enrolment.renew(old, new_csr(), ip_address="198.51.100.5")
    services.block_certificate(old, actor=actor)
    issue_certificate_for(practice_b, actor=services.Actor(ip_address="203.0.113.66"))

    html = client_a.get(reverse("certificates:security")).content.decode()
    table = html[html.index('id="certificaat-historie"') :]
    table = table[: table.index("</table>")]
    for action in ("issued", "downloaded", "renewed", "blocked"):
        assert f'data-action="{action}"' in table
    assert "198.51.100.4" in table and "198.51.100.5" in table
    assert "203.0.113.66" not in html  # another practice's history


def test_recent_logins_of_the_practice_users_are_listed_with_failures(
    practice_a, user_a, user_b, password
):
    anna = Client(REMOTE_ADDR="192.0.2.10")
    anna.post(reverse("login"), {"username": "anna", "password": "fout"})
    anna.post(reverse("login"), {"username": "anna", "password": password})
    Client(REMOTE_ADDR="192.0.2.99").post(
        reverse("login"), {"username": "bram", "password": password}
    )
    html = anna.get(reverse("certificates:security")).content.decode()
    logins = html[html.index('id="inlog-historie"') :]
    assert 'data-action="password_failed"' in logins and 'data-action="password_ok"' in logins
    assert "192.0.2.10" in logins and "192.0.2.99" not in logins
    assert LoginEvent.objects.filter(username="bram").exists()


def test_the_security_page_needs_a_practice_login(anonymous_client, operator_client):
    assert anonymous_client.get(reverse("certificates:security")).status_code == 302
    assert operator_client.get(reverse("certificates:security")).status_code == 404
