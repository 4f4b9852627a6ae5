"""The two e-mails a new practice user gets: a welcome, and how to log in (never a password)."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _


def password_setup_link(user) -> str:
    """A one-time link: the token stops working as soon as the password is set."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return f"{settings.PORTAL_URL}{path}"


def send_onboarding_emails(user) -> None:
    context = {
        "user": user,
        "practice": user.practice,
        "portal_url": settings.PORTAL_URL,
        "setup_link": password_setup_link(user),
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
