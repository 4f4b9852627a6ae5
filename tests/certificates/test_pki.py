"""Pure unit tests of the PKI module: no database, no files."""

import datetime as dt

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from parabench.certificates import pki
from tests.certificates.factories import agb_code_of


@pytest.fixture(scope="module")
def ca():
    return pki.create_ca("ParaBench Test CA")


@pytest.fixture(scope="module")
def issued(ca):
    return pki.issue_client_certificate(
        ca, practice_name="Fysiotherapie Parabench", agb_code="04123451"
    )


def test_the_ca_is_an_ec_p256_ca_that_signs_certificates_and_crls_only_one_level_deep(ca):
    certificate = ca.certificate
    assert isinstance(ca.key, ec.EllipticCurvePrivateKey)
    assert ca.key.curve.name == "secp256r1"
    constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 0
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.crl_sign
    assert certificate.subject == certificate.issuer
    assert pki.common_name_of(certificate) == "ParaBench Test CA"


def test_a_client_certificate_is_rsa_2048_sha256_for_client_auth_only(issued):
    certificate = issued.certificate
    assert isinstance(issued.key, rsa.RSAPrivateKey) and issued.key.key_size == 2048
    assert isinstance(certificate.signature_hash_algorithm, hashes.SHA256)
    eku = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert not certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_the_subject_names_the_practice_and_its_agb_code_with_leading_zero(issued):
    subject = issued.certificate.subject
    assert pki.common_name_of(issued.certificate) == "Fysiotherapie Parabench (AGB 04123451)"
    assert agb_code_of(issued.certificate) == "04123451"
    organisation = subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    assert organisation == "Fysiotherapie Parabench"


def test_a_long_practice_name_is_shortened_but_keeps_the_agb_code():
    name = pki.client_subject(
        "Praktijk voor Fysiotherapie en Manuele Therapie De Lange Weg", "04000001"
    )
    common_name = name.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert len(common_name) <= 64
    assert common_name.endswith("(AGB 04000001)")


def test_the_issuer_is_the_ca_and_the_signature_checks_out(ca, issued):
    assert issued.certificate.issuer == ca.certificate.subject
    assert pki.is_issued_by(issued.certificate, ca.certificate)


def test_a_certificate_from_another_ca_with_the_same_name_is_not_ours(ca):
    impostor = pki.create_ca("ParaBench Test CA")
    forged = pki.issue_client_certificate(impostor, practice_name="X", agb_code="04000002")
    assert forged.certificate.issuer == ca.certificate.subject
    assert not pki.is_issued_by(forged.certificate, ca.certificate)


def test_the_serial_is_random_up_to_20_bytes_and_kept_as_40_hex_digits(ca, issued):
    other = pki.issue_client_certificate(ca, practice_name="Y", agb_code="04000003")
    serial = pki.serial_hex(issued.certificate)
    assert len(serial) == 40 and int(serial, 16) == issued.certificate.serial_number
    assert serial != pki.serial_hex(other.certificate)


def test_the_default_validity_is_the_given_number_of_days_from_now(ca):
    now = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
    issued = pki.issue_client_certificate(
        ca, practice_name="Z", agb_code="04000004", not_before=now, validity_days=1095
    )
    assert issued.certificate.not_valid_before_utc == now
    end = now + pki.BACKDATE + dt.timedelta(days=1095)
    assert issued.certificate.not_valid_after_utc == end


def test_a_certificate_never_outlives_its_ca():
    short_ca = pki.create_ca("Short CA", days=10)
    issued = pki.issue_client_certificate(
        short_ca, practice_name="Z", agb_code="04000005", validity_days=1095
    )
    assert issued.certificate.not_valid_after_utc == short_ca.certificate.not_valid_after_utc


def test_the_fingerprint_is_sha256_of_the_der_encoding(issued):
    der = issued.certificate.public_bytes(serialization.Encoding.DER)
    assert (
        pki.fingerprint(issued.certificate) == issued.certificate.fingerprint(hashes.SHA256()).hex()
    )
    assert len(pki.fingerprint(issued.certificate)) == 64 and der


def test_load_certificate_accepts_der_pem_bytes_pem_text_and_objects(issued):
    certificate = issued.certificate
    der = certificate.public_bytes(serialization.Encoding.DER)
    pem = pki.certificate_pem(certificate)
    for form in (der, pem, pem.decode(), certificate, b"\n" + pem):
        assert pki.load_certificate(form) == certificate


@pytest.mark.parametrize("junk", [b"", b"not a certificate", "-----BEGIN CERTIFICATE-----\nxx", 42])
def test_load_certificate_refuses_junk_with_value_error(junk):
    with pytest.raises(ValueError):
        pki.load_certificate(junk)


def test_the_pfx_uses_3des_and_a_sha1_mac_with_an_empty_password(issued):
    data = pki.to_pkcs12(issued.certificate, issued.key, friendly_name="ParaBench 04123451-1")
    loaded = pkcs12.load_pkcs12(data, None)
    assert loaded.cert.certificate == issued.certificate
    assert loaded.cert.friendly_name == b"ParaBench 04123451-1"
    assert loaded.key.private_numbers() == issued.key.private_numbers()
    assert loaded.additional_certs == []
    # OID 1.2.840.113549.1.12.1.3 = pbeWithSHAAnd3-KeyTripleDES-CBC; 1.3.14.3.2.26 = SHA-1 (MAC).
    assert bytes.fromhex("2a864886f70d010c0103") in data
    assert bytes.fromhex("2b0e03021a") in data
    assert bytes.fromhex("2a864886f70d01050d") not in data  # no PBES2 (AES) anywhere


def test_a_sealed_key_opens_only_with_the_same_wrapping_key_and_fingerprint(issued):
    wrapping = pki.derive_wrapping_key("secret one")
    sealed = pki.seal_private_key(issued.key, wrapping, bound_to="abc")
    assert b"PRIVATE KEY" not in sealed
    opened = pki.open_private_key(sealed, wrapping, bound_to="abc")
    assert opened.private_numbers() == issued.key.private_numbers()
    with pytest.raises(InvalidTag):
        pki.open_private_key(sealed, pki.derive_wrapping_key("secret two"), bound_to="abc")
    with pytest.raises(InvalidTag):
        pki.open_private_key(sealed, wrapping, bound_to="another row")


def test_a_sealed_key_changed_in_any_byte_never_opens(issued):
    """What lets open_private_key skip RSA's consistency check: the AES-GCM tag refuses any
    change to the stored row, so the key that opens is the one that was made here."""
    wrapping = pki.derive_wrapping_key("secret one")
    sealed = pki.seal_private_key(issued.key, wrapping, bound_to="abc")
    for position in range(0, len(sealed), 97):
        changed = bytearray(sealed)
        changed[position] ^= 0x01
        with pytest.raises(InvalidTag):
            pki.open_private_key(bytes(changed), wrapping, bound_to="abc")


def test_the_crl_lists_revoked_serials_and_is_signed_by_the_ca(ca, issued):
    now = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
    serial = pki.serial_hex(issued.certificate)
    crl = pki.build_crl(ca, [(serial, now - dt.timedelta(hours=1))], now=now)
    assert crl.is_signature_valid(ca.key.public_key())
    assert crl.next_update_utc == now + pki.CRL_VALIDITY
    assert crl.last_update_utc == now
    revoked = crl.get_revoked_certificate_by_serial_number(issued.certificate.serial_number)
    assert revoked is not None
    number = crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    later = pki.build_crl(ca, [], now=now + dt.timedelta(days=1))
    assert later.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number > number
    assert x509.load_der_x509_crl(pki.crl_bytes(crl, "der")) == crl
    assert x509.load_pem_x509_crl(pki.crl_bytes(crl, "pem")) == crl
