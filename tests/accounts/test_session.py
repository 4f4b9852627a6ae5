"""When a login ends: browser closed, 30 minutes without activity, logging out — with a message."""

import time

import pytest
from django.urls import reverse

from parabench.accounts.session import LAST_SEEN

pytestmark = pytest.mark.django_db


def log_in(client, password):
    response = client.post(reverse("login"), {"username": "anna", "password": password})
    assert response.status_code == 302
    return response


def go_quiet(client, minutes: float) -> None:
    session = client.session
    session[LAST_SEEN] = time.time() - minutes * 60
    session.save()


def test_the_session_cookie_ends_with_the_browser(anonymous_client, user_a, password):
    cookie = log_in(anonymous_client, password).cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""


def test_the_session_cookie_outlived_the_browser_when_the_setting_is_off(
    anonymous_client, user_a, password, settings
):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = False  # the old behaviour: 8 hours on disk
    cookie = log_in(anonymous_client, password).cookies["sessionid"]
    assert int(cookie["max-age"]) == 8 * 3600


def test_thirty_quiet_minutes_end_the_login_with_a_message(anonymous_client, user_a, password):
    log_in(anonymous_client, password)
    go_quiet(anonymous_client, 31)
    response = anonymous_client.get(reverse("practices:profile"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "30 minuten niets heeft gedaan" in response.content.decode()
    # Really ended: the next request is not logged in either.
    assert anonymous_client.get(reverse("practices:profile")).status_code == 302


def test_twenty_nine_quiet_minutes_keep_the_login(anonymous_client, user_a, password):
    log_in(anonymous_client, password)
    go_quiet(anonymous_client, 29)
    assert anonymous_client.get(reverse("practices:profile")).status_code == 200
    # Activity restarts the clock.
    assert time.time() - anonymous_client.session[LAST_SEEN] < 5


def test_the_quiet_time_is_configurable(anonymous_client, user_a, password, settings):
    settings.SESSION_IDLE_MINUTES = 60
    log_in(anonymous_client, password)
    go_quiet(anonymous_client, 31)
    assert anonymous_client.get(reverse("practices:profile")).status_code == 200


def test_logging_out_says_so_on_the_login_page(anonymous_client, user_a, password):
    log_in(anonymous_client, password)
    response = anonymous_client.post(reverse("logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "U bent uitgelogd" in response.content.decode()
