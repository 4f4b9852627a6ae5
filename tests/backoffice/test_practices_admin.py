import pytest
from django.urls import reverse

from parabench.practices.models import Practice

pytestmark = pytest.mark.django_db


def practice_form(**overrides):
    data = {
        "agb_code": "04123451",
        "debtor_number": "100234",
        "name": "Fysiotherapie Parabench",
        "status": "klant",
        "street": "Dorpsstraat 12",
        "postcode": "2741ga",
        "city": "Waddinxveen",
        "province": "",
        "network": "",
    }
    data.update(overrides)
    return data


def add_practice(client, **overrides):
    return client.post(reverse("admin:practices_practice_add"), practice_form(**overrides))


def test_operator_creates_a_practice_and_the_leading_zero_survives(operator_client):
    response = add_practice(operator_client)
    assert response.status_code == 302
    practice = Practice.objects.get()
    assert practice.agb_code == "04123451"
    assert practice.postcode == "2741 GA"
    assert practice.province == "ZH"
    listing = operator_client.get(reverse("admin:practices_practice_changelist")).content.decode()
    assert "04123451" in listing


def test_an_explicit_province_is_kept(operator_client):
    add_practice(operator_client, province="UT")
    assert Practice.objects.get().province == "UT"


@pytest.mark.parametrize("agb", ["0412345", "041234512", "04I23451", "abcdefgh"])
def test_an_agb_code_that_is_not_eight_digits_is_refused_in_dutch(operator_client, agb):
    response = add_practice(operator_client, agb_code=agb)
    assert response.status_code == 200
    assert "Een AGB-code bestaat uit precies 8 cijfers" in response.content.decode()
    assert not Practice.objects.exists()


def test_a_duplicate_agb_code_is_refused_in_dutch(operator_client, practice_a):
    response = add_practice(operator_client, agb_code=practice_a.agb_code, name="Kopie")
    assert response.status_code == 200
    assert "Er is al een praktijk met deze AGB-code." in response.content.decode()


@pytest.mark.parametrize("postcode", ["2741", "274 GA", "0741 GA", "2741 G4", "ABCD EF"])
def test_a_malformed_postcode_is_refused_in_dutch(operator_client, postcode):
    response = add_practice(operator_client, postcode=postcode)
    assert response.status_code == 200
    assert "Een postcode bestaat uit 4 cijfers en 2 letters" in response.content.decode()


def test_operator_creates_a_network(operator_client):
    response = operator_client.post(
        reverse("admin:practices_network_add"),
        {"number": "12", "name": "Fysio Zeeland", **network_inlines()},
    )
    assert response.status_code == 302


def test_a_practice_user_cannot_open_the_back_office(client_a):
    response = client_a.get(reverse("admin:practices_practice_changelist"))
    assert response.status_code == 302
    assert "/backoffice/login/" in response["Location"]


def network_inlines(coordinators=()) -> dict:
    """The management forms of the network page's inlines (coordinators, consents)."""
    data = {
        "coordinators-TOTAL_FORMS": str(len(coordinators)),
        "coordinators-INITIAL_FORMS": "0",
        "consents-TOTAL_FORMS": "0",
        "consents-INITIAL_FORMS": "0",
    }
    for i, user in enumerate(coordinators):
        data[f"coordinators-{i}-user"] = str(user.pk)
    return data
