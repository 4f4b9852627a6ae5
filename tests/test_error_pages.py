import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
def test_an_unknown_page_says_so_in_dutch(client_a):
    response = client_a.get("/bestaat-niet/")
    assert response.status_code == 404
    assert "Deze pagina bestaat niet, of hoort niet bij uw praktijk." in response.content.decode()


def test_a_missing_static_file_is_a_404_not_a_server_error(anonymous_client, settings):
    assert settings.WHITENOISE_USE_FINDERS  # development: files are looked up by the finders
    response = anonymous_client.get("/static/css/bestaat-niet.css")
    assert response.status_code == 404
