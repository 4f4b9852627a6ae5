"""A demo-like country for the attacker suite, and the ground truth an attack is scored against.

Built through the real path: synthetic practice records from the export client's generator,
exports from its own ``build_export``, stored by ``store_export`` and recomputed by
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

from parabench.benchmark import layout
from parabench.benchmark.groups import Membership
from parabench.benchmark.ingest import store_export
from parabench.benchmark.kpis import with_growth
from parabench.benchmark.models import WindowValues
from parabench.benchmark.recompute import recompute_all
from parabench.practices.models import Practice
from parabench.uploads.models import Import
from parabench_client.aggregate import build_export
from parabench_client.records import load_records
from parabench_client.synth import generate_records
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
        Import.objects.filter(practice=practice, year=year).update(is_current=False)
        imp = Import.objects.create(
            practice=practice,
            certificate_fingerprint="0" * 64,
            status=Import.Status.IMPORTED,
            uploaded_at=moment,
            imported_at=moment,
            content_sha256=f"privacy-{number}".ljust(64, "0"),
            body_path=f"test/privacy-{number}.json",
            body_size=1,
            format_version="parabench-mi/1",
            year=year,
            period_begin=export.period.begin,
            period_end=export.period.end,
            year_closed=export.year_closed,
            exported_at=moment,
            is_current=True,
        )
        store_export(imp, export)
    return imp


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
    recompute_all()
    return world


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

    def group_members(self, group, year: int, window: str) -> dict[int, tuple[int, np.ndarray]]:
        rows = self.rows.get((year, window), {})
        return {pid: row for pid, row in rows.items() if group in self.members[pid].groups()}


def snapshot() -> Snapshot:
    members = {
        pk: Membership(province or "", network_id)
        for pk, province, network_id in Practice.objects.values_list("pk", "province", "network_id")
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
