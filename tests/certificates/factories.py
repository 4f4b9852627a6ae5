"""Certificates for tests, made by the same service code the portal uses.

Other apps' tests (the uploader) use these too::

    from tests.certificates.factories import (
        issue_certificate_for, use_test_ca, write_tls_client_files,
    )

    def test_upload(settings, tmp_path, practice_a):
        use_test_ca(settings, tmp_path / "ca")
        certificate, pfx = issue_certificate_for(practice_a)
        cert_file, key_file = write_tls_client_files(pfx, tmp_path)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography.hazmat.primitives.serialization import pkcs12
from django.utils import timezone

from parabench.certificates import pki, services
from parabench.certificates.models import ClientCertificate
from parabench_client.certrequest import csr_pem


def use_test_ca(settings, directory: Path) -> Path:
    """Point the CA (and the CRL file) at ``directory``; the CA is created there on first use."""
    directory = Path(directory)
    settings.CA_CERT_PATH = directory / "ca.pem"
    settings.CA_KEY_PATH = directory / "ca.key"
    settings.CA_CRL_PATH = directory / "crl.pem"
    settings.CA_AUTO_CREATE = True
    settings.ACCEPTANCE_CA_CERT_PATH = directory / "acceptatie" / "ca.pem"
    settings.ACCEPTANCE_CA_KEY_PATH = directory / "acceptatie" / "ca.key"
    settings.CA_TRUST_BUNDLE_PATH = directory / "trusted-clients.pem"
    settings.CA_PREVIOUS_CERT_PATHS = []
    settings.CA_PREVIOUS_KEY_PATHS = []
    return directory


def issue_certificate_for(
    practice,
    *,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    blocked: bool = False,
    actor: services.Actor | None = None,
) -> tuple[ClientCertificate, bytes]:
    """Issue and download a certificate for ``practice``: ``(row, .pfx bytes)``.

    Goes through services.issue_certificate and services.download_certificate. A certificate
    outside its validity cannot be downloaded through the portal, so for those variants the .pfx
    is assembled from the sealed key with the same pki functions the download uses.
    """
    actor = actor or services.Actor(ip_address="127.0.0.1")
    certificate, _created = services.issue_certificate(
        practice,
        actor=actor,
        issue_token=services.new_issue_token(),
        not_before=not_before,
        not_after=not_after,
    )
    now = timezone.now()
    if certificate.not_before <= now < certificate.not_after:
        pfx = services.download_certificate(certificate.pk, practice=practice, actor=actor).pfx
    else:
        key = pki.open_private_key(
            bytes(certificate.sealed_key),
            services.wrapping_key(),
            bound_to=certificate.fingerprint_sha256,
        )
        pfx = pki.to_pkcs12(
            pki.load_certificate(certificate.certificate_pem),
            key,
            friendly_name=f"ParaBench {practice.agb_code}-{certificate.number}",
        )
        certificate.sealed_key = None
        certificate.downloaded_at = now
        certificate.save(update_fields=["sealed_key", "downloaded_at"])
    if blocked:
        services.block_certificate(certificate, actor=actor)
    certificate.refresh_from_db()
    return certificate, pfx


def write_tls_client_files(pfx: bytes, directory: Path, name: str = "client") -> tuple[Path, Path]:
    """Unpack a .pfx into ``name.pem`` (certificate) and ``name.key`` (key, mode 0600) for a TLS
    client such as ``ssl.SSLContext.load_cert_chain``, httpx or ``curl --cert --key``."""
    key, certificate, _extra = pkcs12.load_key_and_certificates(pfx, None)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / f"{name}.pem", directory / f"{name}.key"
    cert_path.write_bytes(pki.certificate_pem(certificate))
    key_path.touch(mode=0o600)
    key_path.write_bytes(pki.private_key_pem(key))
    return cert_path, key_path


def agb_code_of(certificate) -> str | None:
    """The AGB code in a certificate's subject (serialNumber), as the tests read it back."""
    from cryptography.x509.oid import NameOID

    values = certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    return str(values[0].value) if values else None


def new_csr(bits: int = 2048) -> bytes:
    """A PEM CSR for a fresh RSA key, as the export client makes it (the key is thrown away)."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return csr_pem(key).encode()
