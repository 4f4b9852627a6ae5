"""Persona tests of the coordinator pages: the coordinator of network A against the practices of
network B, a member that does not consent, and consent withdrawn in the middle of a session.

The world holds figures that could leak — each practice's own values are distinctive (sizes
1 … 11 times the factory's template) — and every test first shows where those values *are*
served, so that "not in the page" is known to be able to fail.
"""

import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from parabench.accounts.models import User
from parabench.benchmark.recompute import recompute_all
from parabench.coordination.models import CoordinatorView
from parabench.dashboard.presentation import value_format
from parabench.practices.models import Network, Practice
from parabench.uploads.models import Import
from tests.benchmark.factories import make_import
from tests.coordination.factories import ConsentFactory, CoordinatorFactory
from tests.factories import (
    PASSWORD,
    NetworkFactory,
    PracticeFactory,
    UserFactory,
    persona_network,
    persona_practice_a,
    persona_practice_b,
)

pytestmark = pytest.mark.django_db

# An own figure whose printed form identifies a practice: more significant digits than any
# published group figure has (2 or 3), so it cannot coincide with one (€ 179.794); ratios do not
# identify here (the factory's practices differ only in scale).
IDENTIFYING = ("revenue",)


def _login(user) -> Client:
    client = Client()
    assert client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    return client


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """Network A (7, Groene Hart): practice_a consents, practice_b does not, four more members.
    Network B: six practices, one consenting; its own coordinator.

    Built once for the module (imports and statistics take seconds), inside a transaction rolled
    back at the module's end; each test runs in a savepoint within it, so what a test changes
    (consent withdrawn, a practice moved) is undone before the next one."""
    with django_db_blocker.unblock(), transaction.atomic():
        network = persona_network()
        practice_a = persona_practice_a(network)
        practice_b = persona_practice_b(network)
        user_a = UserFactory(username="anna", practice=practice_a)
        UserFactory(username="bram", practice=practice_b)
        other = NetworkFactory(number=8, name="Netwerk Oost")
        a_members = [practice_a, practice_b] + [PracticeFactory(network=network) for _ in range(4)]
        b_members = [PracticeFactory(network=other, province="GE") for _ in range(6)]
        for size, practice in enumerate(a_members + b_members, start=1):
            make_import(practice, 2025, size=size, recompute=False)
        recompute_all()
        ConsentFactory(practice=practice_a, by=user_a)
        ConsentFactory(practice=b_members[0])
        coordinator = CoordinatorFactory(network=network, user__username="coco")
        CoordinatorFactory(network=other, user__username="olaf")
        yield {
            "a": network.pk,
            "b": other.pk,
            "a_members": [p.pk for p in a_members],
            "b_members": [p.pk for p in b_members],
            "coordinator": coordinator.user.pk,
        }
        transaction.set_rollback(True)


@pytest.fixture
def world(built, db):
    """The module's world, fetched afresh for each test (a test may change its objects)."""

    def practices(pks):
        by_pk = Practice.objects.in_bulk(pks)
        return [by_pk[pk] for pk in pks]

    return {
        "a": Network.objects.get(pk=built["a"]),
        "b": Network.objects.get(pk=built["b"]),
        "a_members": practices(built["a_members"]),
        "b_members": practices(built["b_members"]),
        "coordinator": User.objects.get(pk=built["coordinator"]),
    }


# The personas of tests/conftest.py, here those of the module's world.
@pytest.fixture
def network(world):
    return world["a"]


@pytest.fixture
def practice_a(world):
    return world["a_members"][0]


@pytest.fixture
def practice_b(world):
    return world["a_members"][1]


@pytest.fixture
def user_a(practice_a):
    return practice_a.users.get()


@pytest.fixture
def user_b(practice_b):
    return practice_b.users.get()


def _own_texts(practice) -> set[str]:
    """How the practice's identifying figures are printed on its own dashboard."""
    from parabench.benchmark import catalogue as cat
    from parabench.benchmark.queries import dashboard_for

    imp = Import.objects.get(practice=practice, is_current=True)
    board = dashboard_for(imp, "national")
    texts = set()
    for figure in board.kpis:
        if figure.code in IDENTIFYING:
            kpi = cat.KPI_BY_CODE[figure.code]
            texts.add(value_format(kpi.number_format, kpi.unit)(figure.value))
    return texts


def _network_urls(network, practices) -> list[str]:
    number = network.number
    return [
        reverse("coordination:participation", args=[number]),
        reverse("coordination:distribution", args=[number]),
        reverse("coordination:distribution", args=[number]) + "?jaar=2025",
        reverse("coordination:trend", args=[number]),
    ] + [reverse("coordination:member", args=[number, p.agb_code]) for p in practices]


def _every_url(world) -> list[str]:
    everyone = world["a_members"] + world["b_members"]
    return _network_urls(world["a"], everyone) + _network_urls(world["b"], everyone)


def _cells(page: str) -> set[str]:
    """The page's table cells, where figures are printed."""
    return {c.strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", page, re.S)}


def test_the_coordinator_of_network_a_gets_404_on_every_page_of_network_b(world):
    client = _login(world["coordinator"])
    for url in _network_urls(world["b"], world["a_members"] + world["b_members"]):
        assert client.get(url).status_code == 404, url
    # …while network B's own coordinator is served the same pages.
    own = _login(world["b"].coordinators.get().user)
    assert own.get(reverse("coordination:participation", args=[8])).status_code == 200


def test_a_coordinator_sees_a_consenting_member_by_name_and_never_a_non_consenting_one(
    world, practice_a, practice_b
):
    client = _login(world["coordinator"])
    a_page = client.get(reverse("coordination:member", args=[7, practice_a.agb_code]))
    assert a_page.status_code == 200
    assert _own_texts(practice_a) <= set(re.findall(r">([^<>]+)<", a_page.content.decode()))

    hidden = _own_texts(practice_b)
    # Where practice_b's figures are served: its own dashboard.
    own = _login(practice_b.users.get())
    imp = Import.objects.get(practice=practice_b, is_current=True)
    own_page = own.get(reverse("dashboard:detail", args=[imp.pk]), {"tab": "finance"})
    assert hidden <= _cells(own_page.content.decode())

    assert (
        client.get(reverse("coordination:member", args=[7, practice_b.agb_code])).status_code == 404
    )
    for url in _every_url(world):
        response = client.get(url)
        if response.status_code != 200:
            continue
        cells = _cells(response.content.decode())
        assert [t for t in hidden if t in cells] == [], (url, hidden)


def test_withdrawn_consent_holds_from_the_coordinators_next_request(world, practice_a, user_a):
    coordinator = _login(world["coordinator"])
    url = reverse("coordination:member", args=[7, practice_a.agb_code])
    assert coordinator.get(url).status_code == 200
    participation = coordinator.get(reverse("coordination:participation", args=[7]))
    assert url in participation.content.decode()

    practice_side = _login(user_a)
    response = practice_side.post(reverse("coordination:consent"), {"toestemming": "nee"})
    assert response.status_code == 302

    assert coordinator.get(url).status_code == 404
    participation = coordinator.get(reverse("coordination:participation", args=[7]))
    assert url not in participation.content.decode()
    profile = practice_side.get(reverse("practices:profile")).content.decode()
    assert "toestemming ingetrokken" in profile and "toestemming gegeven" in profile


def test_consent_does_not_follow_a_practice_to_another_network(world, practice_a):
    practice_a.network = world["b"]
    practice_a.save()
    olaf = _login(world["b"].coordinators.get().user)
    assert (
        olaf.get(reverse("coordination:member", args=[8, practice_a.agb_code])).status_code == 404
    )
    coco = _login(world["coordinator"])
    assert (
        coco.get(reverse("coordination:member", args=[7, practice_a.agb_code])).status_code == 404
    )


def test_practices_operators_and_visitors_get_no_coordinator_page(
    world, client_a, client_b, operator_client
):
    urls = _every_url(world)
    for client in (client_a, client_b, operator_client):
        assert client.get(reverse("coordination:networks")).status_code == 404
        for url in urls:
            assert client.get(url).status_code == 404, url
    anonymous = Client()
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_participation_shows_who_sent_which_year_and_no_figure(world, practice_b):
    client = _login(world["coordinator"])
    page = client.get(reverse("coordination:participation", args=[7])).content.decode()
    assert practice_b.name in page and "2025" in page
    for practice in world["a_members"]:
        for text in _own_texts(practice):
            assert text not in _cells(page)


def test_the_distribution_serves_the_networks_published_figures_and_nothing_else(world, user_a):
    """The coordinator's figures of the network are exactly those a member's dashboard serves."""
    coordinator = _login(world["coordinator"])
    page = coordinator.get(reverse("coordination:distribution", args=[7])).content.decode()
    row = re.search(r'<tr data-kpi="patients">(.*?)</tr>', page, re.S).group(1)
    network_cells = re.findall(r'data-group="network">([^<]*)<', row)
    member = _login(user_a)
    imp = Import.objects.get(practice__agb_code="04123451", is_current=True)
    dashboard = member.get(
        reverse("dashboard:detail", args=[imp.pk]), {"groep": "network", "tab": "patients"}
    ).content.decode()
    published = [c for c in network_cells if c != "–"]
    assert published  # a network of 6: the median
    for cell in published:
        assert cell in dashboard


def test_a_network_below_five_shows_no_figures_to_its_coordinator(db):
    small = NetworkFactory(number=9, name="Klein")
    for size in range(1, 5):
        make_import(PracticeFactory(network=small), 2025, size=size, recompute=False)
    recompute_all()
    client = _login(CoordinatorFactory(network=small).user)
    for name in ("distribution", "trend"):
        page = client.get(reverse(f"coordination:{name}", args=[9])).content.decode()
        assert 'data-testid="too-small"' in page
        assert 'data-group="network"' not in page


def test_every_coordinator_page_is_in_the_audit_trail(world, practice_a):
    client = _login(world["coordinator"])
    for url in _network_urls(world["a"], [practice_a]):
        client.get(url)
    logged = list(
        CoordinatorView.objects.filter(user=world["coordinator"]).values_list("page", "practice")
    )
    assert sorted(logged, key=str) == sorted(
        [
            ("participation", None),
            ("distribution", None),
            ("distribution", None),
            ("trend", None),
            ("practice", practice_a.pk),
        ],
        key=str,
    )


def test_a_coordinator_of_two_networks_chooses_between_them_after_login(world):
    user = world["coordinator"]
    CoordinatorFactory(user=user, network=world["b"])
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert client.get(response["Location"], follow=True).redirect_chain[-1][0] == reverse(
        "coordination:networks"
    )
    page = client.get(reverse("coordination:networks")).content.decode()
    assert "Groene Hart" in page and "Netwerk Oost" in page
    assert client.get(reverse("coordination:participation", args=[8])).status_code == 200


def test_a_practice_user_who_coordinates_is_still_led_to_its_profile(world, user_a):
    CoordinatorFactory(user=user_a, network=world["a"])
    client = _login(user_a)
    assert client.get("/")["Location"] == reverse("practices:profile")
    assert 'href="/netwerken/"' in client.get(reverse("practices:profile")).content.decode()


def test_a_user_without_role_is_not_sent_anywhere_new(db):
    user = UserFactory(practice=None)
    client = _login(user)
    assert client.get("/")["Location"] == reverse("practices:profile")
