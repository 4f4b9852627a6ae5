"""Second factors for tests: a confirmed TOTP device and a client that passed it."""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def current_code(device_or_secret) -> str:
    """The code an authenticator app would show now (for a device, or a base32 secret)."""
    if isinstance(device_or_secret, TOTPDevice):
        key = device_or_secret.bin_key
    else:
        from base64 import b32decode

        secret = device_or_secret.strip().upper()
        key = b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


def verify_session(client: Client, user) -> Client:
    """Mark the client's session as having passed the second factor, as django_otp.login does."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    session.save()
    return client
