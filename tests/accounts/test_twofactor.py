"""Two-factor login: required for operators, optional for practices; lock-out and audit apply."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from parabench.accounts import twofactor
from parabench.accounts.models import LoginEvent
from tests.accounts.factories import current_code, totp_device

pytestmark = pytest.mark.django_db


def log_in(client, username, password, path=None):
    url = reverse("login") + (f"?next={path}" if path else "")
    return client.post(url, {"username": username, "password": password, "next": path or ""})


def test_an_operator_without_two_factor_cannot_reach_the_back_office(operator, password):
    client = Client()
    log_in(client, "beheerder", password)
    for path in ("/backoffice/", "/backoffice/certificates/clientcertificate/", "/profiel/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("two_factor_setup"))
    # The unsafe rule (password alone) would have opened it: the same session, marked verified.
    from tests.accounts.factories import verify_session

    assert verify_session(client, operator).get("/backoffice/").status_code == 200


def test_the_back_office_itself_also_refuses_an_unverified_operator(operator, password):
    """Defence in depth: without the middleware the admin site still asks for the second factor."""
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/backoffice/")
    request.user = operator
    operator.is_verified = lambda: False
    assert admin.site.has_permission(request) is False
    operator.is_verified = lambda: True
    assert admin.site.has_permission(request) is True


def test_an_operator_with_a_device_is_asked_for_the_code_and_then_let_in(operator, password):
    device = totp_device(operator)
    client = Client()
    log_in(client, "beheerder", password)
    assert client.get("/backoffice/")["Location"].startswith(reverse("two_factor_verify"))
    wrong = client.post(reverse("two_factor_verify"), {"code": "000000", "next": "/backoffice/"})
    assert wrong.status_code == 400 and "klopt niet" in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0  # django-otp's own back-off; not what is tested here
    device.save()
    right = client.post(
        reverse("two_factor_verify"), {"code": current_code(device), "next": "/backoffice/"}
    )
    assert right["Location"] == "/backoffice/"
    assert client.get("/backoffice/").status_code == 200
    actions = list(LoginEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["password_ok", "otp_failed", "otp_ok"]


def test_a_practice_user_without_two_factor_logs_in_with_the_password_alone(user_a, password):
    client = Client()
    log_in(client, "anna", password)
    assert client.get("/profiel/").status_code == 200


def test_a_practice_user_who_switched_it_on_needs_the_code(user_a, password):
    totp_device(user_a)
    client = Client()
    log_in(client, "anna", password)
    response = client.get("/dashboard/")
    assert response["Location"].startswith(reverse("two_factor_verify"))


def test_wrong_codes_count_towards_the_same_lock_out_as_wrong_passwords(user_a, password, settings):
    device = totp_device(user_a)
    client = Client()
    log_in(client, "anna", password)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("two_factor_verify"), {"code": "111111"})
        assert response.status_code == 400
    locked = client.post(reverse("two_factor_verify"), {"code": "111111"})
    assert locked.status_code == 429
    assert "Tijdelijk geblokkeerd" in locked.content.decode()
    # Logged out, and the password no longer opens the door either.
    assert client.get("/profiel/")["Location"].startswith(reverse("login"))
    assert "Tijdelijk geblokkeerd" in log_in(client, "anna", password).content.decode()
    assert LoginEvent.objects.filter(action="locked_out", user=user_a).exists()
    # Even the right code would not have helped once locked: axes' counter is the authority.
    assert device.user_id == user_a.pk


def test_a_recovery_code_works_once_when_the_phone_is_lost(user_a, password):
    client = Client()
    log_in(client, "anna", password)
    setup = client.get(reverse("two_factor_setup"))
    codes_page = client.post(
        reverse("two_factor_setup"), {"code": current_code(setup.context["secret"])}
    )
    codes = codes_page.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    client.post(reverse("logout"))

    log_in(client, "anna", password)
    used = client.post(reverse("two_factor_verify"), {"code": codes[0], "next": "/profiel/"})
    assert used["Location"] == "/profiel/"
    assert client.get("/profiel/").status_code == 200
    client.post(reverse("logout"))
    log_in(client, "anna", password)
    again = client.post(reverse("two_factor_verify"), {"code": codes[0]})
    assert again.status_code == 400
    assert LoginEvent.objects.filter(action="recovery_used").count() == 1


def test_operators_cannot_switch_two_factor_off_practice_users_can(
    operator_client, client_a, user_a, operator
):
    operator_client.post(reverse("two_factor_off"))
    assert TOTPDevice.objects.filter(user=operator).exists()
    totp_device(user_a)
    from tests.accounts.factories import verify_session

    verify_session(client_a, user_a).post(reverse("two_factor_off"))
    assert not twofactor.has_second_factor(user_a)
    assert LoginEvent.objects.filter(action="2fa_off", user=user_a).exists()


def test_the_next_parameter_cannot_send_the_user_to_another_site(user_a, password):
    device = totp_device(user_a)
    client = Client()
    log_in(client, "anna", password)
    response = client.post(
        reverse("two_factor_verify"),
        {"code": current_code(device), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_a_device_removed_by_an_operator_mid_session_does_not_trap_the_user(user_a, password):
    device = totp_device(user_a)
    client = Client()
    log_in(client, "anna", password)
    assert client.get("/profiel/")["Location"].startswith(reverse("two_factor_verify"))
    device.delete()  # e.g. the operator reset a lost phone in the back office
    response = client.get(reverse("two_factor_verify") + "?next=/profiel/")
    assert response["Location"] == "/profiel/"
    assert client.get("/profiel/").status_code == 200


def test_a_practice_page_costs_no_device_query_for_a_user_without_two_factor(client_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client_a.get("/profiel/")
    with CaptureQueriesContext(connection) as captured:
        assert client_a.get("/profiel/").status_code == 200
    assert captured.captured_queries
    assert not any("otp_" in query["sql"] for query in captured.captured_queries)
