import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_profile_shows_the_practice_with_its_leading_zero(client_a):
    page = client_a.get(reverse("practices:profile")).content.decode()
    assert "04123451" in page
    assert "Fysiotherapie Parabench" in page
    assert "100234" in page
    assert "Dorpsstraat 12" in page
    assert "2741 GA Waddinxveen" in page
    assert "7 – Fysio Netwerk Groene Hart" in page
    assert "klant" in page


def test_profile_shows_the_navigation(client_a):
    page = client_a.get(reverse("practices:profile")).content.decode()
    for label in ("Profiel", "Dashboard", "Uitloggen"):
        assert label in page


def test_profile_says_geen_netwerk_for_a_practice_without_one(client_elsewhere):
    page = client_elsewhere.get(reverse("practices:profile")).content.decode()
    assert "Geen netwerk" in page


def test_profile_never_shows_another_practice(client_b, practice_a):
    page = client_b.get(reverse("practices:profile")).content.decode()
    assert practice_a.agb_code not in page
    assert practice_a.name not in page


def test_anonymous_visitor_is_sent_to_login(anonymous_client):
    response = anonymous_client.get(reverse("practices:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_operator_without_a_practice_gets_404_on_the_profile(operator_client):
    assert operator_client.get(reverse("practices:profile")).status_code == 404
