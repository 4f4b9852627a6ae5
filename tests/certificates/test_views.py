"""Aanvullende praktijkgegevens with personas: A, B, a practice elsewhere, operator, anonymous."""

import datetime as dt
import re

import pytest
from cryptography.hazmat.primitives.serialization import pkcs12
from django.urls import reverse
from django.utils import timezone

from parabench.certificates.models import CertificateEvent, ClientCertificate
from parabench.practices.models import Practice
from tests.certificates.factories import issue_certificate_for

pytestmark = pytest.mark.django_db


def _token(response) -> str:
    return re.search(r'name="issue_token" value="([^"]+)"', response.content.decode()).group(1)


def _issue_through_the_page(client) -> ClientCertificate:
    page = client.get(reverse("certificates:details"))
    client.post(reverse("certificates:issue"), {"issue_token": _token(page)})
    return ClientCertificate.objects.latest("pk")


def _certificate_urls(certificate) -> list[tuple[str, str]]:
    return [
        ("post", reverse("certificates:download", args=[certificate.pk])),
        ("get", reverse("certificates:block", args=[certificate.pk])),
        ("post", reverse("certificates:block", args=[certificate.pk])),
    ]


def test_the_profile_links_to_the_additional_practice_details(client_a):
    response = client_a.get(reverse("practices:profile"))
    assert "Aanvullende praktijkgegevens" in response.content.decode()
    assert reverse("certificates:details") in response.content.decode()


def test_the_page_lists_the_practice_certificates_with_every_column(client_a, practice_a):
    issue_certificate_for(practice_a)
    html = client_a.get(reverse("certificates:details")).content.decode()
    for heading in (
        "Certificaten",
        "Certificaat#",
        "Naam",
        "Datum start",
        "Datum eind",
        "Geblokkeerd",
        "Gedownload",
        "Certificaat uitgeven",
    ):
        assert heading in html
    assert "Fysiotherapie Parabench (AGB 04123451)" in html


def test_a_user_issues_a_certificate_and_sees_it_at_once(client_a, practice_a, user_a):
    page = client_a.get(reverse("certificates:details"))
    response = client_a.post(
        reverse("certificates:issue"), {"issue_token": _token(page)}, follow=True
    )
    certificate = ClientCertificate.objects.get(practice=practice_a)
    html = response.content.decode()
    assert f'data-certificate="{certificate.pk}"' in html
    assert "Certificaat 1 is uitgegeven" in html
    assert reverse("certificates:download", args=[certificate.pk]) in html
    event = CertificateEvent.objects.get(action="issued")
    assert (event.user, event.ip_address) == (user_a, "127.0.0.1")


def test_a_double_click_on_certificaat_uitgeven_creates_one_certificate(client_a, practice_a):
    page = client_a.get(reverse("certificates:details"))
    token = _token(page)
    first = client_a.post(reverse("certificates:issue"), {"issue_token": token}, follow=True)
    second = client_a.post(reverse("certificates:issue"), {"issue_token": token}, follow=True)
    assert ClientCertificate.objects.filter(practice=practice_a).count() == 1
    assert "Certificaat 1 is uitgegeven" in first.content.decode()
    assert "Certificaat 1 is uitgegeven" in second.content.decode()


def test_issuing_without_the_form_token_is_refused_with_a_dutch_message(client_a):
    response = client_a.post(reverse("certificates:issue"), {}, follow=True)
    assert "Het formulier is verlopen" in response.content.decode()
    assert not ClientCertificate.objects.exists()


def test_issuing_for_a_cancelled_practice_is_refused_with_a_reason(client_a, practice_a):
    page = client_a.get(reverse("certificates:details"))
    token = _token(page)
    Practice.objects.filter(pk=practice_a.pk).update(status=Practice.Status.CANCELLED)
    response = client_a.post(reverse("certificates:issue"), {"issue_token": token}, follow=True)
    assert response.status_code == 200
    assert "abonnement opgezegd" in response.content.decode()
    assert not ClientCertificate.objects.exists()
    assert 'name="issue_token"' not in response.content.decode()


def test_the_download_is_a_pfx_named_after_the_agb_code_and_number(client_a, practice_a):
    issue_certificate_for(practice_a)  # number 1, already downloaded
    certificate = _issue_through_the_page(client_a)
    response = client_a.post(reverse("certificates:download", args=[certificate.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-pkcs12"
    assert response["Content-Disposition"] == 'attachment; filename="ParaBench-04123451-2.pfx"'
    key, cert, _ = pkcs12.load_key_and_certificates(response.content, None)
    assert key is not None and cert.serial_number == int(certificate.serial_hex, 16)
    page = client_a.get(reverse("certificates:details")).content.decode()
    assert reverse("certificates:download", args=[certificate.pk]) not in page


def test_a_second_download_is_refused_with_a_dutch_explanation(client_a, practice_a):
    certificate = _issue_through_the_page(client_a)
    url = reverse("certificates:download", args=[certificate.pk])
    assert client_a.post(url).status_code == 200
    again = client_a.post(url)
    assert again.status_code == 409
    assert again["Content-Type"].startswith("text/html")
    assert "geef een nieuw certificaat uit" in again.content.decode()
    assert 'data-code="certificate_already_downloaded"' in again.content.decode()


def test_a_blocked_certificate_cannot_be_downloaded(client_a, practice_a):
    certificate = _issue_through_the_page(client_a)
    client_a.post(reverse("certificates:block", args=[certificate.pk]))
    response = client_a.post(reverse("certificates:download", args=[certificate.pk]))
    assert response.status_code == 409
    assert 'data-code="certificate_blocked"' in response.content.decode()


def test_downloading_with_get_is_not_allowed(client_a, practice_a):
    certificate = _issue_through_the_page(client_a)
    response = client_a.get(reverse("certificates:download", args=[certificate.pk]))
    assert response.status_code == 405
    certificate.refresh_from_db()
    assert certificate.sealed_key is not None


def test_blocking_asks_for_confirmation_first_and_then_is_final(client_a, practice_a, user_a):
    certificate, _ = issue_certificate_for(practice_a)
    confirm = client_a.get(reverse("certificates:block", args=[certificate.pk]))
    assert "kan niet ongedaan worden gemaakt" in confirm.content.decode()
    certificate.refresh_from_db()
    assert certificate.blocked_at is None
    response = client_a.post(reverse("certificates:block", args=[certificate.pk]), follow=True)
    certificate.refresh_from_db()
    assert certificate.blocked_at is not None and certificate.blocked_by == user_a
    html = response.content.decode()
    assert "Certificaat 1 is geblokkeerd" in html
    assert reverse("certificates:block", args=[certificate.pk]) not in html


def test_the_list_warns_thirty_days_before_a_certificate_expires(client_a, practice_a):
    now = timezone.now()
    issue_certificate_for(
        practice_a, not_before=now - dt.timedelta(days=1000), not_after=now + dt.timedelta(days=20)
    )
    issue_certificate_for(practice_a)
    html = client_a.get(reverse("certificates:details")).content.decode()
    assert html.count('data-warning="expiring"') == 1
    assert "Verloopt over 19 dagen" in html or "Verloopt over 20 dagen" in html


def test_practice_b_sees_none_of_practice_a_certificates(client_b, practice_a):
    certificate, _ = issue_certificate_for(practice_a)
    html = client_b.get(reverse("certificates:details")).content.decode()
    assert "04123451" not in html
    assert f'data-certificate="{certificate.pk}"' not in html


def test_practice_b_gets_404_for_practice_a_certificate_ids_on_every_url(
    client_b, client_elsewhere, practice_a, practice_b
):
    undownloaded = _issue_for_a_without_download(practice_a)
    downloaded, _ = issue_certificate_for(practice_a)
    issue_certificate_for(practice_b)  # B has certificates of its own, with the same numbers
    for certificate in (undownloaded, downloaded):
        for client in (client_b, client_elsewhere):
            for method, url in _certificate_urls(certificate):
                assert getattr(client, method)(url).status_code == 404, (method, url)
    undownloaded.refresh_from_db()
    assert undownloaded.sealed_key is not None and undownloaded.blocked_at is None
    assert (
        not CertificateEvent.objects.filter(
            certificate__practice=practice_a, action__in=["downloaded", "blocked"]
        )
        .exclude(certificate=downloaded)
        .exists()
    )


def _issue_for_a_without_download(practice):
    from parabench.certificates import services

    certificate, _ = services.issue_certificate(practice, actor=services.Actor())
    return certificate


def test_anonymous_visitors_are_sent_to_login_on_every_certificate_url(
    anonymous_client, practice_a
):
    certificate = _issue_for_a_without_download(practice_a)
    urls = [("get", reverse("certificates:details")), ("post", reverse("certificates:issue"))]
    for method, url in urls + _certificate_urls(certificate):
        response = getattr(anonymous_client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    assert ClientCertificate.objects.count() == 1


def test_an_operator_without_a_practice_gets_404_on_the_practice_pages(operator_client, practice_a):
    certificate = _issue_for_a_without_download(practice_a)
    assert operator_client.get(reverse("certificates:details")).status_code == 404
    for method, url in _certificate_urls(certificate):
        assert getattr(operator_client, method)(url).status_code == 404


def test_the_crl_and_ca_certificate_are_public(anonymous_client, practice_a):
    from cryptography import x509

    blocked, _ = issue_certificate_for(practice_a, blocked=True)
    pem = anonymous_client.get(reverse("certificates:crl_pem"))
    der = anonymous_client.get(reverse("certificates:crl_der"))
    ca = anonymous_client.get(reverse("certificates:ca_pem"))
    assert pem.status_code == der.status_code == ca.status_code == 200
    assert der["Content-Type"] == "application/pkix-crl"
    crl = x509.load_der_x509_crl(der.content)
    ca_certificate = x509.load_pem_x509_certificate(ca.content)
    assert crl.is_signature_valid(ca_certificate.public_key())
    assert crl.get_revoked_certificate_by_serial_number(int(blocked.serial_hex, 16))
    assert x509.load_pem_x509_crl(pem.content).next_update_utc > timezone.now()


# --- Certificates by request (issue 20) --------------------------------------------------------


def _csr_pem() -> bytes:
    from tests.certificates.factories import new_csr

    return new_csr()


def test_a_pasted_csr_is_signed_for_the_practice_and_its_pem_offered(client_a, practice_a):
    response = client_a.post(reverse("certificates:sign_csr"), {"csr": _csr_pem().decode()})
    assert response.status_code == 200
    row = ClientCertificate.objects.get(practice=practice_a)
    assert row.certificate_pem in response.content.decode()
    pem = client_a.get(reverse("certificates:certificate_pem", args=[row.pk]))
    assert pem.content.decode() == row.certificate_pem
    assert b"PRIVATE KEY" not in pem.content


def test_an_uploaded_csr_file_is_signed_too(client_a, practice_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("praktijk.csr", _csr_pem())
    response = client_a.post(reverse("certificates:sign_csr"), {"csr_file": upload})
    assert response.status_code == 200
    assert ClientCertificate.objects.get(practice=practice_a).origin == "csr"


def test_a_bad_csr_gets_a_dutch_refusal_not_a_500(client_a):
    response = client_a.post(reverse("certificates:sign_csr"), {"csr": "geen verzoek"})
    assert response.status_code == 422
    assert "geen leesbaar certificaatverzoek" in response.content.decode()


def test_another_practice_cannot_read_a_certificate_pem(client_a, client_b, practice_a):
    client_a.post(reverse("certificates:sign_csr"), {"csr": _csr_pem().decode()})
    row = ClientCertificate.objects.get(practice=practice_a)
    assert client_b.get(reverse("certificates:certificate_pem", args=[row.pk])).status_code == 404


def test_the_request_code_is_shown_once_with_the_command_to_run(client_a, practice_a):
    response = client_a.post(reverse("certificates:request_code"))
    html = response.content.decode()
    assert "parabench-client certificaat aanvragen --code" in html
    assert practice_a.certificate_request_codes.count() == 1


def test_a_requested_certificate_offers_its_pem_but_no_pfx_download(client_a, practice_a):
    client_a.post(reverse("certificates:sign_csr"), {"csr": _csr_pem().decode()})
    row = ClientCertificate.objects.get(practice=practice_a)
    html = client_a.get(reverse("certificates:details")).content.decode()
    assert reverse("certificates:certificate_pem", args=[row.pk]) in html
    assert reverse("certificates:download", args=[row.pk]) not in html
    assert 'data-origin="csr"' in html
