import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
def test_an_unknown_page_says_so_in_dutch(client_a):
    response = client_a.get("/bestaat-niet/")
    assert response.status_code == 404
    assert "Deze pagina bestaat niet, of hoort niet bij uw praktijk." in response.content.decode()
