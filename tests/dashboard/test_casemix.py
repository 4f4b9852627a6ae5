"""The case-mix adjusted index on the pages a practice owner opens (docs/statistics.md §9).

A national group of seven: the golden practice of the worked example and five peers send format
1.1, one practice still sends 1.0. In the dashboard window (Q1–Q2 2026) the 1.1 practices' cells
are those of the worked example: cell A (not chronic, spine, 18–44) and cell B (chronic,
pelvis/leg, 65+), with the peers' episodes chosen so that the national rates come out at exactly
5 and 20 sessions (28 and 140 days) — the rates of the example — and so survive rounding and
dither. Everything else goes the real way: the statistics refresh computes and stores the rates,
the page reads the practice's own cells and the stored rates.
"""

import re

import numpy as np
import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from parabench.benchmark import casemix, layout
from parabench.benchmark.models import ReferenceRates, WindowValues
from tests.dashboard.factories import episodes_in_cells, make_imports, recompute, set_cells
from tests.factories import PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db

A = "non_chronic__spine__age_18_44"
B = "chronic__pelvis_leg_foot__age_65_plus"
WINDOW = "Q1-Q2"
GOLDEN = episodes_in_cells(**{A: [(4, 20), (8, 40)], B: [(26, 150)]})
# Cell A: the peers' 10 episodes have 48 sessions and 276 days, with the golden's 2 (12
# sessions, 60 days) 60 / 12 = 5 and 336 / 12 = 28. Cell B: 94 sessions and 690 days over 5,
# with the golden's 26 and 150: 120 / 6 = 20 and 840 / 6 = 140.
PEERS = [
    episodes_in_cells(**{A: [(2, 27), (8, 28)], B: [(19, 138)]}),
    episodes_in_cells(**{A: [(2, 27), (8, 28)], B: [(19, 138)]}),
    episodes_in_cells(**{A: [(3, 27), (6, 28)], B: [(19, 138)]}),
    episodes_in_cells(**{A: [(2, 27), (8, 28)], B: [(19, 138)]}),
    episodes_in_cells(**{A: [(3, 28), (6, 28)], B: [(18, 138)]}),
]


@pytest.fixture(scope="module")
def group(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
        try:
            golden = PracticeFactory(name="Fysio Voorbeeld")
            (golden_imp,) = make_imports(golden, years=(2026,), seed=11)
            set_cells(golden_imp, WINDOW, GOLDEN)
            for n, cells in enumerate(PEERS):
                (imp,) = make_imports(PracticeFactory(), years=(2026,), seed=20 + n)
                set_cells(imp, WINDOW, cells)
            old = PracticeFactory(name="Fysio Oud")
            (old_imp,) = make_imports(old, years=(2026,), seed=30, format_1_0=True)
            recompute()
            yield {
                "golden": golden_imp,
                "old": old_imp,
                "users": {
                    "golden": UserFactory(username="gijs", practice=golden),
                    "old": UserFactory(username="olga", practice=old),
                },
            }
        finally:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


def page(group, who: str, **params) -> str:
    client = Client()
    client.force_login(group["users"][who])
    url = reverse("dashboard:detail", kwargs={"import_id": group[who].pk})
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def card(html: str, code: str) -> str:
    """The article of one KPI on a theme page."""
    found = re.search(rf'<article class="kpi[^"]*" id="kpi-{code}">(.*?)</article>', html, re.S)
    assert found, code
    return found.group(1)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_refresh_stores_the_worked_example_s_national_rates(group):
    row = ReferenceRates.objects.get(year=2026, window=WINDOW)
    rates, tau2 = casemix.unpack_rates(layout.vector(row.rates, row.layout_id, casemix.RATE_NAMES))
    a, b = (casemix.CELLS.index(tuple(name.split("__"))) for name in (A, B))
    assert row.n == 6  # the six 1.1 practices; the 1.0 practice has no cells
    assert (rates["sessions"][a], rates["sessions"][b]) == (5.0, 20.0)
    assert (rates["duration"][a], rates["duration"][b]) == (28.0, 140.0)
    # The sessions indices of the six spread no more than chance: no over-dispersion. (The
    # peers' durations lie so close to their expected days that chance alone would make them
    # closer still: a small τ² for duration.)
    assert tau2["sessions"] == 0.0
    assert 0 < tau2["duration"] < 0.01


def test_the_golden_practice_sees_its_index_and_interval_as_worked_by_hand(group):
    sessions = text(card(page(group, "golden", tab="treatments"), "sessions_per_episode"))
    # 38 / 30 = 1,27; 1,267 ± 1,96 × √13 / 30 = 1,03 – 1,50.
    assert "gecorrigeerd voor casemix index 1,27 (1,03–1,50)" in sessions
    assert "Verwachting bij uw casemix (landelijk) 1,00" in sessions


def test_the_duration_index_stands_beside_the_treatment_duration(group):
    duration = text(card(page(group, "golden", tab="treatments"), "episode_weeks"))
    # 210 / 196 = 1,07; ± 1,96 × √300 / 196 = 0,173: 0,898 – 1,245 → 0,90–1,24.
    assert "gecorrigeerd voor casemix index 1,07 (0,90–1,24)" in duration


def test_the_verdict_and_the_funnel_use_the_index_at_the_practice_s_own_n(group):
    sessions = card(page(group, "golden", tab="treatments"), "sessions_per_episode")
    plain = text(sessions)
    # τ² = 0: the 95 % limits at n = 3 are 1 ± 1,96 × 0,1202 = 0,76 – 1,24; 1,27 lies above.
    assert "Normale spreiding van de index 0,76–1,24" in plain
    assert 'data-verdict="high"' in sessions.split("kpi-adjusted", 1)[1]
    assert 'class="kpi verdict-high"' not in sessions  # the card itself is the inner html
    assert "Trechter: Behandelgemiddelde, gecorrigeerd voor casemix (index)" in plain
    assert "Verwachting bij uw casemix (landelijk)" in plain.split("Cijfers van de trechter")[1]
    assert "verwachting (landelijk): 1,00" in plain  # the funnel's line is the expectation
    assert "mediaan groep: 1,00" not in plain


def test_the_card_is_coloured_by_the_verdict_the_symbol_uses(group):
    html = page(group, "golden", tab="treatments")
    assert '<article class="kpi verdict-high" id="kpi-sessions_per_episode">' in html


def test_the_welcome_screen_names_the_index_that_decides_the_treatments_symbol(group):
    welcome = text(page(group, "golden"))
    assert (
        "Behandelgemiddelde, gecorrigeerd voor casemix (index) 1,27 (1,03–1,50), verwachting 1,00"
        in welcome
    )


def test_a_format_1_0_practice_in_the_same_group_has_its_crude_figures_and_no_index(group):
    html = page(group, "old", tab="treatments")
    sessions = card(html, "sessions_per_episode")
    stored = WindowValues.objects.get(imp=group["old"], window=WINDOW)
    crude = layout.vector(stored.values, stored.layout_id, ("sessions_per_episode",))[0]
    assert f"{crude:.1f}".replace(".", ",") + " zittingen" in text(sessions)
    assert "adjusted-value" not in sessions
    assert "uw export is in formaat 1.0, zonder casemixcellen" in text(sessions)
    assert "Behandelgemiddelde, gecorrigeerd voor casemix" not in text(page(group, "old"))


def test_the_1_0_practice_counts_in_the_crude_group_figures_and_not_in_the_rates(group):
    golden = text(card(page(group, "golden", tab="treatments"), "sessions_per_episode"))
    old = text(card(page(group, "old", tab="treatments"), "sessions_per_episode"))
    median = re.search(r"Mediaan groep ([\d.,]+)", golden).group(1)
    assert f"Mediaan groep {median}" in old  # one national group of seven, both see it
    values = np.array(
        [
            layout.vector(v, pk, ("sessions_per_episode",))[0]
            for v, pk in WindowValues.objects.filter(year=2026, window=WINDOW).values_list(
                "values", "layout_id"
            )
        ]
    )
    assert len(values) == 7


def test_the_uitleg_page_explains_the_index(group):
    client = Client()
    client.force_login(group["users"]["golden"])
    html = text(client.get(reverse("uitleg")).content.decode())
    assert "Behandelgemiddelde, gecorrigeerd voor casemix (index)" in html
    assert "indirecte standaardisatie" in html


def test_the_csv_carries_the_index_after_its_crude_kpi_and_the_1_0_practice_the_reason(group):
    import csv
    import io

    def rows(who):
        client = Client()
        client.force_login(group["users"][who])
        response = client.get(reverse("dashboard:csv", kwargs={"import_id": group[who].pk}))
        assert response.status_code == 200
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))

    name = "Behandelgemiddelde, gecorrigeerd voor casemix (index)"
    golden = rows("golden")
    head = golden[0]
    found = [
        dict(zip(head, r, strict=True)) for r in golden[1:] if r[head.index("Kengetal")] == name
    ]
    half_year = next(r for r in found if r["Periode"] == "K1–K2")
    assert (half_year["Uw praktijk"], half_year["Interval laag (95%)"]) == ("1,27", "1,03")
    assert half_year["Interval hoog (95%)"] == "1,50"
    assert "verwachting bij uw casemix 1,00" in half_year["Oordeel"]
    old = rows("old")
    reason = next(r for r in old[1:] if r[head.index("Kengetal")] == name)
    assert reason[head.index("Uw praktijk")] == ""
    assert "formaat 1.0" in reason[head.index("Oordeel")]


def test_a_1_1_export_imported_before_cells_were_stored_says_so_not_format_1_0(group):
    from parabench.uploads.models import Import

    imp = group["golden"]
    Import.objects.filter(pk=imp.pk).update(format_version="parabench-mi/1.1")
    WindowValues.objects.filter(imp=imp, window=WINDOW).update(cells=None, cells_layout=None)
    sessions = text(card(page(group, "golden", tab="treatments"), "sessions_per_episode"))
    assert "ingelezen voordat ParaBench casemixcellen bewaarde" in sessions
    assert "formaat 1.0" not in sessions
