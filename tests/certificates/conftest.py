import pytest

from tests.certificates.factories import use_test_ca


@pytest.fixture(scope="session")
def ca_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("ca")


@pytest.fixture(autouse=True)
def test_ca(settings, ca_dir):
    """Every test here uses one throw-away CA, never the developer's var/ca."""
    return use_test_ca(settings, ca_dir)
