"""A practice's pages served by the portal process as deployed (``parabench.asgi`` on uvicorn):
on PostgreSQL its statements are prepared (server-side binding), which the in-process tests do
not use, so every page a practice user opens is asked for here three times — psycopg prepares
a statement at its second run, the third runs the prepared one."""

import http.client

import pytest
from django.db import connection
from django.urls import reverse

from parabench.benchmark.queries import TREND_KPIS
from parabench.dashboard import presentation
from tests.dashboard.browser_world import (  # noqa: F401  (the world's personas)
    network,
    practice_a,
    practice_b,
    practice_elsewhere,
)
from tests.portal_process import log_in

pytestmark = pytest.mark.slow

GROUPS = ("national", "region", "network")


def _practice_pages(imp) -> list[str]:
    detail = reverse("dashboard:detail", kwargs={"import_id": imp.pk})
    pages = [reverse("practices:profile"), reverse("uitleg"), reverse("dashboard:latest")]
    for group in GROUPS:
        pages += [f"{detail}?groep={group}&tab={tab}" for tab in presentation.TAB_KEYS]
        pages += [f"{detail}?groep={group}&tab=trends&kengetal={kpi}" for kpi in TREND_KPIS]
        for name in ("dashboard:xlsx", "dashboard:csv"):
            pages.append(f"{reverse(name, kwargs={'import_id': imp.pk})}?groep={group}")
    return pages


def _get(port: int, path: str, session: str) -> int:
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection_.request("GET", path, headers={"Cookie": f"sessionid={session}"})
    response = connection_.getresponse()
    response.read()
    return response.status


def _portal_statements() -> list[str]:
    """The last statement of each of the portal's connections to the test database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT query FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND query <> ''"
        )
        return [row[0] for row in cursor.fetchall()]


def test_every_page_of_a_practice_answers_from_the_portal_process_again_and_again(
    start_portal, world, import_a, user_a, password
):
    port = start_portal()
    status, cookies = log_in(port, "anna", password)
    assert status == 302
    session = cookies["sessionid"].value
    pages = _practice_pages(import_a)
    answers = {}
    for _round in range(3):
        for path in pages:
            answers.setdefault(path, []).append(_get(port, path, session))
    assert {path: codes for path, codes in answers.items() if codes != [200] * 3} == {
        reverse("dashboard:latest"): [302] * 3
    }
    if connection.vendor == "postgresql":
        # Prepared: PostgreSQL shows the portal's statements with $1-style parameters, as
        # server-side binding sends them (client-side binding would have put the values in).
        statements = _portal_statements()
        assert any("$1" in sql for sql in statements), statements
