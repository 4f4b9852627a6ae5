"""A practice user, in a real Chromium, logs in, sees the profile and logs out again."""

import pytest

from tests.browser_support import log_in, screenshot

pytestmark = pytest.mark.browser


def test_practice_user_logs_in_sees_the_profile_with_agb_code_and_logs_out(page, user_a, password):
    log_in(page, "anna", password)
    assert page.locator("[data-field=agb_code]").inner_text() == "04123451"
    assert page.get_by_role("heading", name="Praktijk", exact=True).is_visible()
    screenshot(page, "foundation", "profiel")

    page.get_by_role("button", name="Uitloggen").click()
    page.goto("/profiel/")
    assert "/inloggen/" in page.url
    assert page.get_by_role("heading", name="Inloggen").is_visible()


def test_a_wrong_password_shows_a_dutch_message_in_the_browser(page, user_a):
    log_in(page, "anna", "niet-het-wachtwoord")
    assert (
        page.get_by_role("alert").inner_text().startswith("Gebruikersnaam of wachtwoord klopt niet")
    )


def test_the_login_lives_only_as_long_as_the_browser_and_logging_out_says_so(
    page, user_a, password
):
    log_in(page, "anna", password)
    session = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    assert session["expires"] == -1  # a session cookie: gone when the browser closes
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_load_state()
    assert "/inloggen/" in page.url
    assert "U bent uitgelogd" in page.locator(".messages").inner_text()
