"""The two e-mails a new practice user gets: a welcome, and how to log in (never a password)."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _


def portal_url(request=None) -> str:
    """The portal's address as the operator reached it (as Django's password-reset e-mail
    does), else the configured PORTAL_URL (a command without a request)."""
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return settings.PORTAL_URL


def password_setup_link(user, base: str | None = None) -> str:
    """A one-time link: the token stops working as soon as the password is set."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return f"{base or settings.PORTAL_URL}{path}"


def send_onboarding_emails(user, request=None) -> None:
    base = portal_url(request)
    context = {
        "user": user,
        "practice": user.practice,
        "portal_url": base,
        "setup_link": password_setup_link(user, base),
        "valid_days": settings.PASSWORD_RESET_TIMEOUT // (24 * 3600),
    }
    send_mail(
        _("Welkom bij ParaBench"),
        render_to_string("accounts/email/welcome.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )
    send_mail(
        _("Inloggegevens ParaBench"),
        render_to_string("accounts/email/credentials.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )
