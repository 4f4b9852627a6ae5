"""Certificates by request: the key is made at the practice, the portal signs only a public key.

Three doors, one rule (``_sign_for_practice``): the subject comes from the portal's practice row,
never from the CSR; only the CSR's checked public key is used.

- **Paste/upload** in the portal (``issue_from_csr``), by a logged-in practice user.
- **One-time code** (``create_request_code`` in the portal, ``redeem_request_code`` by the export
  client through the uploader): the code stands in for the login.
- **Renewal** (``renew``) by the export client, authenticated by its still-valid certificate over
  mutual TLS. Old and new stay valid side by side until the old one expires or is blocked.

The same public key sent again (an answer lost on the way) returns the certificate already signed
for it, so the client can simply retry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from parabench.certificates import pki
from parabench.certificates.ca import get_ca
from parabench.certificates.models import CertificateEvent, ClientCertificate, RequestCode
from parabench.certificates.services import Actor, CertificateError, _log
from parabench.practices.models import Practice

# Crockford-like alphabet without 0/O/1/I/L: read from a screen and typed without confusion.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12  # 12 × log2(31) ≈ 59 bits, one hour valid, one use


def _csr_messages() -> dict[str, str]:
    return {
        "csr_invalid": _("Dit is geen leesbaar certificaatverzoek (CSR)."),
        "csr_signature_invalid": _(
            "De handtekening van het certificaatverzoek klopt niet (de aanvrager heeft de "
            "sleutel niet)."
        ),
        "csr_key_type": _(
            "Dit sleuteltype wordt niet ondersteund. Gebruik RSA (2048–4096 bits) of EC P-256."
        ),
        "csr_key_size": _(
            "Deze sleutelgrootte wordt niet ondersteund. Gebruik RSA (2048–4096 bits) of "
            "EC P-256/P-384."
        ),
    }


def check_csr(csr_data: bytes | str):
    """The parsed CSR, or CertificateError with the CSR problem's code and a Dutch message."""
    try:
        csr = pki.load_csr(csr_data)
        pki.check_csr_key(csr)
    except pki.CsrProblem as problem:
        raise CertificateError(problem.code, _csr_messages()[problem.code]) from problem
    return csr


def _cancelled() -> CertificateError:
    return CertificateError(
        "practice_cancelled",
        _(
            "Deze praktijk heeft het abonnement opgezegd; er kunnen geen nieuwe certificaten "
            "worden uitgegeven. Neem contact op met ParaBench als dit niet klopt."
        ),
    )


def _sign_for_practice(
    practice: Practice,
    csr,
    *,
    actor: Actor,
    origin: str,
    action: str,
    renewed_from: ClientCertificate | None = None,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
) -> tuple[ClientCertificate, bool]:
    """Sign ``csr`` for ``practice`` inside the caller's transaction; ``(row, created)``."""
    locked = Practice.objects.select_for_update().get(pk=practice.pk)
    if locked.is_cancelled:
        raise _cancelled()
    key_hash = pki.public_key_fingerprint(csr.public_key())
    earlier = ClientCertificate.objects.filter(
        practice=locked, public_key_sha256=key_hash, blocked_at__isnull=True
    ).first()
    if earlier is not None:
        return earlier, False
    if ClientCertificate.objects.filter(public_key_sha256=key_hash).exists():
        # The same key under another practice, or blocked: a key is never signed twice.
        raise CertificateError(
            "csr_key_reused",
            _("Deze sleutel is al eerder gebruikt. Maak een nieuw certificaatverzoek."),
        )
    ca = get_ca()
    certificate = pki.sign_csr(
        ca,
        csr,
        subject=pki.client_subject(locked.name, locked.agb_code),
        not_before=not_before,
        not_after=not_after,
        validity_days=settings.CERTIFICATE_VALIDITY_DAYS,
    )
    highest = locked.certificates.aggregate(n=Max("number"))["n"] or 0
    row = ClientCertificate.objects.create(
        practice=locked,
        number=highest + 1,
        name=pki.common_name_of(certificate),
        serial_hex=pki.serial_hex(certificate),
        issuer=ca.certificate.subject.rfc4514_string(),
        fingerprint_sha256=pki.fingerprint(certificate),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        certificate_pem=pki.certificate_pem(certificate).decode("ascii"),
        sealed_key=None,
        issued_by=actor.user if getattr(actor.user, "pk", None) else None,
        origin=origin,
        public_key_sha256=key_hash,
        renewed_from=renewed_from,
    )
    _log(row, action, actor)
    return row, True


def issue_from_csr(
    practice: Practice, csr_data: bytes | str, *, actor: Actor
) -> tuple[ClientCertificate, bool]:
    """A practice user pasted or uploaded a CSR in the portal."""
    csr = check_csr(csr_data)
    with transaction.atomic():
        return _sign_for_practice(
            practice,
            csr,
            actor=actor,
            origin=ClientCertificate.Origin.CSR,
            action=CertificateEvent.Action.REQUESTED,
        )


def _hash_code(code: str) -> str:
    normalised = "".join(c for c in code.upper() if c.isalnum())
    return hashlib.sha256(normalised.encode("ascii", errors="replace")).hexdigest()


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def create_request_code(practice: Practice, *, actor: Actor) -> tuple[RequestCode, str]:
    """A new one-time code; returns the row and the code itself, which is shown once."""
    if practice.is_cancelled:
        raise _cancelled()
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    now = timezone.now()
    row = RequestCode.objects.create(
        practice=practice,
        code_sha256=_hash_code(code),
        created_at=now,
        expires_at=now + dt.timedelta(minutes=settings.CERTIFICATE_REQUEST_CODE_MINUTES),
        created_by=actor.user if getattr(actor.user, "pk", None) else None,
        ip_address=actor.ip_address or None,
    )
    return row, format_code(code)


def _code_refused() -> CertificateError:
    # One answer for unknown, used and expired codes: a guesser learns nothing.
    return CertificateError(
        "request_code_invalid",
        _(
            "Deze aanvraagcode is onbekend, verlopen of al gebruikt. Maak in het portaal een "
            "nieuwe code (Profiel → Aanvullende praktijkgegevens)."
        ),
    )


def redeem_request_code(
    code: str, csr_data: bytes | str, *, ip_address: str | None = None
) -> ClientCertificate:
    """The export client sends its CSR with a code from the portal; returns the certificate.

    The code is used up by the first CSR it signs. The same CSR (the same public key) sent again
    with the same code gets the same certificate back, so a lost answer can be fetched again.
    """
    csr = check_csr(csr_data)
    with transaction.atomic():
        row = (
            # Lock only the code row: the certificate is the nullable side of an outer join.
            RequestCode.objects.select_for_update(of=("self",))
            .select_related("practice", "certificate")
            .filter(code_sha256=_hash_code(code))
            .first()
        )
        if row is None:
            raise _code_refused()
        if row.used_at is not None:
            same_key = row.certificate is not None and row.certificate.public_key_sha256 == (
                pki.public_key_fingerprint(csr.public_key())
            )
            if same_key and not row.certificate.is_blocked:
                return row.certificate
            raise _code_refused()
        if timezone.now() >= row.expires_at:
            raise _code_refused()
        actor = Actor(user=row.created_by, ip_address=ip_address)
        certificate, _created = _sign_for_practice(
            row.practice,
            csr,
            actor=actor,
            origin=ClientCertificate.Origin.CSR,
            action=CertificateEvent.Action.REQUESTED,
        )
        row.used_at = timezone.now()
        row.certificate = certificate
        row.save(update_fields=["used_at", "certificate"])
        _mark_fetched(certificate, actor)
        return certificate


def _mark_fetched(certificate: ClientCertificate, actor: Actor) -> None:
    """The export client received the certificate: for the list, the same as a download."""
    if certificate.downloaded_at is None:
        certificate.downloaded_at = timezone.now()
        certificate.save(update_fields=["downloaded_at"])
        _log(certificate, CertificateEvent.Action.DOWNLOADED, actor)


def renew(
    current: ClientCertificate, csr_data: bytes | str, *, ip_address: str | None = None
) -> ClientCertificate:
    """A new certificate for the practice of ``current`` (already checked valid by the caller,
    who authenticated with it over mutual TLS). ``current`` stays valid: the two overlap."""
    csr = check_csr(csr_data)
    with transaction.atomic():
        locked = ClientCertificate.objects.select_for_update().get(pk=current.pk)
        if locked.is_blocked:
            raise CertificateError(
                "certificate_blocked", _("Dit certificaat is geblokkeerd en kan niet vernieuwen.")
            )
        if pki.public_key_fingerprint(csr.public_key()) == pki.public_key_fingerprint(
            pki.load_certificate(locked.certificate_pem).public_key()
        ):
            # Renewal means a new key: the old one may be the reason to renew.
            raise CertificateError(
                "csr_key_reused",
                _("Deze sleutel is al eerder gebruikt. Maak een nieuw certificaatverzoek."),
            )
        actor = Actor(user=None, ip_address=ip_address)
        certificate, _created = _sign_for_practice(
            locked.practice,
            csr,
            actor=actor,
            origin=ClientCertificate.Origin.RENEWAL,
            action=CertificateEvent.Action.RENEWED,
            renewed_from=locked,
        )
        _mark_fetched(certificate, actor)
        return certificate
