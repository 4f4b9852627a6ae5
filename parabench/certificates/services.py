"""Issue, download and block certificates: the rules, the locks and the audit log.

Views and the back office call only these functions. Each one runs in a single transaction and
writes its audit event in that same transaction, so an action without its log line cannot happen.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from parabench.certificates import pki
from parabench.certificates.ca import get_ca
from parabench.certificates.models import CertificateEvent, ClientCertificate
from parabench.practices.models import Practice

logger = logging.getLogger(__name__)


class CertificateError(Exception):
    """A refusal: ``code`` for software and tests, ``message`` in Dutch for the person."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Actor:
    """Who does something and from where, for the audit log. ``user`` is None for the system."""

    user: object | None = None
    ip_address: str | None = None


@dataclass(frozen=True)
class Download:
    certificate: ClientCertificate
    pfx: bytes

    @property
    def file_name(self) -> str:
        return self.certificate.file_name


def new_issue_token() -> str:
    """The one-time token a "Certificaat uitgeven" form carries; 128 random bits."""
    return secrets.token_urlsafe(16)


def wrapping_key() -> bytes:
    """The AES key that seals not-yet-downloaded private keys, derived from settings."""
    secret = settings.CERTIFICATE_KEY_ENCRYPTION_KEY or settings.SECRET_KEY
    return pki.derive_wrapping_key(secret)


def _log(certificate: ClientCertificate, action: str, actor: Actor) -> CertificateEvent:
    user = actor.user if getattr(actor.user, "pk", None) else None
    return CertificateEvent.objects.create(
        certificate=certificate,
        action=action,
        user=user,
        username=getattr(user, "username", "") or "",
        is_operator=bool(getattr(user, "is_staff", False)),
        ip_address=actor.ip_address or None,
    )


def issue_certificate(
    practice: Practice,
    *,
    actor: Actor,
    issue_token: str | None = None,
    not_before=None,
    not_after=None,
) -> tuple[ClientCertificate, bool]:
    """Issue a certificate for ``practice``; returns ``(certificate, created)``.

    The practice row is locked for the duration, so two requests of the same practice issue one
    after the other (at most one concurrent issue per practice) and numbers never collide. A form
    submitted twice carries the same ``issue_token``: the second submit finds the first certificate
    and returns it with ``created=False`` instead of issuing another.
    """
    if practice.is_cancelled:
        raise CertificateError(
            "practice_cancelled",
            _(
                "Deze praktijk heeft het abonnement opgezegd; er kunnen geen nieuwe certificaten "
                "worden uitgegeven. Neem contact op met ParaBench als dit niet klopt."
            ),
        )
    ca = get_ca()
    try:
        with transaction.atomic():
            locked = Practice.objects.select_for_update().get(pk=practice.pk)
            if locked.is_cancelled:
                raise CertificateError(
                    "practice_cancelled",
                    _("Deze praktijk heeft het abonnement opgezegd."),
                )
            if issue_token:
                earlier = ClientCertificate.objects.filter(
                    practice=locked, issue_token=issue_token
                ).first()
                if earlier is not None:
                    return earlier, False
            highest = locked.certificates.aggregate(n=Max("number"))["n"] or 0
            issued = pki.issue_client_certificate(
                ca,
                practice_name=locked.name,
                agb_code=locked.agb_code,
                not_before=not_before,
                not_after=not_after,
                validity_days=settings.CERTIFICATE_VALIDITY_DAYS,
            )
            fingerprint = pki.fingerprint(issued.certificate)
            certificate = ClientCertificate.objects.create(
                practice=locked,
                number=highest + 1,
                name=pki.common_name_of(issued.certificate),
                serial_hex=pki.serial_hex(issued.certificate),
                issuer=ca.certificate.subject.rfc4514_string(),
                fingerprint_sha256=fingerprint,
                not_before=issued.certificate.not_valid_before_utc,
                not_after=issued.certificate.not_valid_after_utc,
                certificate_pem=pki.certificate_pem(issued.certificate).decode("ascii"),
                sealed_key=pki.seal_private_key(issued.key, wrapping_key(), bound_to=fingerprint),
                public_key_sha256=pki.public_key_fingerprint(issued.key.public_key()),
                issued_by=actor.user if getattr(actor.user, "pk", None) else None,
                issue_token=issue_token or "",
            )
            _log(certificate, CertificateEvent.Action.ISSUED, actor)
            return certificate, True
    except IntegrityError:
        # Only reachable when a database without row locks let two submits of one form race:
        # the unique token constraint kept the second out, so hand back the first.
        if issue_token:
            earlier = ClientCertificate.objects.filter(
                practice=practice, issue_token=issue_token
            ).first()
            if earlier is not None:
                return earlier, False
        raise


def download_certificate(certificate_id: int, *, practice: Practice, actor: Actor) -> Download:
    """Build the .pfx once and destroy the sealed key in the same transaction.

    The row is locked, so two simultaneous clicks cannot both receive the key.
    """
    with transaction.atomic():
        certificate = (
            ClientCertificate.objects.select_for_update()
            .select_related("practice")
            .get(pk=certificate_id, practice=practice)
        )
        if certificate.is_blocked:
            raise CertificateError(
                "certificate_blocked",
                _(
                    "Dit certificaat is geblokkeerd en kan niet meer worden gedownload. "
                    "Geef een nieuw certificaat uit."
                ),
            )
        if certificate.is_downloaded or not certificate.sealed_key:
            raise CertificateError(
                "certificate_already_downloaded",
                _(
                    "Dit certificaat is al gedownload. De sleutel wordt na de eerste download "
                    "vernietigd en kan niet opnieuw worden geleverd; "
                    "geef een nieuw certificaat uit."
                ),
            )
        if certificate.is_expired():
            raise CertificateError(
                "certificate_expired",
                _("Dit certificaat is verlopen. Geef een nieuw certificaat uit."),
            )
        parsed = pki.load_certificate(certificate.certificate_pem)
        try:
            key = pki.open_private_key(
                bytes(certificate.sealed_key),
                wrapping_key(),
                bound_to=certificate.fingerprint_sha256,
            )
        except (InvalidTag, ValueError) as exc:
            raise CertificateError(
                "certificate_key_unreadable",
                _(
                    "De sleutel van dit certificaat kan niet meer worden gelezen (de "
                    "versleutelingssleutel van de server is gewijzigd). Geef een nieuw "
                    "certificaat uit."
                ),
            ) from exc
        pfx = pki.to_pkcs12(
            parsed,
            key,
            friendly_name=f"ParaBench {certificate.practice.agb_code}-{certificate.number}",
        )
        certificate.sealed_key = None
        certificate.downloaded_at = timezone.now()
        certificate.save(update_fields=["sealed_key", "downloaded_at"])
        _log(certificate, CertificateEvent.Action.DOWNLOADED, actor)
    return Download(certificate=certificate, pfx=pfx)


def block_certificate(certificate: ClientCertificate, *, actor: Actor) -> bool:
    """Block for good; returns False when it was already blocked (nothing changes then).

    A blocked certificate also loses a key that was never downloaded: it can never be used.
    """
    with transaction.atomic():
        locked = ClientCertificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.is_blocked:
            return False
        locked.blocked_at = timezone.now()
        locked.blocked_by = actor.user if getattr(actor.user, "pk", None) else None
        locked.sealed_key = None
        locked.save(update_fields=["blocked_at", "blocked_by", "sealed_key"])
        _log(locked, CertificateEvent.Action.BLOCKED, actor)
        transaction.on_commit(_schedule_crl_reissue)
    certificate.refresh_from_db()
    return True


def _schedule_crl_reissue() -> None:
    """A blocked certificate should reach the proxy's CRL soon, not only at the daily run."""
    from parabench.certificates.tasks import reissue_crl

    try:
        reissue_crl.enqueue()
    except Exception:
        # The block itself is committed and the database check already refuses the certificate;
        # the daily run still picks it up. Never turn a successful block into an error page.
        logger.exception("Could not enqueue reissue_crl after blocking a certificate")
