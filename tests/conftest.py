"""Personas: practice A, practice B in its network, a practice elsewhere, an operator, anonymous.

A test that proves nothing leaks first creates the data that could leak, so most tests ask for
several personas at once.
"""

import gc
import inspect
import re
from collections import defaultdict
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.test import Client, override_settings
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
pytest_plugins = ["tests.browser_support", "tests.portal_process"]

# --- Tests that cannot reach a database run in one half of `make test` only ---------------------

# pytest-django lets a test touch the database only through these (or its django_db marker).
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}
# A module that starts Django in a child process hands it this process's database (by
# DATABASE_URL, the test database's URL, or the settings it boots with): its tests always run.
CHILD_DJANGO = re.compile(
    r"DATABASE_URL|database_url\(|child_env|manage\.py|parabench\.embedded|"
    r"django\.setup|DJANGO_SETTINGS_MODULE"
)


def pytest_addoption(parser):
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that can reach a database (the PostgreSQL half of make test; "
        "the SQLite half runs every test)",
    )


def _starts_django(source_of, thing) -> bool:
    if thing not in source_of:
        try:
            source_of[thing] = bool(CHILD_DJANGO.search(inspect.getsource(thing)))
        except (OSError, TypeError):
            source_of[thing] = False
    return source_of[thing]


def _uses_test_database(item) -> bool:
    """Uses this process's test database: a django_db marker or a database fixture (pytest-django's
    rule, also for its order)."""
    return bool(item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(item.fixturenames))


def reaches_database(item, source_of: dict) -> bool:
    """Whether a test can see which database it runs on: in this process (pytest-django blocks
    every other test's access, so a test wrongly left out fails in the SQLite half), through a
    fixture that unblocks it for a module's world, or in a child process that its module or one
    of its fixtures starts."""
    if _uses_test_database(item):
        return True
    if _starts_django(source_of, item.module):
        return True
    for definitions in item._fixtureinfo.name2fixturedefs.values():
        for definition in definitions:
            if getattr(definition.func, "__module__", "").startswith(("pytest_django", "_pytest")):
                continue
            if "django_db_blocker" in definition.argnames or _starts_django(
                source_of, definition.func
            ):
                return True
    return False


def pytest_collection_finish(session):
    """Python's cyclic garbage collector over fewer objects, less often.

    A test process holds a large heap that lives as long as the run (Django, Hypothesis,
    Playwright, every collected test), and the collector walked it again and again: 11.0 s of
    75.5 s CPU in tests/dashboard, tests/benchmark and tests/client (gc.callbacks, 29 November
    2026). Frozen after collection, and collected after 10,000 new objects instead of 700: 4.2 s,
    67.8 s in all. Cycles are still collected, later; ``gc.collect()`` works as before."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


def _database_tests_only(config, items) -> None:
    source_of: dict = {}
    kept, once = [], []
    for item in items:
        (kept if reaches_database(item, source_of) else once).append(item)
    if once:
        config.hook.pytest_deselected(items=once)
        items[:] = kept


@pytest.hookimpl(trylast=True)  # after pytest-django's sort
def pytest_collection_modifyitems(config, items):
    if config.getoption("database_tests_only"):
        _database_tests_only(config, items)
    _modules_together(items)


def _modules_together(items) -> None:
    """Each module's tests that use no database run beside its database tests.

    pytest-django runs every test that rolls back first, then the transactional ones, then those
    without a database, so a module with tests of more than one kind had its module fixtures
    set up once per kind: collectstatic, the lean client's wheel, the demo's world twice per
    half (test_static_files' two set-ups took 5.3 of its 6.6 s). Tests without a database
    cannot be affected by the order, so they move; the database order stays Django's.
    """
    database = [_uses_test_database(item) for item in items]
    last = {item.module: i for i, item in enumerate(items) if database[i]}
    moved = defaultdict(list)
    for i, item in enumerate(items):
        if item.module in last and not database[i]:
            moved[item.module].append(item)
    if not moved:
        return
    ordered = []
    for i, item in enumerate(items):
        if database[i]:
            ordered.append(item)
            if last[item.module] == i:
                ordered += moved.pop(item.module, [])
        elif item.module not in last:
            ordered.append(item)
    items[:] = ordered


# Rows every migrated database holds alike, made again by ``post_migrate`` after each flush.
KEPT_BY_FLUSH = {"django_content_type", "auth_permission"}


@contextmanager
def kept_through_flushes(tables):
    """While the block runs, ``tables`` keep their rows through each transactional test's flush
    (``quick_flush``): a module's world committed once and only read by its tests."""
    added = set(tables) - KEPT_BY_FLUSH
    KEPT_BY_FLUSH.update(added)
    try:
        yield
    finally:
        KEPT_BY_FLUSH.difference_update(added)


@pytest.fixture(autouse=True, scope="session")
def quick_flush():
    """After a transactional test (``transactional_db``, ``live_server``) Django empties every
    table, then ``post_migrate`` makes the content types and permissions again. Measured per
    test (load 5–8): on PostgreSQL its one ``TRUNCATE`` took 1.0–1.7 s however little a test
    wrote (each table gets new files) against 2–17 ms for ``DELETE FROM`` each, and making the
    content types and permissions again 0.4–0.7 s (SQLite 0.16 s) against 0.12 s for checking
    that they are there; 99 such tests paid 120 s per PostgreSQL half. So content types and
    permissions stay, and PostgreSQL deletes. ``DELETE`` in any order is safe: Django's foreign
    keys are ``DEFERRABLE INITIALLY DEFERRED`` and ``flush`` runs in one transaction. Resetting
    sequences or cascading to other tables still goes through Django's own statement."""
    from django.db import connection

    operations = type(connection.ops)
    original = operations.sql_flush
    delete = connection.vendor == "postgresql"

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        tables = [table for table in tables if table not in KEPT_BY_FLUSH]
        if not delete or reset_sequences or allow_cascade:
            options = {"reset_sequences": reset_sequences, "allow_cascade": allow_cascade}
            return original(self, style, tables, **options)
        keyword = style.SQL_KEYWORD("DELETE FROM")
        return [f"{keyword} {style.SQL_FIELD(self.quote_name(table))};" for table in tables]

    operations.sql_flush = sql_flush
    yield
    operations.sql_flush = original


@pytest.fixture(autouse=True, scope="session")
def quick_argon2():
    """Passwords hashed and checked by Argon2 at its lowest cost (tests/hashers.py); production's
    own hasher and cost are checked in tests/accounts/test_login.py."""
    with override_settings(
        PASSWORD_HASHERS=["tests.hashers.QuickArgon2PasswordHasher", *settings.PASSWORD_HASHERS]
    ):
        yield


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
