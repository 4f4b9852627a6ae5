"""The back office: operators block any certificate and read the audit log, nothing more."""

import pytest
from django.urls import reverse

from parabench.certificates.models import CertificateEvent, ClientCertificate
from tests.certificates.factories import issue_certificate_for

pytestmark = pytest.mark.django_db


def test_an_operator_blocks_a_certificate_with_the_admin_action(
    operator_client, operator, practice_a
):
    certificate, _ = issue_certificate_for(practice_a)
    other, _ = issue_certificate_for(practice_a)
    response = operator_client.post(
        reverse("admin:certificates_clientcertificate_changelist"),
        {"action": "block_selected", "_selected_action": [certificate.pk]},
        follow=True,
        REMOTE_ADDR="203.0.113.5",
    )
    assert response.status_code == 200
    assert "1 certificaat geblokkeerd" in response.content.decode()
    certificate.refresh_from_db()
    other.refresh_from_db()
    assert certificate.blocked_by == operator and other.blocked_at is None
    event = CertificateEvent.objects.get(action="blocked")
    assert (event.certificate, event.username, event.is_operator, event.ip_address) == (
        certificate,
        "beheerder",
        True,
        "203.0.113.5",
    )


def test_the_operator_sees_the_audit_log_read_only(operator_client, practice_a):
    certificate, _ = issue_certificate_for(practice_a)
    changelist = operator_client.get(reverse("admin:certificates_certificateevent_changelist"))
    assert changelist.status_code == 200
    html = changelist.content.decode()
    assert "uitgegeven" in html and "gedownload" in html
    event = CertificateEvent.objects.filter(certificate=certificate).first()
    change_url = reverse("admin:certificates_certificateevent_change", args=[event.pk])
    assert operator_client.get(change_url).status_code == 200
    operator_client.post(change_url, {"username": "someone else"})
    event.refresh_from_db()
    assert event.username == ""
    delete_url = reverse("admin:certificates_certificateevent_delete", args=[event.pk])
    assert operator_client.post(delete_url, {"post": "yes"}).status_code == 403
    add_url = reverse("admin:certificates_certificateevent_add")
    assert operator_client.get(add_url).status_code == 403


def test_the_certificate_page_in_the_back_office_never_shows_the_sealed_key(
    operator_client, practice_a
):
    from parabench.certificates import services

    certificate, _ = services.issue_certificate(practice_a, actor=services.Actor())
    url = reverse("admin:certificates_clientcertificate_change", args=[certificate.pk])
    html = operator_client.get(url).content.decode()
    assert certificate.fingerprint_sha256 in html
    assert "sealed_key" not in html and "versleutelde sleutel" not in html
    assert (
        operator_client.get(reverse("admin:certificates_clientcertificate_add")).status_code == 403
    )
    assert ClientCertificate.objects.count() == 1


def test_practice_users_cannot_open_the_back_office(client_a, practice_a):
    issue_certificate_for(practice_a)
    response = client_a.get(reverse("admin:certificates_clientcertificate_changelist"))
    assert response.status_code == 302
