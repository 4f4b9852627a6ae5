"""Two-factor login with django-otp: TOTP (an authenticator app) plus ten one-time recovery codes.

Who needs it (``requires_second_factor``): every operator (``is_staff``), network coordinators
once they exist (a user attribute ``is_network_coordinator``), and practice users who switched it
on. Such a user is logged in by the password step, but the middleware lets them reach nothing but
the code page (or, without a device yet, the set-up page) until the second factor is verified.

Wrong codes count towards the same django-axes lock-out as wrong passwords (the
``user_login_failed`` signal), and every step is written to ``LoginEvent``.
"""

from __future__ import annotations

import secrets
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from parabench.accounts.models import LoginEvent

RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
# Pages a user between the password and the second factor may still open.
OPEN_URL_NAMES = {
    "login",
    "logout",
    "two_factor_verify",
    "two_factor_setup",
    "set_language",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def record(request, user, action: str, username: str | None = None) -> LoginEvent:
    return LoginEvent.objects.create(
        user=user if getattr(user, "pk", None) else None,
        username=username or getattr(user, "username", "") or "",
        action=action,
        ip_address=client_ip(request) if request is not None else None,
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:255],
    )


def is_required(user) -> bool:
    """Operators and network coordinators may not work without a second factor."""
    return bool(
        user.is_staff or user.is_superuser or getattr(user, "is_network_coordinator", False)
    )


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def requires_second_factor(user) -> bool:
    return is_required(user) or has_second_factor(user)


# Whether this session's user has a second factor, decided once at login (or on the first request
# of an older session): the dashboard's read path must not pay a device query on every page.
SESSION_KEY = "parabench_2fa"


def _session_needs_second_factor(request, user) -> bool:
    if is_required(user):
        return True
    flag = request.session.get(SESSION_KEY)
    if flag is None:
        flag = has_second_factor(user)
        request.session[SESSION_KEY] = flag
    return bool(flag)


def remember_second_factor(request, on: bool) -> None:
    if hasattr(request, "session"):
        request.session[SESSION_KEY] = on


def safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


class TwoFactorMiddleware:
    """Between the password and the second factor only the pages in OPEN_URL_NAMES are open."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and _session_needs_second_factor(request, user)
            and not self._open(request)
        ):
            target = "two_factor_verify" if has_second_factor(user) else "two_factor_setup"
            return redirect(f"{reverse(target)}?next={quote(request.get_full_path())}")
        return self.get_response(request)

    @staticmethod
    def _open(request) -> bool:
        if request.path_info.startswith(settings.STATIC_URL or "/static/"):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return True  # a 404 page reveals nothing
        return match.url_name in OPEN_URL_NAMES


# --- Devices -------------------------------------------------------------------------------------


def pending_totp(user) -> TOTPDevice:
    """The unconfirmed device being set up (one per user), created on first visit."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def provisioning(device: TOTPDevice) -> tuple[str, str]:
    """``(otpauth:// URL, base32 secret)`` for the QR code and for typing it in by hand."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return device.config_url, secret


def qr_svg(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_inline(scale=4, dark="#0b2540", light="#ffffff")


def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with ten new ones; returns them to show once."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name="recovery")
    device.token_set.all().delete()
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        code = f"{raw[:5]}-{raw[5:]}"
        codes.append(code)
        StaticToken.objects.create(device=device, token=code)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return codes


def confirm_setup(request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the pending device with a first code; replaces any earlier phone (a new phone
    after a lost one) and issues fresh recovery codes. None when the code is wrong."""
    if not device.verify_token(_digits(token)):
        return None
    user = request.user
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_recovery_codes(user)
    otp_login(request, device)
    remember_second_factor(request, True)
    record(request, user, LoginEvent.Action.TWO_FACTOR_ON)
    return codes


def switch_off(request) -> None:
    user = request.user
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=None):
            device.delete()
    remember_second_factor(request, False)
    record(request, user, LoginEvent.Action.TWO_FACTOR_OFF)


def _digits(token: str) -> str:
    return "".join(c for c in str(token) if c.isdigit())


def verify(request, token: str) -> str | None:
    """Check a code from the app or a recovery code; returns the action logged, None if wrong.

    A wrong code is a failed login for django-axes (same counter as wrong passwords).
    """
    user = request.user
    token = (token or "").strip()
    if token and not token.replace(" ", "").isdigit():
        recovery = StaticDevice.objects.filter(user=user, confirmed=True).first()
        if recovery is not None and recovery.verify_token(token.lower().replace(" ", "")):
            otp_login(request, recovery)
            record(request, user, LoginEvent.Action.RECOVERY_USED)
            return LoginEvent.Action.RECOVERY_USED
    else:
        for device in TOTPDevice.objects.filter(user=user, confirmed=True):
            if device.verify_token(_digits(token)):
                otp_login(request, device)
                record(request, user, LoginEvent.Action.OTP_OK)
                return LoginEvent.Action.OTP_OK
    record(request, user, LoginEvent.Action.OTP_FAILED)
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )
    return None


def is_locked_out(request) -> bool:
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.is_locked(request, {"username": request.user.get_username()})


def lock_out(request) -> None:
    record(request, request.user, LoginEvent.Action.LOCKED_OUT)
    logout(request)


# --- Audit of the password step -----------------------------------------------------------------


@receiver(user_logged_in)
def _password_ok(sender, request, user, **kwargs):
    if request is not None:
        remember_second_factor(request, requires_second_factor(user))
    record(request, user, LoginEvent.Action.PASSWORD_OK)


@receiver(user_login_failed)
def _password_failed(sender, credentials, request=None, **kwargs):
    if sender == __name__:
        return  # a wrong second-factor code, already recorded as otp_failed
    from parabench.accounts.models import User

    username = str(credentials.get("username", ""))[:150]
    user = User.objects.filter(username=username).first()
    record(request, user, LoginEvent.Action.PASSWORD_FAILED, username=username)
