"""A practice learns another practice's case-mix cell from its own index (docs/privacy.md,
"Case mix and outcome measures").

The attacker knows its own cells, so from its index on the page (O / E, two decimals) it knows
E = O / index and with it the national rate of a cell it fills alone: r = E / its episodes. The
rate mixes its own episodes with those of everybody else in the cell, (O_own + S_rest) /
(n_own + n_rest). So it sends two made-up exports with different figures in that one cell (a
"probe" each), reads its index after each, and keeps every whole number of episodes n_rest and
sessions S_rest of the other practices that agrees with both readings. It does that before and
after the victim's upload adds the victim's episodes to the cell: the difference is the victim's
cell (episodes and sessions).

Ground truth: cell c (chronic, head/neck, 0–17) holds one episode of each of four other practices
(9, 11, 10 and 12 sessions); the victim's new export adds two episodes with 31 sessions. The
probes: 1 episode of 10 sessions (a fifth of the cell), and 6 episodes of 30 sessions (more than
half of it: the attacker "nearly alone fills the cell").

Unsafe variant (rates unrounded, no dominance rule) — served by the same portal: the attacker
pins the victim's cell down exactly. Shipped rules: the dominated probe takes a coarser rate
(other cells' episodes), and the rounded, dithered rate of the other leaves about a hundred
answers for the victim's cell (1 to 8 episodes; for its true 2 anything from 22 to 38 sessions).
"""

import re

import numpy as np
import pytest
from django.db import transaction
from django.urls import reverse

from parabench.benchmark import casemix
from parabench.benchmark.recompute import recompute_all
from tests.dashboard.factories import episodes_in_cells, make_imports, set_cells
from tests.factories import PracticeFactory, UserFactory
from tests.privacy.views import login, number

pytestmark = pytest.mark.django_db

YEAR, WINDOW = 2026, "Q1-Q2"
CELL = "chronic__head_neck__age_0_17"
NEXT = "chronic__head_neck__age_18_44"  # the same side × location group, other ages
REST = [9, 11, 10, 12]  # the four other practices' one episode each in the cell
VICTIM = [14, 17]  # what the victim's new export adds to the cell
PROBES = [(1, [10]), (6, [5] * 6)]  # (episodes, their sessions) of the attacker's exports
TRUTH = (len(VICTIM), sum(VICTIM))


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The attacker, the victim and four others, each with a real 2026 import."""
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
        try:
            attacker = PracticeFactory(name="Fysio Mol")
            (attacker_imp,) = make_imports(attacker, years=(YEAR,), seed=41)
            UserFactory(username="mol", practice=attacker)
            (victim_imp,) = make_imports(PracticeFactory(), years=(YEAR,), seed=42)
            others = []
            for n, sessions in enumerate(REST):
                (imp,) = make_imports(PracticeFactory(), years=(YEAR,), seed=43 + n)
                others.append((imp, sessions))
            yield {"attacker": attacker_imp, "victim": victim_imp, "others": others}
        finally:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


def _state(world, victim_uploaded: bool) -> None:
    """Everybody's cells of the window: each other practice 1 episode in the cell and 5 in the
    same group at other ages; the victim 5 at other ages, plus its 2 in the cell once uploaded."""
    for imp, sessions in world["others"]:
        set_cells(imp, WINDOW, episodes_in_cells(**{CELL: [(sessions, 30)], NEXT: [(8, 40)] * 5}))
    victim = {NEXT: [(8, 40)] * 5}
    if victim_uploaded:
        victim[CELL] = [(s, 30) for s in VICTIM]
    set_cells(world["victim"], WINDOW, episodes_in_cells(**victim))


def _probe(world, client, episodes: int, sessions: list[int]) -> float | None:
    """The attacker's made-up export (all its episodes in the cell), the statistics refresh it
    triggers, and the index its own Behandelingen page then shows (None: no index)."""
    cells = episodes_in_cells(**{CELL: [(s, 30) for s in sessions]})
    assert len(sessions) == episodes
    set_cells(world["attacker"], WINDOW, cells)
    recompute_all(years=[YEAR])
    url = reverse("dashboard:detail", kwargs={"import_id": world["attacker"].pk})
    page = client.get(url, {"tab": "treatments"}).content.decode()
    article = re.search(r'id="kpi-sessions_per_episode">(.*?)</article>', page, re.S).group(1)
    shown = re.search(r'<span class="value adjusted-value">(.*?)</span>', article)
    return None if shown is None else number(shown.group(1))


def _readings(world) -> dict[bool, list]:
    client = login("mol")
    readings = {}
    for victim_uploaded in (False, True):
        _state(world, victim_uploaded)
        readings[victim_uploaded] = [
            (episodes, sum(sessions), _probe(world, client, episodes, sessions))
            for episodes, sessions in PROBES
        ]
    return readings


def _candidates(readings, rounded: bool) -> set[tuple[int, int]]:
    """Every (episodes, sessions) of the rest of the cell that agrees with the readings. With
    ``rounded`` the attacker allows for the published rate's rounding and dither: the rate lies
    within one rounding step (2 significant digits) of the true one, as docs/privacy.md says."""
    n = np.arange(1, 41)[:, None]
    s = np.arange(1, 2401)[None, :]
    agree = (s >= n) & (s <= 60 * n)
    for episodes, observed, index in readings:
        if index is None:
            continue  # no index on the page: nothing to read
        rate = (observed + s) / (episodes + n)
        if rounded:
            low = observed / (episodes * (index + 0.005))
            high = observed / (episodes * (index - 0.005))
            step = 10.0 ** (np.floor(np.log10(rate)) - 1)
            fits = (rate > low - step) & (rate < high + step)
            # Where the probe would hold more than half of the cell, its index came from a
            # coarser stratum (other cells' episodes): that reading says nothing of this one.
            agree &= fits | (episodes > n)
        else:
            agree &= np.abs(observed / (episodes * rate) - index) <= 0.005 + 1e-9
    i, j = np.nonzero(agree)
    return set(zip(n[i, 0].tolist(), s[0, j].tolist(), strict=True))


def _victim(readings, rounded: bool) -> set[tuple[int, int]]:
    """What the victim's upload added to the cell, by the candidates before and after."""
    before = _candidates(readings[False], rounded)
    after = _candidates(readings[True], rounded)
    if len(before) * len(after) > 200_000:
        return {(-1, -1)} | set(list(after)[:1000])  # far too many to name one
    return {(a[0] - b[0], a[1] - b[1]) for a in after for b in before if a[0] > b[0]}


def test_with_unrounded_rates_and_no_dominance_rule_the_attacker_reads_the_victim_s_cell(
    world, monkeypatch
):
    monkeypatch.setattr(casemix, "DOMINANCE", 1.0)
    monkeypatch.setattr(casemix, "published_rates", lambda reference, key=None: reference)
    with transaction.atomic():
        readings = _readings(world)
        transaction.set_rollback(True)
    assert all(index is not None for moment in readings.values() for *_, index in moment)
    assert _candidates(readings[False], rounded=False) == {(len(REST), sum(REST))}
    assert _victim(readings, rounded=False) == {TRUTH}


def test_the_shipped_rules_leave_the_attacker_dozens_of_answers(world):
    with transaction.atomic():
        readings = _readings(world)
        transaction.set_rollback(True)
    # Both probes still get an index: the one holding more than half of the cell from the
    # chronic × head/neck rate of all ages (where it holds a fifth), the other from the cell's own
    # rate, rounded to two significant digits after the dither.
    assert all(index is not None for moment in readings.values() for *_, index in moment)
    rest = _candidates(readings[False], rounded=True)
    assert (len(REST), sum(REST)) in rest  # the attacker's reasoning is sound, only blunt
    assert len(rest) > 20
    # The victim's cell: any number of episodes from 1 to 5 and more, and for its true two
    # episodes anything from about 22 to 38 sessions — a published rate, not a practice's figure.
    victim = _victim(readings, rounded=True)
    assert TRUTH in victim and len(victim) > 50
    assert {n for n, _s in victim} >= {1, 2, 3, 4, 5}
    two = [s for n, s in victim if n == TRUTH[0]]
    assert max(two) - min(two) >= 10
