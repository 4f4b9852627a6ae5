"""A small country of practices with real imports and stored statistics.

Zuid-Holland: practice A and B plus two more in A's network (a network of 4: too small), and two
practices without a network; Groningen: the practice elsewhere. National = 7 and Zuid-Holland = 6
have figures; A's network and "without network" (3) do not.

Built once per module (``country``, inside a transaction rolled back at the module's end; each
test runs in a savepoint within it): building it takes seconds, asserting on it milliseconds.
Browser tests need the world committed for the live server: ``committed_world`` builds it once per
module and keeps its tables through each test's flush (tests/dashboard/browser_world.py).
"""

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from tests import conftest as root
from tests.dashboard.factories import make_imports, recompute
from tests.factories import (
    NetworkFactory,
    PracticeFactory,
    UserFactory,
    persona_network,
    persona_practice_a,
    persona_practice_b,
)


def build_country(a, b, elsewhere, network) -> dict:
    """Every practice's imports (2025 and Q1–Q2 2026), by name, and the group statistics."""
    imports = {
        "a": make_imports(a, seed=1),
        "b": make_imports(b, seed=2),
        "elsewhere": make_imports(elsewhere, seed=3),
    }
    for n, seed in ((1, 4), (2, 5)):
        peer = PracticeFactory(network=network, name=f"Netwerkpraktijk {n}")
        imports[f"network{n}"] = make_imports(peer, seed=seed)
    for n, seed in ((1, 6), (2, 7)):
        loner = PracticeFactory(network=None, name=f"Losse praktijk {n}")
        imports[f"loner{n}"] = make_imports(loner, seed=seed)
    recompute()
    return imports


def _rows(tables) -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.fixture(scope="module")
def committed_world(django_db_setup, django_db_blocker):
    """The country committed once per module, for browser tests (the live server reads it).

    Built per test it cost 0.4 s of CPU each time (10 builds per database half, 4 now); the
    browser tests only read it. Its tables (practices, imports, figures, statistics) are kept
    through each test's flush (tests/conftest.py, ``quick_flush``); users, sessions, two-factor
    devices and whatever else a test writes are flushed as before. After each test the kept tables
    must hold the same rows (``world``), and the module's end empties them."""
    with django_db_blocker.unblock():
        before = _rows(connection.introspection.table_names())
        network = persona_network()
        a = persona_practice_a(network)
        b = persona_practice_b(network)
        elsewhere = PracticeFactory(
            agb_code="04555001",
            name="Fysio Groningen",
            postcode="9711 AA",
            city="Groningen",
            province="GR",
        )
        imports = build_country(a, b, elsewhere, network)
        after = _rows(before)
        kept = {table for table, count in after.items() if count != before[table]}
        try:
            with root.kept_through_flushes(kept):
                yield {
                    "imports": imports,
                    "network": network,
                    "a": a,
                    "b": b,
                    "elsewhere": elsewhere,
                    "rows": {table: after[table] for table in kept},
                }
        finally:
            call_command("flush", interactive=False, verbosity=0)
            connection.close()  # as after each transactional test (TransactionTestCase)


@pytest.fixture
def world(committed_world, transactional_db):
    """The module's committed country; the test must leave its tables as it found them."""
    yield committed_world["imports"]
    rows = committed_world["rows"]
    assert _rows(rows) == rows, "a browser test changed the shared world's tables"


@pytest.fixture
def import_a(world):
    """Practice A's current-year import (Q1–Q2 2026)."""
    return world["a"][-1]


@pytest.fixture(scope="module")
def country(django_db_setup, django_db_blocker):
    """The same country once per module, with a user for A, B and the practice elsewhere."""
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
            elsewhere = PracticeFactory(name="Fysio Groningen", postcode="9711 AA", province="GR")
            imports = build_country(a, b, elsewhere, network)
            users = {
                "a": UserFactory(username="anna", practice=a),
                "b": UserFactory(username="bram", practice=b),
                "elsewhere": UserFactory(username="gerda", practice=elsewhere),
            }
            yield {"imports": imports, "users": users, "a": a}
        finally:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def imp(country):
    """Practice A's current-year import (Q1–Q2 2026)."""
    return country["imports"]["a"][-1]


@pytest.fixture
def owner(country):
    """Practice A's user, logged in."""
    return _logged_in(country["users"]["a"])


@pytest.fixture
def colleague(country):
    """Practice B's user (A's network), logged in."""
    return _logged_in(country["users"]["b"])


@pytest.fixture
def outsider(country):
    """The user of the practice in Groningen, logged in."""
    return _logged_in(country["users"]["elsewhere"])
