"""A demo-like country for the attacker suite, and the ground truth an attack is scored against.

Built through the real path: synthetic practice records from the export client's generator,
exports from its own ``build_export``, stored by ``store_imported`` and recomputed by
``recompute_all`` — as the demo fill does, only smaller (51 practices instead of 240) so that a
test run stays short. Shapes that matter for disclosure are all there: a province of exactly 5,
networks of 4 (suppressed), 5, 6, 7 and 10, practices without a network, a province of one.
"""

import itertools
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import numpy as np
from django.db import transaction

from parabench.accounts.models import User
from parabench.benchmark import catalogue as cat
from parabench.benchmark import layout
from parabench.benchmark.groups import SIZE_COLUMN, SIZE_WINDOW, Membership, size_class
from parabench.benchmark.kpis import with_growth
from parabench.benchmark.models import WindowValues
from parabench.benchmark.recompute import recompute_all
from parabench.coordination.models import Coordinator
from parabench.practices.models import Practice
from parabench.uploads.models import Import
from parabench_client.aggregate import build_export
from parabench_client.records import load_records
from parabench_client.synth import generate_records
from tests.benchmark.factories import store_imported
from tests.factories import NetworkFactory, PracticeFactory, UserFactory

TODAY = date(2026, 10, 15)  # 2026 runs to Q3: dashboards show Q1-Q4 2025 and Q1-Q3 2026
EARLY = date(2026, 7, 15)  # an export made in July covers 2026 to Q2 only
YEARS = (2025, 2026)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")

# (name, province, network) of every practice; networks by name, None = without network.
PLAN = (
    [(f"vijf-{i}", "ZH", "Vijf") for i in range(5)]
    + [(f"zes-{i}", "NB" if i < 4 else "GE", "Zes") for i in range(6)]
    + [(f"zeven-{i}", "ZH" if i < 4 else "UT", "Zeven") for i in range(7)]
    + [(f"tien-{i}", ("ZH", "NB", "GE")[i % 3], "Tien") for i in range(10)]
    + [(f"vier-{i}", "ZH" if i < 2 else "FL", "Vier") for i in range(4)]
    + [(f"gr-{i}", "GR", None) for i in range(5)]  # a province of exactly five
    + [(f"los-{i}", ("ZH", "NB", "GE", "UT", "FL")[i % 5], None) for i in range(13)]
    + [("zeeuw", "ZE", None)]  # alone in its province
)
# Declared profiles (peer groups by kind). At first every practice but two says "algemeen": a
# profile group that is national minus two — under the old rules national minus "algemeen" is
# those two practices' total. Later (the "move" event) seven more declare another profile.
PROFILES = {"zeeuw": "kinderen", "los-12": "manueel"}
LATER_PROFILES = {**{f"gr-{i}": "kinderen" for i in range(5)}, "vijf-1": "kinderen"}
LATER_PROFILES["tien-0"] = "bekken"
# A practice user who also coordinates two networks (its own and another): the coordinator pages.
COORDINATOR = ("vijf-0", ("Vijf", "Zes"))
# In 2026 only one member of the small network has sent anything yet: a group of one.
LATE_2026 = {"vier-1", "vier-2", "vier-3"}
# Sends 2026 to Q2 first and to Q3 later (the re-upload of attack d).
REUPLOADER = "zeven-2"


@dataclass
class World:
    practices: dict[str, Practice]
    users: dict[str, str]  # practice name → login
    seeds: dict[str, int]
    records: dict[str, object] = field(default_factory=dict)


_uploads = itertools.count(1)


def _records(name: str, seed: int, province: str):
    with tempfile.TemporaryDirectory() as folder:
        generate_records(
            folder,
            seed=seed,
            years=range(YEARS[0], YEARS[-1] + 1),
            today=TODAY,
            # Practices of different sizes, as in the demo (a few hundred to ~1,500 patients).
            patients_per_year=150 + (seed * 137) % 900,
            province=province,
        )
        return load_records(folder)


def upload(world: World, name: str, year: int, made_on: date = TODAY) -> Import:
    """One practice sends one year, made on ``made_on``: stored as the import task stores it
    (the newest import of a year is the current one)."""
    practice = world.practices[name]
    export = build_export(
        world.records[name], year, made_on, agb_code=practice.agb_code, year_closed=year < 2026
    )
    number = next(_uploads)
    moment = datetime.combine(made_on, time(12), tzinfo=AMSTERDAM)
    with transaction.atomic():
        return store_imported(practice, export, moment=moment, key=f"privacy-{number}")


def build(logins=()) -> World:
    """The country, recomputed; a login for each practice named in ``logins``."""
    networks = {
        name: NetworkFactory(name=f"Netwerk {name}")
        for name in sorted({n for _, _, n in PLAN if n is not None})
    }
    world = World(practices={}, users={}, seeds={})
    for seed, (name, province, network) in enumerate(PLAN, start=1):
        practice = PracticeFactory(
            name=f"Praktijk {name}",
            province=province,
            network=None if network is None else networks[network],
            profile=PROFILES.get(name, "algemeen"),
        )
        world.practices[name] = practice
        world.seeds[name] = seed
        if name in logins:
            world.users[name] = UserFactory(username=f"p-{name}", practice=practice).username
        world.records[name] = _records(name, seed, province)
        upload(world, name, 2025)
        if name in LATE_2026:
            continue
        upload(world, name, 2026, EARLY if name == REUPLOADER else TODAY)
    name, coordinated = COORDINATOR
    if name in world.users:
        user = User.objects.get(username=world.users[name])
        for network in coordinated:
            Coordinator.objects.create(user=user, network=networks[network])
    recompute_all()
    return world


def declare_profiles(world: World, profiles: dict[str, str]) -> None:
    """Practices declare another profile in Profiel; statistics follow at the next recompute
    (``move`` in the same moment: a recompute depends only on the rows and the groups)."""
    for name, profile in profiles.items():
        practice = world.practices[name]
        practice.profile = profile
        practice.save()


def move(world: World, name: str, network: str | None) -> None:
    """An operator moves a practice to another network (or none) and statistics follow."""
    from parabench.practices.models import Network

    practice = world.practices[name]
    practice.network = None if network is None else Network.objects.get(name=f"Netwerk {network}")
    practice.save()
    recompute_all()


# --- Ground truth ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """Everything true at one moment: who is in which group, and every counted value.

    ``rows[(year, window)][practice id] = (row id, vector over catalogue.COLUMNS)``. The row id
    names a value: a re-upload makes a new row (a new unknown for an attacker), a move does not.
    """

    members: dict[int, Membership]
    rows: dict[tuple[int, str], dict[int, tuple[int, np.ndarray]]]
    # The answers below, once per snapshot: the suite asks each of them thousands of times
    # (every view of every attacker), and a snapshot never changes.
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def cached(self, key, compute):
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def member(self, pid: int, year: int) -> Membership:
        """The practice's groups in ``year``: with its size class from its counted first quarter."""
        key = ("member", pid, year)
        if key not in self._cache:
            row = self.rows.get((year, SIZE_WINDOW), {}).get(pid)
            patients = None if row is None else row[1][cat.COLUMN_INDEX[SIZE_COLUMN]]
            self._cache[key] = self.members[pid].sized(size_class(patients))
        return self._cache[key]

    def group_members(self, group, year: int, window: str) -> dict[int, tuple[int, np.ndarray]]:
        key = ("group", group, year, window)
        if key not in self._cache:
            rows = self.rows.get((year, window), {})
            self._cache[key] = {
                pid: row for pid, row in rows.items() if group in self.member(pid, year).groups()
            }
        return self._cache[key]


def snapshot() -> Snapshot:
    members = {
        pk: Membership(province or "", network_id, profile)
        for pk, province, network_id, profile in Practice.objects.values_list(
            "pk", "province", "network_id", "profile"
        )
    }
    rows: dict = {}
    counted = WindowValues.objects.filter(counted=True).values_list(
        "id", "practice_id", "year", "window", "values", "layout_id", "growth", "growth_layout_id"
    )
    for row_id, pid, year, window, values, values_layout, growth, growth_layout in counted:
        stored = layout.vector(values, values_layout, layout.values_names())
        growth = layout.vector(growth, growth_layout, layout.growth_names())
        vector = with_growth(stored, growth)[0]
        rows.setdefault((year, window), {})[pid] = (row_id, vector)
    return Snapshot(members=members, rows=rows)
