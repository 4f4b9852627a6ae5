import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_page_is_in_dutch(anonymous_client):
    response = anonymous_client.get(reverse("login"))
    assert response.status_code == 200
    assert "Gebruikersnaam" in response.content.decode()
    assert "Wachtwoord vergeten?" in response.content.decode()


def test_practice_user_logs_in_and_lands_on_profile(anonymous_client, user_a, password):
    response = anonymous_client.post(
        reverse("login"), {"username": "anna", "password": password}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("practices:profile")
    assert "04123451" in response.content.decode()
