"""A small country of practices with real imports and stored statistics.

Zuid-Holland: practice A and B plus two more in A's network (a network of 4: too small), and two
practices without a network; Groningen: the practice elsewhere. National = 7 and Zuid-Holland = 6
have figures; A's network and "without network" (3) do not.
"""

import pytest
from django.db import transaction
from django.test import Client

from tests.dashboard.factories import make_imports, recompute
from tests.factories import NetworkFactory, PracticeFactory, UserFactory


@pytest.fixture
def world(practice_a, practice_b, practice_elsewhere, network):
    imports = {
        "a": make_imports(practice_a, seed=1),
        "b": make_imports(practice_b, seed=2),
        "elsewhere": make_imports(practice_elsewhere, seed=3),
    }
    for n, seed in ((1, 4), (2, 5)):
        peer = PracticeFactory(network=network, name=f"Netwerkpraktijk {n}")
        imports[f"network{n}"] = make_imports(peer, seed=seed)
    for n, seed in ((1, 6), (2, 7)):
        loner = PracticeFactory(network=None, name=f"Losse praktijk {n}")
        imports[f"loner{n}"] = make_imports(loner, seed=seed)
    recompute()
    return imports


@pytest.fixture
def import_a(world):
    """Practice A's current-year import (Q1–Q2 2026)."""
    return world["a"][-1]


# The same country built once per module (inside a transaction rolled back at the module's end;
# each test runs in a savepoint within it), for tests that only read.
@pytest.fixture(scope="module")
def country(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
        try:
            network = NetworkFactory(number=7, name="Fysio Netwerk Groene Hart")
            a = PracticeFactory(
                agb_code="04123451",
                name="Fysiotherapie Parabench",
                postcode="2741 GA",
                city="Waddinxveen",
                network=network,
            )
            b = PracticeFactory(agb_code="04999001", name="Fysio Gouda", network=network)
            imports = {"a": make_imports(a, seed=1), "b": make_imports(b, seed=2)}
            elsewhere = PracticeFactory(name="Fysio Groningen", postcode="9711 AA", province="GR")
            imports["elsewhere"] = make_imports(elsewhere, seed=3)
            for n, seed in ((1, 4), (2, 5)):
                peer = PracticeFactory(network=network, name=f"Netwerkpraktijk {n}")
                imports[f"network{n}"] = make_imports(peer, seed=seed)
            for n, seed in ((1, 6), (2, 7)):
                loner = PracticeFactory(network=None, name=f"Losse praktijk {n}")
                imports[f"loner{n}"] = make_imports(loner, seed=seed)
            recompute()
            users = {
                "a": UserFactory(username="anna", practice=a),
                "b": UserFactory(username="bram", practice=b),
            }
            yield {"imports": imports, "users": users, "a": a}
        finally:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


@pytest.fixture
def imp(country):
    """Practice A's current-year import (Q1–Q2 2026)."""
    return country["imports"]["a"][-1]


@pytest.fixture
def owner(country):
    """Practice A's user, logged in."""
    client = Client()
    client.force_login(country["users"]["a"])
    return client
