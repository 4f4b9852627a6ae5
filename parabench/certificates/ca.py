"""Where the CA comes from: files named by settings, created on first use only when allowed.

The CA key lives in a file (mode 0600) and in this process's memory, never in the repository or
the database. The embedded default creates it under ``var/ca/``; production points
``CA_CERT_PATH`` / ``CA_KEY_PATH`` at files made by ``manage.py create_ca`` and sets
``CA_AUTO_CREATE=0`` so a missing file stops the service instead of silently minting a new CA
(which would invalidate every certificate practices already installed).
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from parabench.certificates import pki
from parabench.certificates.pki import CertificateAuthority

_lock = threading.Lock()
_cache: dict[tuple[str, str], tuple[tuple[float, float], CertificateAuthority]] = {}


def configured_paths() -> tuple[Path, Path]:
    return Path(settings.CA_CERT_PATH), Path(settings.CA_KEY_PATH)


def write_ca_files(ca: CertificateAuthority, cert_path: Path, key_path: Path) -> None:
    """Write the key first with mode 0600 from the start (no window where it is world-readable)."""
    key_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    cert_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pki.private_key_pem(ca.key))
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(key_path, 0o600)
    tmp = cert_path.with_name(cert_path.name + ".tmp")
    tmp.write_bytes(pki.certificate_pem(ca.certificate))
    os.replace(tmp, cert_path)


def _read(cert_path: Path, key_path: Path) -> CertificateAuthority:
    from cryptography import x509

    try:
        certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = pki.load_private_key(key_path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(
            f"The ParaBench CA cannot be read from CA_CERT_PATH={cert_path} and "
            f"CA_KEY_PATH={key_path}: {exc}"
        ) from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or (
        key.public_key().public_numbers() != certificate.public_key().public_numbers()
    ):
        raise ImproperlyConfigured(
            f"CA_KEY_PATH={key_path} does not hold the private key of CA_CERT_PATH={cert_path}."
        )
    return CertificateAuthority(certificate=certificate, key=key)


def _create_if_missing(cert_path: Path, key_path: Path, name: str | None = None) -> None:
    """Create the embedded default CA once, also when several processes start at the same time."""
    key_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    lock_path = key_path.with_name(key_path.name + ".lock")
    with open(lock_path, "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            if cert_path.exists() and key_path.exists():
                return
            if cert_path.exists() or key_path.exists():
                raise ImproperlyConfigured(
                    f"Only one of CA_CERT_PATH={cert_path} and CA_KEY_PATH={key_path} exists; "
                    "restore the other from the backup instead of creating a new CA."
                )
            write_ca_files(pki.create_ca(name or settings.CA_NAME), cert_path, key_path)
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def get_ca() -> CertificateAuthority:
    """The CA for this process, read once and re-read only when its files change."""
    cert_path, key_path = configured_paths()
    return _get(cert_path, key_path, settings.CA_NAME, "CA_CERT_PATH", "CA_KEY_PATH")


def get_acceptance_ca() -> CertificateAuthority | None:
    """The "ParaBench Acceptatie CA": vendors' certificates for the validation endpoints only.

    Optional: None when its files are missing and CA_AUTO_CREATE is off (then no vendor
    certificates exist and nothing changes for practices).
    """
    cert_path = Path(settings.ACCEPTANCE_CA_CERT_PATH)
    key_path = Path(settings.ACCEPTANCE_CA_KEY_PATH)
    if not settings.CA_AUTO_CREATE and not (cert_path.exists() or key_path.exists()):
        return None
    return _get(
        Path(settings.ACCEPTANCE_CA_CERT_PATH),
        Path(settings.ACCEPTANCE_CA_KEY_PATH),
        settings.ACCEPTANCE_CA_NAME,
        "ACCEPTANCE_CA_CERT_PATH",
        "ACCEPTANCE_CA_KEY_PATH",
    )


def _get(cert_path: Path, key_path: Path, name: str, cert_setting: str, key_setting: str):
    with _lock:
        if not (cert_path.exists() and key_path.exists()):
            if not settings.CA_AUTO_CREATE:
                raise ImproperlyConfigured(
                    f"The {name} is missing: {cert_setting}={cert_path} and/or "
                    f"{key_setting}={key_path} do not exist. Create one with "
                    "`manage.py create_ca --out DIR` and point both settings at its files "
                    "(or set CA_AUTO_CREATE=1 for a development CA)."
                )
            _create_if_missing(cert_path, key_path, name)
        stamp = (cert_path.stat().st_mtime, key_path.stat().st_mtime)
        cache_key = (str(cert_path), str(key_path))
        cached = _cache.get(cache_key)
        if cached and cached[0] == stamp:
            return cached[1]
        ca = _read(cert_path, key_path)
        _cache[cache_key] = (stamp, ca)
        return ca


def previous_ca_certificates() -> list:
    """The certificates of earlier production CAs still trusted during a rollover (no keys)."""
    from cryptography import x509

    found = []
    current = get_ca().certificate.subject
    for path in settings.CA_PREVIOUS_CERT_PATHS:
        try:
            certificate = x509.load_pem_x509_certificate(Path(path).read_bytes())
        except (OSError, ValueError) as exc:
            raise ImproperlyConfigured(
                f"CA_PREVIOUS_CERT_PATHS names {path}, which is not a readable CA certificate: "
                f"{exc}"
            ) from exc
        if certificate.subject == current:
            # Certificates are told apart by their issuer's name (the CRL per CA, the database).
            raise ImproperlyConfigured(
                f"The previous CA in {path} has the same name as the current CA "
                f"({current.rfc4514_string()}); give the new CA its own name "
                "(manage.py create_ca --name 'ParaBench CA 2029')."
            )
        found.append(certificate)
    return found


def previous_cas() -> list[CertificateAuthority]:
    """Earlier CAs whose key is still at hand, only to keep signing their CRLs during a rollover."""
    cas = []
    for cert_path, key_path in zip(
        settings.CA_PREVIOUS_CERT_PATHS, settings.CA_PREVIOUS_KEY_PATHS, strict=False
    ):
        cas.append(_read(Path(cert_path), Path(key_path)))
    return cas


def production_ca_certificates() -> list:
    """Every CA whose client certificates may upload: the current one first, then earlier ones."""
    return [get_ca().certificate, *previous_ca_certificates()]


def write_trust_bundle(path: Path | None = None) -> Path:
    """The PEM file the TLS layer trusts for client certificates: production CAs (current and
    still-trusted earlier ones) and the acceptance CA. Which of them may do what is decided in
    the app (lookup.py), never by the handshake alone."""
    path = Path(path or settings.CA_TRUST_BUNDLE_PATH)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    acceptance = get_acceptance_ca()
    certificates = [
        *production_ca_certificates(),
        *([acceptance.certificate] if acceptance else []),
    ]
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(b"".join(pki.certificate_pem(c) for c in certificates))
    os.replace(tmp, path)
    return path
