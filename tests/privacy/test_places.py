"""Rule 7 of docs/privacy.md: a practice's place tells nothing beyond the published figures.

The attack: older imports of a year stay viewable and are placed in the *current* group, so a
practice that uploads made-up exports can read its place for value after value. Under the old
rules that place was the exact share of the group at or below the value — an oracle that, by
bisection, gives every order statistic of the group. Now the served place must follow from the
served figures alone; the test reads it over HTTP for several probes and derives it itself.
"""

import re

import numpy as np
import pytest
from django.urls import reverse

from parabench.benchmark import catalogue as cat
from parabench.benchmark import layout
from parabench.benchmark.kpis import with_growth
from parabench.benchmark.models import WindowValues
from parabench.benchmark.queries import _window_of
from parabench.benchmark.recompute import recompute_all
from tests.factories import NetworkFactory, PracticeFactory, UserFactory
from tests.privacy import world as country
from tests.privacy.views import _articles, _kpi_figures, login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

NAMES = {"p10": "P10", "p25": "P25", "median": "de mediaan", "p75": "P75", "p90": "P90"}
PROBES = 4


def _expected_place(value: float, published: dict[str, float]) -> str:
    """Where the value lies among the published figures, written out independently."""
    ordered = [(name, published[name]) for name in NAMES if name in published]
    first, last = ordered[0], ordered[-1]
    if value < first[1]:
        return f"onder {NAMES[first[0]]}"
    for (low, low_value), (high, high_value) in zip(ordered, ordered[1:], strict=False):
        if value == low_value:
            return f"gelijk aan {NAMES[low]}"
        if value < high_value:
            return f"tussen {NAMES[low]} en {NAMES[high]}"
    if value == last[1]:
        return f"gelijk aan {NAMES[last[0]]}"
    return f"boven {NAMES[last[0]]}"


def _served_places(page: str):
    for code, article in _articles(page, "kpi"):
        published = _kpi_figures(code, article)
        place = re.search(r"<dt>Plaats in de groep</dt><dd>(.*?)</dd>", article)
        if published and place:
            yield code, published, place.group(1)


def _own_values(imp) -> np.ndarray:
    """The probe's own values to the last digit: the prober made the export, it knows them."""
    row = WindowValues.objects.get(imp=imp, window=_window_of(imp).code)
    stored = layout.vector(row.values, row.layout_id, layout.values_names())
    growth = layout.vector(row.growth, row.growth_layout_id, layout.growth_names())
    return with_growth(stored, growth)[0]


def _old_share(members: np.ndarray, value: float) -> float:
    """The old rule, copied: the exact share of the group at or below the value."""
    return float((members <= value).sum() * 100.0 / members.size)


def _bisect_order_statistics(members: np.ndarray, own: float, low: float, high: float):
    """What a prober learns from the old oracle: every other member's value, by bisection on
    the share of the group at or below a made-up value (the prober's own upload replaced)."""
    others = np.sort(members[members != own]) if (members == own).sum() == 1 else None
    if others is None:
        return []
    found = []
    for rank in range(1, others.size + 1):
        lo, hi = low, high
        for _probe in range(40):
            middle = (lo + hi) / 2
            group = np.append(others, middle)
            # More than `rank` of the others at or below the probe: the rank-th is below it.
            if _old_share(group, middle) * group.size / 100.0 - 1 >= rank:
                hi = middle
            else:
                lo = middle
        found.append((rank, (lo + hi) / 2, hi - lo))
    return found


def test_the_old_exact_share_gives_every_peer_away_to_a_prober_and_the_served_place_nothing():
    network = NetworkFactory(name="Netwerk Vijf")
    made = country.World(practices={}, users={}, seeds={})
    for i in range(5):
        name = f"peer-{i}"
        made.practices[name] = PracticeFactory(network=network, province="ZH")
        made.records[name] = country._records(name, 100 + i, "ZH")
        country.upload(made, name, 2025)
    prober = made.practices["peer-0"]
    UserFactory(username="prober", practice=prober)
    probes = []
    for seed in range(PROBES):
        made.records["peer-0"] = country._records("peer-0", 200 + seed, "ZH")
        probes.append(country.upload(made, "peer-0", 2025))
    recompute_all()

    # Under the old rules: the exact share, asked again and again, gives the peers' values.
    column = cat.COLUMN_INDEX["patients"]
    snapshot = country.snapshot()
    rows = snapshot.rows[(2025, "Q1-Q4")]
    members = np.array([vector[column] for _row, vector in rows.values()])
    own = rows[prober.pk][1][column]
    learned = _bisect_order_statistics(members, own, 0.0, 10 * members.max())
    truth = np.sort(members[members != own])
    assert len(learned) == 4
    for rank, estimate, width in learned:
        assert width < 0.01 * truth[rank - 1]
        assert abs(estimate - truth[rank - 1]) <= 0.01 * truth[rank - 1]

    # Served now: for every probe, every KPI's place follows from the served figures alone.
    client = login("prober")
    checked = 0
    for imp in probes:
        url = reverse("dashboard:detail", kwargs={"import_id": imp.pk})
        own = _own_values(imp)
        for tab in ("patienten", "behandelingen", "financien", "kwaliteit"):
            page = client.get(url, {"groep": "netwerk", "tab": tab}).content.decode()
            for code, published, place in _served_places(page):
                value = float(own[cat.COLUMN_INDEX[code]])
                assert "%" not in place, (code, place)  # no share of the group any more
                assert place == _expected_place(value, published), (code, value, published)
                checked += 1
    assert checked >= PROBES * 10
