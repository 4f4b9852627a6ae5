"""The acceptance CA: vendors' certificates, issued in the back office, never reach statistics."""

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.urls import reverse

from parabench.certificates import pki
from parabench.certificates.ca import get_acceptance_ca, get_ca
from parabench.certificates.lookup import identify_for_validation, identify_practice
from parabench.certificates.models import VendorCertificate
from parabench_client.certrequest import csr_pem
from tests.certificates.factories import issue_certificate_for

pytestmark = pytest.mark.django_db


def vendor_csr():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key, csr_pem(key)


def issue_in_the_back_office(operator_client, vendor="Fysiosoft BV"):
    _key, csr = vendor_csr()
    response = operator_client.post(
        reverse("admin:certificates_vendorcertificate_add"),
        {"vendor": vendor, "email": "test@fysiosoft.nl", "csr": csr},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return VendorCertificate.objects.get(vendor=vendor)


def test_an_operator_issues_a_vendor_certificate_from_the_acceptance_ca(operator_client):
    row = issue_in_the_back_office(operator_client)
    issued = pki.load_certificate(row.certificate_pem)
    assert issued.issuer.rfc4514_string().startswith("CN=ParaBench Acceptatie CA,")
    assert pki.is_issued_by(issued, get_acceptance_ca().certificate)
    assert not pki.is_issued_by(issued, get_ca().certificate)
    pem = operator_client.get(
        reverse("admin:certificates_vendorcertificate_pem", args=[row.pk])
    ).content.decode()
    assert pem == row.certificate_pem and "PRIVATE KEY" not in pem


def test_a_bad_vendor_csr_is_a_form_error(operator_client):
    response = operator_client.post(
        reverse("admin:certificates_vendorcertificate_add"),
        {"vendor": "X", "csr": "geen verzoek"},
    )
    assert response.status_code == 200
    assert "geen leesbaar certificaatverzoek" in response.content.decode()
    assert not VendorCertificate.objects.exists()


def test_the_production_path_refuses_it_and_the_validation_path_accepts_it(
    operator_client, practice_a
):
    row = issue_in_the_back_office(operator_client)
    production = identify_practice(row.certificate_pem)
    assert (production.ok, production.code, production.practice) == (
        False,
        "certificate_acceptance_only",
        None,
    )
    validation = identify_for_validation(row.certificate_pem)
    assert (validation.ok, validation.environment, validation.vendor) == (True, "acceptance", row)
    assert validation.practice is None

    # A practice's production certificate works on both paths.
    certificate, _pfx = issue_certificate_for(practice_a)
    assert identify_practice(certificate.certificate_pem).ok
    both = identify_for_validation(certificate.certificate_pem)
    assert (both.ok, both.environment, both.practice) == (True, "production", practice_a)


def test_a_blocked_or_unknown_vendor_certificate_is_refused_on_the_validation_path(
    operator_client,
):
    from parabench.certificates.acceptance import block_vendor_certificate

    row = issue_in_the_back_office(operator_client)
    block_vendor_certificate(row)
    assert identify_for_validation(row.certificate_pem).code == "certificate_blocked"
    # Signed by the acceptance CA but not in the database (e.g. a copied CA key): unknown.
    _key, csr = vendor_csr()
    stray = pki.sign_csr(
        get_acceptance_ca(),
        pki.load_csr(csr),
        subject=pki.client_subject("Fysio", "04123451"),
    )
    assert identify_for_validation(stray).code == "certificate_unknown"
    # ... and a stray acceptance certificate claiming a practice is still not production.
    assert identify_practice(stray).code == "certificate_acceptance_only"


def test_the_crl_covers_the_acceptance_ca_too(operator_client):
    from cryptography import x509

    from parabench.certificates.acceptance import block_vendor_certificate
    from parabench.certificates.lookup import current_crl

    row = issue_in_the_back_office(operator_client)
    block_vendor_certificate(row)
    pems = current_crl("pem").split(b"-----END X509 CRL-----")[:-1]
    crls = [x509.load_pem_x509_crl(p + b"-----END X509 CRL-----\n") for p in pems]
    acceptance = [c for c in crls if "Acceptatie" in c.issuer.rfc4514_string()]
    assert len(acceptance) == 1
    assert acceptance[0].get_revoked_certificate_by_serial_number(int(row.serial_hex, 16))
