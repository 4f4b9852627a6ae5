"""Signing requests: key type and size are checked, the identity always comes from the portal."""

import datetime as dt

import pytest
import time_machine
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa
from cryptography.x509.oid import NameOID

from parabench.certificates import enrolment, pki
from parabench.certificates.models import CertificateEvent, ClientCertificate
from parabench.certificates.services import Actor, CertificateError
from tests.certificates.factories import agb_code_of

pytestmark = pytest.mark.django_db
ACTOR = Actor(ip_address="192.0.2.7")


def csr_for(key, common_name="ParaBench client", agb=None):
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if agb:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, agb))
    builder = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(attributes))
    builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
    algorithm = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    csr = builder.sign(key, algorithm)
    return csr.public_bytes(serialization.Encoding.PEM)


def rsa_key(bits=2048):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def test_the_subject_comes_from_the_portal_never_from_the_csr(practice_a, practice_b):
    forged = csr_for(rsa_key(), common_name=practice_b.name, agb=practice_b.agb_code)
    row, created = enrolment.issue_from_csr(practice_a, forged, actor=ACTOR)
    issued = pki.load_certificate(row.certificate_pem)
    assert created and agb_code_of(issued) == practice_a.agb_code
    assert practice_b.name not in issued.subject.rfc4514_string()
    # Nor is a CSR's request for a CA certificate honoured.
    assert issued.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert row.origin == "csr" and row.sealed_key is None
    event = CertificateEvent.objects.get(certificate=row)
    assert (event.action, event.ip_address) == ("requested", "192.0.2.7")


@pytest.mark.parametrize(
    ("make_key", "code"),
    [
        (lambda: rsa_key(1024), "csr_key_size"),
        (lambda: ec.generate_private_key(ec.SECP521R1()), "csr_key_size"),
        (lambda: ed25519.Ed25519PrivateKey.generate(), "csr_key_type"),
        (lambda: dsa.generate_private_key(2048), "csr_key_type"),
    ],
    ids=["rsa-1024", "ec-p521", "ed25519", "dsa"],
)
def test_keys_outside_the_profile_are_refused(practice_a, make_key, code):
    with pytest.raises(CertificateError) as refused:
        enrolment.issue_from_csr(practice_a, csr_for(make_key()), actor=ACTOR)
    assert refused.value.code == code
    assert not ClientCertificate.objects.exists()


def test_rsa_4096_and_ec_p256_are_accepted(practice_a):
    for key in (rsa_key(4096), ec.generate_private_key(ec.SECP256R1())):
        row, created = enrolment.issue_from_csr(practice_a, csr_for(key), actor=ACTOR)
        assert created
    assert ClientCertificate.objects.filter(practice=practice_a).count() == 2


def test_a_der_csr_ending_in_a_byte_that_looks_like_whitespace_is_accepted(practice_a):
    """DER is binary: a signature may end in 0x0a or 0x20 (1 CSR in ~40). Stripping it as if it
    were PEM text refused such a CSR as unreadable (seen as a flaky test in session 6)."""
    while True:
        der = x509.load_pem_x509_csr(csr_for(ec.generate_private_key(ec.SECP256R1())))
        der = der.public_bytes(serialization.Encoding.DER)
        if der[-1:].isspace():
            break
    row, created = enrolment.issue_from_csr(practice_a, der, actor=ACTOR)
    assert created


def test_a_csr_whose_signature_does_not_match_its_key_is_refused(practice_a):
    good = bytearray(
        x509.load_pem_x509_csr(csr_for(rsa_key())).public_bytes(serialization.Encoding.DER)
    )
    good[-5] ^= 0x01  # a bit of the signature
    with pytest.raises(CertificateError) as refused:
        enrolment.issue_from_csr(practice_a, bytes(good), actor=ACTOR)
    assert refused.value.code == "csr_signature_invalid"


def test_garbage_is_not_a_csr(practice_a):
    with pytest.raises(CertificateError) as refused:
        enrolment.issue_from_csr(
            practice_a, b"-----BEGIN CERTIFICATE REQUEST-----\nxx", actor=ACTOR
        )
    assert refused.value.code == "csr_invalid"


def test_the_same_key_sent_again_gets_the_same_certificate_and_never_a_second(
    practice_a, practice_b
):
    csr = csr_for(rsa_key())
    first, created = enrolment.issue_from_csr(practice_a, csr, actor=ACTOR)
    again, created_again = enrolment.issue_from_csr(practice_a, csr, actor=ACTOR)
    assert created and not created_again and again.pk == first.pk
    with pytest.raises(CertificateError) as refused:
        enrolment.issue_from_csr(practice_b, csr, actor=ACTOR)
    assert refused.value.code == "csr_key_reused"


def test_a_request_code_works_once_within_its_hour(practice_a):
    row, code = enrolment.create_request_code(practice_a, actor=ACTOR)
    assert len(code) == 14 and code.count("-") == 2
    assert code.replace("-", "") not in row.code_sha256  # only a hash is stored
    csr = csr_for(rsa_key())
    certificate = enrolment.redeem_request_code(code.lower(), csr, ip_address="192.0.2.9")
    assert certificate.practice == practice_a and certificate.downloaded_at is not None
    # A lost answer: the same request again returns the same certificate ...
    assert enrolment.redeem_request_code(code, csr).pk == certificate.pk
    # ... but another key cannot use the code again.
    with pytest.raises(CertificateError) as refused:
        enrolment.redeem_request_code(code, csr_for(rsa_key()))
    assert refused.value.code == "request_code_invalid"


def test_an_expired_or_unknown_code_is_refused_alike(practice_a):
    row, code = enrolment.create_request_code(practice_a, actor=ACTOR)
    csr = csr_for(rsa_key())
    with (
        time_machine.travel(row.expires_at + dt.timedelta(seconds=1), tick=False),
        pytest.raises(CertificateError) as late,
    ):
        enrolment.redeem_request_code(code, csr)
    with pytest.raises(CertificateError) as unknown:
        enrolment.redeem_request_code("AAAA-BBBB-CCCC", csr_for(rsa_key()))
    assert late.value.code == unknown.value.code == "request_code_invalid"
    assert late.value.message == unknown.value.message


def test_a_cancelled_practice_gets_no_code(practice_a):
    practice_a.status = "opgezegd"
    practice_a.save()
    with pytest.raises(CertificateError) as refused:
        enrolment.create_request_code(practice_a, actor=ACTOR)
    assert refused.value.code == "practice_cancelled"


def test_renewal_needs_a_new_key_and_leaves_the_old_certificate_valid(practice_a):
    from cryptography.hazmat.primitives.serialization import pkcs12

    from parabench.certificates.lookup import identify_practice
    from tests.certificates.factories import issue_certificate_for

    old, pfx = issue_certificate_for(practice_a)
    old_key, _cert, _extra = pkcs12.load_key_and_certificates(pfx, None)
    with pytest.raises(CertificateError) as refused:
        enrolment.renew(old, csr_for(old_key))
    assert refused.value.code == "csr_key_reused"
    new = enrolment.renew(old, csr_for(rsa_key()), ip_address="192.0.2.8")
    assert (new.origin, new.renewed_from, new.number) == ("renewal", old, 2)
    assert identify_practice(old.certificate_pem).ok and identify_practice(new.certificate_pem).ok
