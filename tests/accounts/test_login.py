import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, identify_hasher, make_password
from django.urls import reverse
from django.utils.module_loading import import_string

from parabench.accounts.models import User
from tests.accounts.tasks import run_queued_tasks
from tests.hashers import QuickArgon2PasswordHasher

pytestmark = pytest.mark.django_db


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password}, follow=True)


def test_login_page_is_in_dutch(anonymous_client):
    page = anonymous_client.get(reverse("login")).content.decode()
    assert "Gebruikersnaam" in page
    assert "Wachtwoord vergeten?" in page


def test_practice_user_logs_in_and_lands_on_profile(anonymous_client, user_a, password):
    response = login(anonymous_client, "anna", password)
    assert response.redirect_chain[-1][0] == reverse("practices:profile")
    assert "04123451" in response.content.decode()


def test_a_wrong_password_gives_a_dutch_message(anonymous_client, user_a):
    response = login(anonymous_client, "anna", "fout-wachtwoord")
    assert "Gebruikersnaam of wachtwoord klopt niet" in response.content.decode()


def test_logging_out_ends_the_session(anonymous_client, user_a, password):
    login(anonymous_client, "anna", password)
    anonymous_client.post(reverse("logout"))
    response = anonymous_client.get(reverse("practices:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_repeated_wrong_passwords_lock_the_account_for_a_while(anonymous_client, user_a, password):
    for _ in range(5):
        login(anonymous_client, "anna", "fout-wachtwoord")
    response = login(anonymous_client, "anna", password)
    assert response.status_code == 429
    assert "Tijdelijk geblokkeerd" in response.content.decode()


def test_passwords_are_hashed_with_argon2(user_a):
    assert identify_hasher(User.objects.get(pk=user_a.pk).password).algorithm == "argon2"


def test_production_hashes_with_django_s_argon2_at_its_full_cost():
    """The tests' own hasher is Argon2 at its lowest cost (tests/hashers.py); the portal's is
    Django's, at 100 MB, 2 passes and 8 lanes, and a login upgrades a cheaper hash to it."""
    from parabench import settings as production

    hasher = import_string(production.PASSWORD_HASHERS[0])()
    assert hasher.algorithm == "argon2" and type(hasher) is Argon2PasswordHasher
    assert (hasher.memory_cost, hasher.time_cost, hasher.parallelism) == (102400, 2, 8)
    assert hasher.must_update(make_password("x", hasher=QuickArgon2PasswordHasher()))


def test_forgotten_password_sends_a_reset_link(anonymous_client, user_a, mailoutbox):
    anonymous_client.post(reverse("password_reset"), {"email": user_a.email})
    run_queued_tasks()
    assert len(mailoutbox) == 1
    assert "/wachtwoord/instellen/" in mailoutbox[0].body
    assert "anna" in mailoutbox[0].body
