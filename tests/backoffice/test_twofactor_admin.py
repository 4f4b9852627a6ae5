"""An operator must not be able to pass another operator's second factor from the back office."""

import base64

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice

from tests.accounts.factories import totp_device
from tests.factories import UserFactory

RECOVERY_CODE = "kq7mzx3p"


@pytest.fixture
def colleague(db):
    """Another operator with an authenticator app and recovery codes."""
    user = UserFactory(username="collega", practice=None, is_staff=True, is_superuser=True)
    device = totp_device(user)
    recovery = StaticDevice.objects.create(user=user, name="herstelcodes", confirmed=True)
    recovery.token_set.create(token=RECOVERY_CODE)
    return device, recovery


def secrets_seen(client, colleague) -> set[str]:
    """Which of the colleague's secrets the back office shows: the TOTP key (hex as stored, or
    base32 as an app takes it, on the change form or the QR-code page) and the recovery code."""
    device, recovery = colleague
    key_hex = device.key
    key_b32 = base64.b32encode(device.bin_key).decode().rstrip("=")
    pages = [
        reverse("admin:otp_totp_totpdevice_changelist"),
        reverse("admin:otp_totp_totpdevice_change", args=[device.pk]),
        reverse("admin:otp_static_staticdevice_change", args=[recovery.pk]),
    ]
    shown = "".join(client.get(path).content.decode() for path in pages)
    config = client.get(reverse("admin:otp_totp_totpdevice_config", args=[device.pk]))
    shown += config.content.decode() if config.status_code == 200 else ""
    return {
        name
        for name, secret in (("key", key_hex), ("key", key_b32), ("recovery", RECOVERY_CODE))
        if secret in shown
    }


def test_the_back_office_shows_no_operators_totp_key_nor_recovery_codes(operator_client, colleague):
    assert secrets_seen(operator_client, colleague) == set()


def test_with_django_otps_default_an_operator_could_read_a_colleagues_secrets(
    operator_client, colleague, settings
):
    """The attack works against django-otp's default (what ParaBench shipped before)."""
    settings.OTP_ADMIN_HIDE_SENSITIVE_DATA = False
    assert secrets_seen(operator_client, colleague) == {"key", "recovery"}


def test_the_qr_code_page_of_a_colleagues_device_is_refused(operator_client, colleague):
    device, _ = colleague
    response = operator_client.get(reverse("admin:otp_totp_totpdevice_config", args=[device.pk]))
    assert response.status_code == 403
