"""Two-factor login in a real Chromium: an operator must set it up before the back office opens;
a practice user switches it on, loses the phone, gets in with a recovery code and sets up anew."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.factories import current_code
from tests.browser_support import log_in, screenshot

pytestmark = pytest.mark.browser


def _set_up_authenticator(page) -> list[str]:
    """What a person does with the app: read the key, type the code; returns the recovery codes."""
    secret = page.locator("#totp-secret").inner_text()
    assert page.locator(".qr svg").count() == 1
    page.fill("#id_code", current_code(secret))
    page.get_by_role("button", name="Instellen").click()
    page.wait_for_load_state()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    return codes


def test_an_operator_sets_up_two_factor_before_the_back_office_opens(page, operator, password):
    page.goto("/backoffice/")
    page.fill("#id_username", "beheerder")
    page.fill("#id_password", password)
    page.locator("input[type=submit], button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "/inloggen/tweestapsverificatie/" in page.url
    assert page.get_by_text("Voor beheerders is tweestapsverificatie verplicht").is_visible()
    screenshot(page, "security", "2fa-instellen-beheerder")
    page.goto("/backoffice/certificates/clientcertificate/")
    assert "/inloggen/tweestapsverificatie/" in page.url  # no way around it

    _set_up_authenticator(page)
    page.get_by_role("link", name="Ik heb de codes bewaard").click()
    page.wait_for_load_state()
    assert re.search(r"/backoffice/certificates/clientcertificate/$", page.url)

    # Next login: password, then the code from the app.
    page.get_by_role("button", name=re.compile("Uitloggen|Afmelden|Log out")).first.click()
    page.goto("/backoffice/")
    page.fill("#id_username", "beheerder")
    page.fill("#id_password", password)
    page.locator("input[type=submit], button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "/inloggen/code/" in page.url
    device = TOTPDevice.objects.get(user=operator, confirmed=True)
    page.fill("#id_code", current_code(device))
    page.get_by_role("button", name="Bevestigen").click()
    page.wait_for_load_state()
    assert page.url.endswith("/backoffice/")


def test_a_practice_user_loses_the_phone_and_gets_in_with_a_recovery_code(page, user_a, password):
    log_in(page, "anna", password)
    page.goto("/profiel/tweestapsverificatie/")
    page.get_by_role("link", name="Tweestapsverificatie aanzetten").click()
    codes = _set_up_authenticator(page)
    screenshot(page, "security", "2fa-herstelcodes")
    page.get_by_role("link", name="Ik heb de codes bewaard").click()
    page.get_by_role("button", name="Uitloggen").click()

    # The phone is gone: a recovery code instead of the app's code.
    log_in(page, "anna", password)
    assert "/inloggen/code/" in page.url
    page.get_by_text("Telefoon kwijt?").click()
    page.fill("#id_code", codes[3])
    page.get_by_role("button", name="Bevestigen").click()
    page.wait_for_load_state()
    assert page.locator("[data-field=agb_code]").inner_text() == "04123451"
    assert page.get_by_text("herstelcode").first.is_visible()
    old_device = TOTPDevice.objects.get(user=user_a, confirmed=True)

    # A new phone replaces the lost one.
    page.goto("/profiel/tweestapsverificatie/")
    page.get_by_role("link", name="Nieuwe telefoon instellen").click()
    _set_up_authenticator(page)
    new_device = TOTPDevice.objects.get(user=user_a, confirmed=True)
    assert new_device.pk != old_device.pk
    page.get_by_role("link", name="Ik heb de codes bewaard").click()
    page.get_by_role("button", name="Uitloggen").click()

    # The used code and the old phone's codes no longer open the door.
    log_in(page, "anna", password)
    page.fill("#id_code", codes[4])  # from the old set: replaced with the new phone
    page.get_by_role("button", name="Bevestigen").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").inner_text().startswith("Deze code klopt niet")
