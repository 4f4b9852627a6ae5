"""E-mails before a certificate expires: 60, 30 and 7 days ahead (CERTIFICATE_EXPIRY_NOTICE_DAYS).

Each certificate gets each notice at most once (``ExpiryNotice`` is unique per certificate and
threshold), so the daily task may run twice, late or after a pause without sending duplicates;
after a pause only the most urgent notice still due goes out. No notice for a certificate that is
blocked, expired, or already followed by a newer valid certificate of the practice (renewed).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parabench.certificates.models import ClientCertificate, ExpiryNotice


def thresholds() -> list[int]:
    return sorted({int(days) for days in settings.CERTIFICATE_EXPIRY_NOTICE_DAYS})


def due_threshold(certificate: ClientCertificate, now: dt.datetime) -> int | None:
    """The smallest threshold the remaining time has passed, e.g. 25 days left → 30."""
    left = certificate.not_after - now
    for days in thresholds():
        if left <= dt.timedelta(days=days):
            return days
    return None


def _is_renewed(certificate: ClientCertificate, now: dt.datetime) -> bool:
    """A newer certificate of the practice that is valid now and outlives this one."""
    return (
        ClientCertificate.objects.filter(
            practice_id=certificate.practice_id,
            blocked_at__isnull=True,
            not_before__lte=now,
            not_after__gt=certificate.not_after,
        )
        .exclude(pk=certificate.pk)
        .exists()
    )


def recipients(certificate: ClientCertificate) -> list[str]:
    users = certificate.practice.users.filter(is_active=True).exclude(email="")
    return sorted({user.email for user in users})


def candidates(now: dt.datetime):
    horizon = now + dt.timedelta(days=max(thresholds(), default=0))
    return (
        ClientCertificate.objects.select_related("practice")
        .filter(blocked_at__isnull=True, not_after__gt=now, not_after__lte=horizon)
        .order_by("not_after")
    )


def send_expiry_notices(now: dt.datetime | None = None) -> int:
    """Send every notice that is due now; returns how many e-mails went out."""
    now = now or timezone.now()
    sent = 0
    for certificate in candidates(now):
        days = due_threshold(certificate, now)
        if days is None or _is_renewed(certificate, now):
            continue
        if ExpiryNotice.objects.filter(certificate=certificate, days_before__lte=days).exists():
            continue  # this one, or a more urgent one, already went out
        to = recipients(certificate)
        try:
            with transaction.atomic():
                ExpiryNotice.objects.create(
                    certificate=certificate, days_before=days, sent_at=now, recipients=", ".join(to)
                )
                if to:
                    _mail(certificate, to, now)
        except IntegrityError:
            continue  # another run sent it at the same moment
        sent += 1 if to else 0
    return sent


def _mail(certificate: ClientCertificate, to: list[str], now: dt.datetime) -> None:
    context = {
        "certificate": certificate,
        "practice": certificate.practice,
        "days_left": max((certificate.not_after - now).days, 0),
        "portal_url": settings.PORTAL_URL,
    }
    with translation.override("nl"):
        subject = _("Uw ParaBench-certificaat %(number)s verloopt over %(days)s dagen") % {
            "number": certificate.number,
            "days": context["days_left"],
        }
        body = render_to_string("certificates/email/expiry.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
