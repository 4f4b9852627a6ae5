"""The ParaBench PKI as pure functions: no Django, no database, no files.

Everything here takes and returns ``cryptography`` objects or bytes, so it can be unit-tested alone
and reused by the management commands. The profile follows docs/certificates.md: an EC P-256 CA,
RSA-2048 client keys (the widest Windows support), SHA-256 signatures, random 20-byte serials and a
PKCS#12 that Windows 10/11 and Server 2016/2019 import with an empty password.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import PrivateFormat, pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEFAULT_CA_NAME = "ParaBench CA"
CA_VALIDITY_DAYS = 20 * 365
# Client certificates start a little in the past: a practice PC whose clock runs a few minutes
# behind would otherwise see a "not yet valid" certificate right after the download.
BACKDATE = dt.timedelta(minutes=5)
CRL_VALIDITY = dt.timedelta(days=7)
# OpenSSL's default for PKCS#12; Windows has no trouble with it.
PKCS12_KDF_ROUNDS = 2048
# X.509 limits these attributes to 64 characters (RFC 5280 upper bounds).
_MAX_NAME = 64


@dataclass(frozen=True)
class CertificateAuthority:
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class IssuedCertificate:
    certificate: x509.Certificate
    key: rsa.RSAPrivateKey


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_ca(
    name: str = DEFAULT_CA_NAME, *, now: dt.datetime | None = None, days: int = CA_VALIDITY_DAYS
) -> CertificateAuthority:
    """A self-signed CA that can sign client certificates and CRLs, nothing below it (pathlen 0)."""
    now = now or utcnow()
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ParaBench"),
            x509.NameAttribute(NameOID.COMMON_NAME, name[:_MAX_NAME]),
        ]
    )
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return CertificateAuthority(certificate=certificate, key=key)


def client_subject(practice_name: str, agb_code: str) -> x509.Name:
    """What Windows shows under "Verleend aan": the practice's name and AGB code.

    The AGB code also sits in the standard ``serialNumber`` attribute, so software can read it
    without parsing the common name.
    """
    suffix = f" (AGB {agb_code})"
    common_name = practice_name.strip()[: _MAX_NAME - len(suffix)] + suffix
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, practice_name.strip()[:_MAX_NAME]),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, agb_code),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def issue_client_certificate(
    ca: CertificateAuthority,
    *,
    practice_name: str,
    agb_code: str,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    validity_days: int = 3 * 365,
) -> IssuedCertificate:
    """A fresh RSA-2048 key and a clientAuth certificate for one practice, signed by ``ca``.

    The end date never passes the CA's own end date: a chain that expires earlier than its leaf
    would fail before the date the practice sees in the list.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = _client_certificate(
        ca,
        key.public_key(),
        client_subject(practice_name, agb_code),
        not_before,
        not_after,
        validity_days,
    )
    return IssuedCertificate(certificate=certificate, key=key)


# --- Certificates by request (CSR): the key stays with the practice ------------------------------

# Keys the portal signs: RSA from 2048 bits (Windows' widest support) up to 4096, or EC P-256/P-384.
RSA_MIN_BITS = 2048
RSA_MAX_BITS = 4096
EC_CURVES = ("secp256r1", "secp384r1")
MAX_CSR_BYTES = 16 * 1024


class CsrProblem(ValueError):
    """Why a CSR cannot be signed; ``code`` is stable for software and tests."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code)
        self.code = code
        self.detail = detail


def load_csr(data: bytes | str) -> x509.CertificateSigningRequest:
    """A PEM or DER CSR whose self-signature checks out, else CsrProblem("csr_invalid")."""
    if isinstance(data, str):
        data = data.encode("ascii", errors="replace")
    raw = bytes(data)
    # Only PEM is text with whitespace around it: DER is binary and may end in a byte that
    # looks like a space or a newline (1 CSR in ~40), which stripping would cut off.
    pem = raw.strip()
    if not pem or len(raw) > MAX_CSR_BYTES:
        raise CsrProblem("csr_invalid", "empty or too large")
    try:
        if pem.startswith(b"-----BEGIN"):
            csr = x509.load_pem_x509_csr(pem)
        else:
            csr = x509.load_der_x509_csr(raw)
    except ValueError as exc:
        raise CsrProblem("csr_invalid", str(exc)[:200]) from exc
    if not csr.is_signature_valid:
        # The requester must prove it holds the private key of the public key it asks us to sign.
        raise CsrProblem("csr_signature_invalid")
    return csr


def check_csr_key(csr: x509.CertificateSigningRequest) -> None:
    """Only key types and sizes the profile allows (docs/certificates.md)."""
    key = csr.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        if not RSA_MIN_BITS <= key.key_size <= RSA_MAX_BITS:
            raise CsrProblem("csr_key_size", f"RSA {key.key_size}")
        if key.public_numbers().e != 65537:
            raise CsrProblem("csr_key_type", "RSA exponent must be 65537")
        return
    if isinstance(key, ec.EllipticCurvePublicKey):
        if key.curve.name not in EC_CURVES:
            raise CsrProblem("csr_key_size", f"EC {key.curve.name}")
        return
    raise CsrProblem("csr_key_type", type(key).__name__)


def public_key_fingerprint(public_key) -> str:
    """SHA-256 over the SubjectPublicKeyInfo: the same request sent twice is recognised by it."""
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def sign_csr(
    ca: CertificateAuthority,
    csr: x509.CertificateSigningRequest,
    *,
    subject: x509.Name,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    validity_days: int = 3 * 365,
) -> x509.Certificate:
    """Sign the CSR's public key under ``subject``, which the caller takes from the portal.

    Nothing of the CSR but its (checked) public key is used: not its subject, not its requested
    extensions. A practice cannot ask for another practice's AGB code or for a CA certificate.
    """
    check_csr_key(csr)
    return _client_certificate(ca, csr.public_key(), subject, not_before, not_after, validity_days)


def _client_certificate(ca, public, subject, not_before, not_after, validity_days):
    start = not_before or (utcnow() - BACKDATE)
    end = not_after or (start + BACKDATE + dt.timedelta(days=validity_days))
    end = min(end, ca.certificate.not_valid_after_utc)
    is_rsa = isinstance(public, rsa.RSAPublicKey)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.certificate.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=is_rsa,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
        .sign(ca.key, hashes.SHA256())
    )


def serial_hex(certificate: x509.Certificate) -> str:
    """Serials are up to 20 bytes: kept as 40 hex digits, never as a 64-bit integer."""
    return f"{certificate.serial_number:040x}"


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the DER encoding, lower-case hex: what the database finds certificates by."""
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def common_name_of(certificate: x509.Certificate) -> str:
    values = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(values[0].value) if values else certificate.subject.rfc4514_string()


def is_issued_by(certificate: x509.Certificate, ca_certificate: x509.Certificate) -> bool:
    """True only when the signature checks out against the CA key, not merely the issuer name."""
    try:
        certificate.verify_directly_issued_by(ca_certificate)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def load_certificate(data: bytes | str | x509.Certificate) -> x509.Certificate:
    """Accept DER bytes, PEM bytes or text, or a parsed certificate; else ValueError."""
    if isinstance(data, x509.Certificate):
        return data
    if isinstance(data, str):
        data = data.encode("ascii", errors="strict")
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ValueError("not a certificate")
    raw = bytes(data)
    if raw.lstrip().startswith(b"-----BEGIN"):
        return x509.load_pem_x509_certificate(raw.strip())
    return x509.load_der_x509_certificate(raw)


def to_pkcs12(
    certificate: x509.Certificate, key: rsa.RSAPrivateKey, *, friendly_name: str
) -> bytes:
    """A .pfx with an empty password that older Windows, OpenSSL 3 and Java keytool all accept.

    Key and certificate bags use PBES1 SHA1-3DES and the MAC is SHA-1: Windows before 10 1709 and
    Server 2016 reject the AES/PBES2 + SHA-256 MAC that cryptography's public API writes, and
    ``NoEncryption()`` produces a file keytool shows as empty. The public API refuses an empty
    password, hence the private constructor; cryptography is pinned and a test guards this.
    Only the client certificate is included: adding the self-signed CA would make the Windows
    wizard offer to install a trusted root, which a practice's software does not need.
    """
    encryption = serialization._KeySerializationEncryption(
        PrivateFormat.PKCS12,
        b"",
        kdf_rounds=PKCS12_KDF_ROUNDS,
        hmac_hash=hashes.SHA1(),  # noqa: S303 - required by the Windows profile above
        key_cert_algorithm=pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC,
    )
    return pkcs12.serialize_key_and_certificates(
        friendly_name.encode("utf-8"), key, certificate, None, encryption
    )


def build_crl(
    ca: CertificateAuthority,
    revoked: list[tuple[str, dt.datetime]],
    *,
    now: dt.datetime | None = None,
    validity: dt.timedelta = CRL_VALIDITY,
) -> x509.CertificateRevocationList:
    """A CRL over ``(serial_hex, revoked_at)`` pairs, numbered by its issue time in seconds.

    The number only has to grow between issues; the issue time does that without storing a counter.
    """
    now = now or utcnow()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.certificate.subject)
        .last_update(now)
        .next_update(now + validity)
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
    )
    for serial, revoked_at in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(int(serial, 16))
            .revocation_date(revoked_at)
            .build()
        )
    return builder.sign(ca.key, hashes.SHA256())


def crl_bytes(crl: x509.CertificateRevocationList, format: str = "pem") -> bytes:
    encoding = serialization.Encoding.DER if format == "der" else serialization.Encoding.PEM
    return crl.public_bytes(encoding)


def certificate_pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def private_key_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_private_key(pem: bytes) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ValueError("unsupported key type")
    return key


# --- Keeping a private key until its one download ------------------------------------------------

_NONCE_BYTES = 12


def derive_wrapping_key(secret: str) -> bytes:
    """A 256-bit AES key from any secret string, so a configured value of any form works."""
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"parabench certificate private key wrapping v1",
    ).derive(secret.encode("utf-8"))


def seal_private_key(key: rsa.RSAPrivateKey, wrapping_key: bytes, *, bound_to: str) -> bytes:
    """AES-GCM over the PKCS#8 DER key. ``bound_to`` (the fingerprint) is authenticated data, so a
    sealed key copied onto another certificate's row does not open."""
    nonce = os.urandom(_NONCE_BYTES)
    der = key.private_bytes(
        serialization.Encoding.DER, PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return nonce + AESGCM(wrapping_key).encrypt(nonce, der, bound_to.encode("ascii"))


def open_private_key(sealed: bytes, wrapping_key: bytes, *, bound_to: str) -> rsa.RSAPrivateKey:
    """The inverse of seal_private_key; raises cryptography's InvalidTag on a wrong key or row."""
    nonce, ciphertext = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
    der = AESGCM(wrapping_key).decrypt(nonce, ciphertext, bound_to.encode("ascii"))
    # No RSA consistency check (36 ms of CPU per load, 0.004 ms without, 29 November 2026): the
    # check is for keys from elsewhere; this one was made here by ``generate_private_key`` and
    # the AES-GCM tag just proved that not one byte of it changed since it was sealed.
    key = serialization.load_der_private_key(
        der, password=None, unsafe_skip_rsa_key_validation=True
    )
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("sealed key is not an RSA key")
    return key
