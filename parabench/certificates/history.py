"""What the practice's security page shows: certificate history and recent logins."""

from __future__ import annotations

from django_otp.plugins.otp_totp.models import TOTPDevice

from parabench.accounts.models import LoginEvent
from parabench.certificates.models import CertificateEvent

MAX_EVENTS = 100
MAX_LOGINS = 50


def certificate_events(practice, limit: int = MAX_EVENTS):
    """Issued, requested, downloaded, renewed and blocked — newest first, with the address."""
    return list(
        CertificateEvent.objects.filter(certificate__practice=practice)
        .select_related("certificate")
        .order_by("-at", "-id")[:limit]
    )


def recent_logins(practice, limit: int = MAX_LOGINS):
    """The practice's users' login steps (also failed ones on their user names), newest first."""
    return list(LoginEvent.objects.filter(user__practice=practice).order_by("-at", "-id")[:limit])


def two_factor_status(practice) -> list[tuple[str, bool]]:
    """Per user of the practice: does a second factor protect the account?"""
    protected = set(
        TOTPDevice.objects.filter(user__practice=practice, confirmed=True).values_list(
            "user_id", flat=True
        )
    )
    return [
        (user.get_username(), user.pk in protected) for user in practice.users.order_by("username")
    ]
