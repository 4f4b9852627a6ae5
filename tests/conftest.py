"""Personas: practice A, practice B in its network, a practice elsewhere, an operator, anonymous.

A test that proves nothing leaks first creates the data that could leak, so most tests ask for
several personas at once.
"""

import pytest
from django.test import Client
from django.utils import translation

from tests.factories import (
    PASSWORD,
    PracticeFactory,
    UserFactory,
    persona_network,
    persona_practice_a,
    persona_practice_b,
)

# Playwright fixtures (browser, page) once for the whole run: two sync Playwright instances in
# one process clash.
pytest_plugins = ["tests.browser_support"]


@pytest.fixture(autouse=True)
def dutch_between_tests():
    """Each test starts in Dutch: a request in English leaves its language active in the thread,
    as it would in a server thread until the next request activates its own."""
    translation.activate("nl")
    yield
    translation.deactivate()


@pytest.fixture
def network(db):
    return persona_network()


@pytest.fixture
def practice_a(network):
    return persona_practice_a(network)


@pytest.fixture
def practice_b(network):
    return persona_practice_b(network)


@pytest.fixture
def practice_elsewhere(db):
    return PracticeFactory(
        agb_code="04555001",
        name="Fysio Groningen",
        postcode="9711 AA",
        city="Groningen",
        province="GR",
    )


@pytest.fixture
def user_a(practice_a):
    return UserFactory(username="anna", practice=practice_a)


@pytest.fixture
def user_b(practice_b):
    return UserFactory(username="bram", practice=practice_b)


@pytest.fixture
def user_elsewhere(practice_elsewhere):
    return UserFactory(username="gerda", practice=practice_elsewhere)


@pytest.fixture
def operator(db):
    return UserFactory(username="beheerder", practice=None, is_staff=True, is_superuser=True)


def _client_for(user) -> Client:
    """Logged in; operators also passed their second factor (required for them, issue 20)."""
    from tests.accounts.factories import verify_session

    client = Client()
    client.force_login(user)
    if user.is_staff:
        verify_session(client, user)
    return client


@pytest.fixture
def client_a(user_a):
    return _client_for(user_a)


@pytest.fixture
def client_b(user_b):
    return _client_for(user_b)


@pytest.fixture
def client_elsewhere(user_elsewhere):
    return _client_for(user_elsewhere)


@pytest.fixture
def operator_client(operator):
    return _client_for(operator)


@pytest.fixture
def anonymous_client():
    return Client()


@pytest.fixture
def password():
    return PASSWORD
