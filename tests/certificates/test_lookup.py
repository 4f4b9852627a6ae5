"""identify_practice: one test per answer the uploader can get."""

import datetime as dt

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.utils import timezone

from parabench.certificates import pki
from parabench.certificates.ca import get_ca
from parabench.certificates.lookup import (
    CODES,
    CertificateCheck,
    ca_certificate_pem,
    ca_paths,
    current_crl,
    identify_practice,
)
from tests.certificates.factories import issue_certificate_for

pytestmark = pytest.mark.django_db


def _certificate(pfx):
    return pkcs12.load_key_and_certificates(pfx, None)[1]


def test_a_valid_certificate_identifies_its_practice_in_every_input_form(practice_a):
    row, pfx = issue_certificate_for(practice_a)
    certificate = _certificate(pfx)
    der = certificate.public_bytes(serialization.Encoding.DER)
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    for form in (certificate, der, pem, pem.decode()):
        check = identify_practice(form)
        assert isinstance(check, CertificateCheck)
        assert (check.ok, check.code, check.practice, check.certificate) == (
            True,
            "ok",
            practice_a,
            row,
        )


def test_it_refuses_a_blocked_certificate(practice_a):
    row, pfx = issue_certificate_for(practice_a, blocked=True)
    check = identify_practice(_certificate(pfx))
    assert (check.ok, check.code, check.practice, check.certificate) == (
        False,
        "certificate_blocked",
        None,
        row,
    )
    assert "geblokkeerd" in check.message and "blocked" in check.message_en


def test_blocking_takes_effect_at_the_next_lookup(practice_a):
    from parabench.certificates import services

    row, pfx = issue_certificate_for(practice_a)
    assert identify_practice(_certificate(pfx)).ok
    services.block_certificate(row, actor=services.Actor())
    assert identify_practice(_certificate(pfx)).code == "certificate_blocked"


def test_it_refuses_an_expired_certificate(practice_a):
    past = timezone.now() - dt.timedelta(days=800)
    _row, pfx = issue_certificate_for(
        practice_a, not_before=past, not_after=past + dt.timedelta(days=365)
    )
    check = identify_practice(_certificate(pfx))
    assert (check.ok, check.code) == (False, "certificate_expired")
    assert "verlopen" in check.message


def test_it_refuses_a_certificate_that_is_not_valid_yet(practice_a):
    future = timezone.now() + dt.timedelta(days=2)
    _row, pfx = issue_certificate_for(practice_a, not_before=future)
    check = identify_practice(_certificate(pfx))
    assert (check.ok, check.code) == (False, "certificate_not_yet_valid")
    assert identify_practice(_certificate(pfx), at=future + dt.timedelta(hours=1)).ok


def test_validity_is_judged_at_the_given_moment(practice_a):
    row, pfx = issue_certificate_for(practice_a)
    later = row.not_after + dt.timedelta(seconds=1)
    assert identify_practice(_certificate(pfx), at=later).code == "certificate_expired"


def test_a_certificate_signed_by_our_ca_but_unknown_to_the_database_is_unknown(practice_a):
    stray = pki.issue_client_certificate(get_ca(), practice_name="Stray", agb_code="04123451")
    check = identify_practice(stray.certificate)
    assert (check.ok, check.code, check.certificate) == (False, "certificate_unknown", None)


def test_a_certificate_from_a_foreign_ca_is_refused_even_with_our_name(practice_a):
    _row, pfx = issue_certificate_for(practice_a)
    impostor = pki.create_ca("ParaBench CA")
    forged = pki.issue_client_certificate(
        impostor, practice_name="Fysiotherapie Parabench", agb_code="04123451"
    )
    check = identify_practice(forged.certificate)
    assert (check.ok, check.code) == (False, "certificate_foreign_issuer")
    assert "ParaBench CA" in check.message


@pytest.mark.parametrize("junk", [b"", b"\x30\x03\x02\x01\x00", "geen certificaat", b"\xff" * 40])
def test_junk_is_an_invalid_certificate_not_an_error(junk):
    check = identify_practice(junk)
    assert (check.ok, check.code, check.practice) == (False, "certificate_invalid", None)
    assert check.message and check.message_en


def test_every_code_has_a_dutch_and_an_english_message():
    from parabench.certificates.lookup import _MESSAGES_EN, _message_nl

    for code in CODES:
        assert _message_nl(code) and _MESSAGES_EN[code]


def test_the_tls_server_gets_the_ca_certificate_and_its_paths(settings):
    cert_path, key_path = ca_paths()
    assert cert_path.read_bytes() == ca_certificate_pem()
    assert key_path.stat().st_mode & 0o777 == 0o600
    assert cert_path == settings.CA_CERT_PATH


def test_current_crl_comes_in_pem_and_der():
    assert current_crl("pem").startswith(b"-----BEGIN X509 CRL-----")
    assert current_crl("der").startswith(b"\x30")
    with pytest.raises(ValueError):
        current_crl("txt")
