"""The attacker suite: practices try to learn other practices' figures from what the portal serves.

A demo-like country is built once for this module and then lives through a year's events — a
re-upload, a practice moving network, a network growing from 4 to 5. The attackers log in over
HTTP and at every moment read their dashboards; the same pages under the old rules are
computed by a copy of those rules (views.old_views). Each attack turns what it saw into linear
equations (attacks.py) and counts the other practices' (KPI, window) values it determined
exactly or within 1 % — ignoring KPIs whose national P25–P75 range is narrower than 1 %.

Every attack must find values under the old rules (so it is known to be able to fail) and none
in what the portal serves now. The counts are printed (pytest -s) and in docs/privacy.md.
"""

import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pytest
from django.core.management import call_command

from parabench.benchmark import catalogue as cat
from parabench.benchmark.groups import Group
from parabench.benchmark.models import GroupKind
from parabench.benchmark.queries import _window_of
from parabench.practices.models import Network
from parabench.uploads.models import Import
from tests.privacy import world as country
from tests.privacy.attacks import Equation, equations, solve
from tests.privacy.views import (
    THEME_TABS,
    coordinator_views,
    login,
    old_coordinator_views,
    old_views,
    served_views,
)

NATIONAL = Group(GroupKind.NATIONAL, "")
# The world is built once, outside the tests' transactions (and flushed afterwards); the marker
# only makes pytest-django set the test database up before the module's fixture needs it.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@dataclass(frozen=True)
class Attack:
    name: str
    coalitions: tuple[tuple[str, ...], ...]  # each coalition attacks on its own
    moments: tuple[str, ...]  # the moments whose pages it combines
    per_group: bool = False  # solve each group's figures on their own (attack a)


ATTACKS = (
    # (a) own value, rank and one group's published statistics: a province of exactly 5, a
    # network of 5.
    Attack("a_own_group", (("gr-0",), ("vijf-0",)), ("start",), per_group=True),
    # (b) every group the practice sees at once: differencing totals across them.
    Attack("b_across_groups", (("gr-0",), ("vijf-0",), ("los-0",)), ("start",)),
    # (c) the complement of a suppressed group: in 2026 only one member of the network of four
    # has sent anything; members of every other network and one without network pool their
    # pages (a coalition larger than the model's two).
    Attack("c_complement", (("vijf-0", "zes-0", "zeven-0", "tien-0", "los-0"),), ("start",)),
    # (d) before and after one practice's re-upload (2026 to Q2, then to Q3).
    Attack("d_reupload", (("zeven-0",), ("los-0",)), ("start", "reupload")),
    # (e) two colluding practices in a network of 6.
    Attack("e_colluding_pair", (("zes-0", "zes-1"), ("vijf-0", "vijf-1")), ("start",)),
    # A practice moves from the network of 7 to the network of 5.
    Attack(
        "f_moving_practice",
        (("zeven-0",), ("vijf-0",), ("zeven-0", "vijf-0")),
        ("reupload", "move"),
    ),
    # A practice without network joins the network of 4, which becomes 5.
    Attack("g_network_grows", (("los-0",), ("vier-0",), ("los-0", "vier-0")), ("move", "grow")),
    # Peer groups by kind: size classes nationally and in the province, profiles — first a
    # profile group that is national minus two practices, then seven practices declaring
    # another profile (with the move). The attacker declared the odd profile itself; a small
    # practice of the province of five; the two together.
    Attack(
        "h_peer_groups",
        (("zeeuw",), ("gr-0",), ("zeeuw", "gr-0"), ("los-0", "vijf-1")),
        ("start", "move"),
    ),
    # A practice that coordinates its own network and another reads the coordinator pages
    # (distribution against national, trend) beside its own dashboards.
    Attack("i_coordinator", ((country.COORDINATOR[0],),), ("start", "grow")),
)
EVENTS = ("start", "reupload", "move", "grow")


@dataclass
class Outcome:
    old: set = field(default_factory=set)
    new: set = field(default_factory=set)
    unsound: list = field(default_factory=list)
    new_views: int = 0


def _imports(practice) -> list[tuple[int, int, str]]:
    current = Import.objects.filter(
        practice=practice, status=Import.Status.IMPORTED, is_current=True
    ).order_by("year")
    return [(imp.pk, imp.year, _window_of(imp).code) for imp in current]


def _needed() -> dict[str, set[str]]:
    who = defaultdict(set)
    for attack in ATTACKS:
        for coalition in attack.coalitions:
            for moment in attack.moments:
                who[moment] |= set(coalition)
    return who


def _see(world, names, snapshot, clients, trends_on_last, read) -> dict:
    seen = {}
    for name in names:
        practice = world.practices[name]
        imports = _imports(practice)
        # Each attacker logs in once and stays logged in through the year's events.
        if name not in clients:
            clients[name] = login(world.users[name])
        seen[name] = {
            "old": old_views(practice.pk, imports, snapshot),
            "new": served_views(
                clients[name],
                practice.pk,
                imports,
                snapshot,
                trends_on_last=trends_on_last,
                read=read,
            ),
        }
        if name == country.COORDINATOR[0]:
            networks = {
                network.number: Group(GroupKind.NETWORK, str(network.pk))
                for network in Network.objects.filter(coordinators__user__practice=practice)
            }
            periods = {(year, window) for _imp, year, window in imports}
            seen[name]["old"] += old_coordinator_views(networks, periods, snapshot)
            seen[name]["new"] += coordinator_views(clients[name], networks, snapshot)
            read.add(("coordinator", None))
    return seen


def _live_through_the_year():
    started = time.perf_counter()
    needed = _needed()
    world = country.build(logins=set().union(*needed.values()))
    print(f"\ncountry built in {time.perf_counter() - started:.0f} s")
    moments, clients, read = {}, {}, set()
    for number, event in enumerate(EVENTS):
        if event == "reupload":
            country.upload(world, country.REUPLOADER, 2026, country.TODAY)
            country.recompute_all()
        elif event == "move":
            country.declare_profiles(world, country.LATER_PROFILES)
            country.move(world, "zeven-3", "Vijf")  # recomputes for both
        elif event == "grow":
            country.move(world, "los-4", "Vier")
        snapshot = country.snapshot()
        seen = _see(world, needed[event], snapshot, clients, number % 2 == 1, read)
        moments[event] = (snapshot, seen)
        seconds = time.perf_counter() - started
        print(f"{event}: pages read by {len(needed[event])} practices at {seconds:.0f} s")
    return world, moments, read


def _narrow(snapshot, year, window, column) -> bool:
    """The issue's exclusion: a KPI whose national P25–P75 range is narrower than 1 %."""
    return snapshot.cached(
        ("narrow", year, window, column), lambda: _narrow_now(snapshot, year, window, column)
    )


def _narrow_now(snapshot, year, window, column) -> bool:
    rows = snapshot.rows.get((year, window), {})
    values = np.array([v[cat.COLUMN_INDEX[column]] for _row, v in rows.values()])
    values = values[~np.isnan(values)]
    if values.size == 0:
        return True
    p25, median, p75 = np.percentile(values, [25, 50, 75])
    return (p75 - p25) < 0.01 * abs(median) or (p75 == p25)


def _seen_equations(snapshot, views, rules) -> list[tuple[tuple, Group, list[Equation]]]:
    """The equations of one practice's views at one moment: ((year, window, column), group,
    equations) per view. Every attack and coalition that practice is in uses the same."""
    estimator = "hd" if rules == "new" else "t7"
    found = []
    for view in views:
        # Once per snapshot: the attackers of one group see the same figures (and the old rules
        # are the same for all), so most views repeat one already turned into equations. Made
        # once, each equation's identity is sorted once too: solving 7.8 → 5.3 s CPU.
        key = (view.group, view.year, view.window, view.column, estimator)
        figures = (tuple(view.served.items()), tuple(view.errors.items()))
        equations_ = snapshot.cached(
            ("equations", *key, *figures),
            lambda view=view: equations(
                _values(snapshot, view), view.served, view.errors, estimator
            ),
        )
        found.append(((view.year, view.window, view.column), view.group, equations_))
    return found


def _values(snapshot, view) -> list:
    """[((practice id, row id), value)] of the members of the view's group with a value."""
    members = snapshot.group_members(view.group, view.year, view.window)
    index = cat.COLUMN_INDEX[view.column]
    return [
        ((pid, row_id), vector[index])
        for pid, (row_id, vector) in members.items()
        if vector[index] == vector[index]
    ]


def _systems(attack, coalition, seen, rules):
    """The attack's equations, per (year, window, column) — and per group for attack a."""
    systems = defaultdict(list)
    for moment in attack.moments:
        for name in coalition:
            for key, group, found in seen[(moment, name, rules)]:
                if attack.per_group:
                    key += (group, name)
                systems[key] += found
    return systems


def _run(attack, moments, world, seen, truth) -> Outcome:
    outcome = Outcome()
    last = moments[attack.moments[-1]][0]
    for coalition in attack.coalitions:
        own = {world.practices[name].pk for name in coalition}
        for rules in ("old", "new"):
            for key, system in _systems(attack, coalition, seen, rules).items():
                year, window, column = key[:3]
                if _narrow(last, year, window, column):
                    continue
                index = cat.COLUMN_INDEX[column]
                known = {
                    k: truth[k][index] for eq in system for k in eq.coefficients if k[0] in own
                }
                for finding in solve(_dedupe(system), known):
                    value = truth[finding.key][index]
                    if abs(finding.estimate - value) > finding.error + 1e-6 * max(1.0, abs(value)):
                        outcome.unsound.append((attack.name, coalition, rules, key, finding, value))
                        continue
                    if finding.error <= max(0.01 * abs(value), 1e-6):
                        getattr(outcome, rules).add((finding.key[0], year, window, column))
        outcome.new_views += sum(
            len(moments[m][1][name]["new"]) for m in attack.moments for name in coalition
        )
    return outcome


def _dedupe(system: list[Equation]) -> list[Equation]:
    """The same figure seen twice (two colluders, two moments without change) is one equation."""
    return list({eq.identity: eq for eq in system}.values())


@pytest.fixture(scope="module")
def outcomes(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        try:
            world, moments, read = _live_through_the_year()
            started = time.perf_counter()
            seen = {
                (moment, name, rules): _seen_equations(snapshot, views[rules], rules)
                for moment, (snapshot, by_name) in moments.items()
                for name, views in by_name.items()
                for rules in ("old", "new")
            }
            truth = {
                (pid, row_id): vector
                for snapshot, _seen in moments.values()
                for rows in snapshot.rows.values()
                for pid, (row_id, vector) in rows.items()
            }
            found = {attack.name: _run(attack, moments, world, seen, truth) for attack in ATTACKS}
            print(f"attacks solved in {time.perf_counter() - started:.0f} s")
        finally:
            call_command("flush", interactive=False, verbosity=0)
    print("\nattack                old rules   served now   (other practices' KPI values found)")
    for name, outcome in found.items():
        print(f"{name:22}{len(outcome.old):9}{len(outcome.new):13}")
    found["served at the start"] = {name: seen["new"] for name, seen in moments["start"][1].items()}
    found["pages read"] = read
    return found


def test_every_kind_of_page_is_read_on_a_closed_and_a_running_year(outcomes):
    """Not every page is read at every moment (Trends: one import per group), but every kind
    the suite reads — each theme tab and the Trends, on the closed year's import and on the
    running year's, and the coordinator pages — is read at some moment, so that an unknown
    figure on any of them fails."""
    kinds = {(tab, year) for tab in (*THEME_TABS, "trends") for year in country.YEARS}
    assert outcomes["pages read"] == kinds | {("coordinator", None)}


@pytest.mark.parametrize("attack", [a.name for a in ATTACKS])
def test_the_attack_finds_peers_values_under_the_old_rules(outcomes, attack):
    assert outcomes[attack].old, "the attack cannot fail: it finds nothing even where it should"


@pytest.mark.parametrize("attack", [a.name for a in ATTACKS])
def test_the_attack_finds_no_peer_value_in_what_the_portal_serves(outcomes, attack):
    outcome = outcomes[attack]
    assert outcome.new_views, "the attacker read no group figures at all"
    assert not outcome.new, sorted(outcome.new)[:10]


def test_every_value_an_attack_claims_is_true(outcomes):
    """The equations are sound: a finding never misses the truth (else the counts mean nothing)."""
    assert [o.unsound for o in outcomes.values() if isinstance(o, Outcome) and o.unsound] == []


def test_national_and_regional_views_keep_their_medians_and_quartiles(outcomes):
    """Usefulness stays: a practice in Zuid-Holland (18 practices) sees the region's median and
    quartiles, and nationally (51) also P10 and P90; its network of 5 a median."""
    served = outcomes["served at the start"]["vijf-0"]
    by_kind = defaultdict(set)
    for view in served:
        if view.column == "patients":
            by_kind[view.group.kind] |= set(view.served)
    assert by_kind[GroupKind.NATIONAL] == {"p10", "p25", "median", "p75", "p90"}
    assert by_kind[GroupKind.REGION] == {"p25", "median", "p75"}
    assert by_kind[GroupKind.NETWORK] == {"median"}
