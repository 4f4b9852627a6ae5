"""Which import counts, and incremental == full for any order of uploads.

The property test sends random sequences of exports through the real path — the uploader's
certificate check (``service.identify``), the intake, the import task's body and the statistics
refreshes the imports queue, run when the sequence says so and in the order it says — and then
compares what the incremental refreshes left with what a full recompute writes, byte for byte:
statistics, counted flags, growth figures and the national case-mix reference rates (some
uploads are format 1.0, without cells, replacing or replaced by 1.1 ones).
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from parabench.benchmark.models import GroupStatistics, WindowValues
from parabench.benchmark.recompute import recompute_all
from parabench.benchmark.tasks import refresh_statistics
from parabench.certificates import services as certificate_services
from parabench.uploads import importer, intake, service
from parabench.uploads.identity import PresentedCertificate
from parabench.uploads.models import Import
from parabench.uploads.refusals import Refusal
from tests.benchmark.test_recompute import _snapshot
from tests.certificates.factories import issue_certificate_for
from tests.factories import NetworkFactory, PracticeFactory
from tests.uploads.exports import as_format_1_0, export_bytes, make_export

pytestmark = pytest.mark.django_db

YEARS = (2024, 2025)
# Export dates of a year Y (days after 1 January Y): Q1 only, to June, to September, the whole
# year in January Y + 1, the whole year again in March Y + 1.
EXPORT_DAYS = (100, 190, 285, 375, 430)
PRACTICES = 7


class World:
    """Seven practices (five in one network and province), each with a certificate, and every
    practice's 2024 and 2025 already imported and refreshed: the groups have statistics."""

    def __init__(self):
        network = NetworkFactory()
        self.practices = [
            PracticeFactory(network=network if i < 5 else None, province="ZH" if i < 5 else "UT")
            for i in range(PRACTICES)
        ]
        self.certificates = [issue_certificate_for(p)[0] for p in self.practices]
        self.clock = timezone.now() - timedelta(days=1)
        for i in range(PRACTICES):
            for year in YEARS:
                self.upload(i, year, 3, patients=10 + i)
        self.refresh()

    def upload(self, i: int, year: int, export_day: int, patients: int = 12, seed: int = 0):
        """Send an export through the real path; None when the uploader refuses the caller."""
        try:
            practice, fingerprint = service.identify(
                PresentedCertificate(pem=self.certificates[i].certificate_pem)
            )
        except Refusal:
            return None
        exported = date(year, 1, 1) + timedelta(days=EXPORT_DAYS[export_day])
        document = make_export(
            practice.agb_code, year=year, today=exported, patients=patients, seed=seed
        )
        if seed == 2:  # a practice whose software still sends format 1.0: no case-mix cells
            document = as_format_1_0(document)
        self.clock += timedelta(minutes=1)
        accepted = intake.accept_export(
            practice=practice,
            certificate_fingerprint=fingerprint,
            body=export_bytes(document),
            encoding="identity",
            now=self.clock,
        )
        importer.run_import(accepted.imp.pk)
        DBTaskResult.objects.filter(task_path=importer.import_upload.module_path).delete()
        return accepted.imp

    def block(self, i: int) -> None:
        certificate_services.block_certificate(
            self.certificates[i], actor=certificate_services.Actor(ip_address="127.0.0.1")
        )

    def refresh(self, year: int | None = None) -> None:
        """What the worker does with the waiting statistics refreshes: all of them in the order
        they were queued, or only the one of ``year`` (a refresh queued earlier for another
        year, e.g. by another practice's import, may well run first)."""
        waiting = DBTaskResult.objects.filter(
            task_path=refresh_statistics.module_path, status="READY"
        ).order_by("enqueued_at")
        if year is not None:
            waiting = waiting.filter(args_kwargs__args__0=year)
        for task in list(waiting):
            refresh_statistics.call(*task.args_kwargs["args"])
            DBTaskResult.objects.filter(pk=task.pk).update(status="SUCCESSFUL")


def _state():
    return _snapshot()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, ca_dir, tmp_path_factory):
    """Built once for the module inside a transaction that is rolled back at its end; every
    test (and every example of the property test) runs in a savepoint inside it."""
    test_settings = override_settings(
        CA_CERT_PATH=ca_dir / "ca.pem",
        CA_KEY_PATH=ca_dir / "ca.key",
        CA_CRL_PATH=ca_dir / "crl.pem",
        CA_AUTO_CREATE=True,
        UPLOAD_STORAGE_DIR=tmp_path_factory.mktemp("uploads"),
    )
    with test_settings, django_db_blocker.unblock(), transaction.atomic():
        yield World()
        transaction.set_rollback(True)


uploads = st.tuples(
    st.just("upload"),
    st.integers(0, PRACTICES - 1),
    st.sampled_from(YEARS),
    st.integers(0, len(EXPORT_DAYS) - 1),
    st.sampled_from((6, 12, 20)),
    st.integers(0, 2),  # the seed: the same export twice is a re-upload of the same bytes
)
blocks = st.tuples(st.just("block"), st.integers(0, PRACTICES - 1))
# A burst: a few uploads (or blocks), then what the worker does before the next burst — nothing
# yet, or the waiting refreshes, either year first (refreshes queued by different imports run
# in either order).
bursts = st.lists(
    st.tuples(
        st.lists(st.one_of(uploads, uploads, uploads, blocks), min_size=1, max_size=3),
        st.sampled_from(((), (2024, 2025), (2025, 2024))),
    ),
    min_size=1,
    max_size=4,
)


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(bursts=bursts)
def test_incremental_refreshes_equal_a_full_recompute_for_any_order_of_uploads(world, bursts):
    with transaction.atomic():
        for events, refreshes in bursts:
            for event in events:
                if event[0] == "upload":
                    _, i, year, day, patients, seed = event
                    world.upload(i, year, day, patients, seed)
                else:
                    world.block(event[1])
            for year in refreshes:
                world.refresh(year)
        world.refresh()
        incremental = _state()
        recompute_all()
        note(f"bursts: {bursts}")
        assert _state() == incremental
        transaction.set_rollback(True)


def test_an_older_half_year_export_uploaded_later_gets_its_growth_figures_at_once(world):
    # 2025 counts with the whole year exported in January 2026; then the June 2025 export of the
    # same year arrives, older by export date: it does not count, but its own dashboard needs
    # its growth against 2024 without waiting for a full recompute.
    late = world.upload(0, 2025, 1, patients=6)
    # Another practice's correction of 2024 is refreshed first; its recompute of 2025 (growth)
    # reads 2025 before the late rows' own refresh runs.
    world.upload(1, 2024, 4, patients=7)
    world.refresh(2024)
    world.refresh(2025)
    rows = WindowValues.objects.filter(imp=late)
    assert sorted(rows.values_list("window", flat=True)) == ["Q1", "Q1-Q2", "Q2"]
    assert not rows.filter(counted=True).exists()
    assert not rows.filter(growth__isnull=True).exists()
    incremental = _state()
    recompute_all()
    assert _state() == incremental


def test_the_newest_export_counts_whatever_the_order_of_arrival(world):
    old = Import.objects.get(practice=world.practices[1], year=2025)  # exported in Jan 2026
    newer = world.upload(1, 2025, 4, patients=30)  # March 2026
    older = world.upload(1, 2025, 3, patients=8, seed=1)  # January 2026 again, sent last
    world.refresh()
    counted = WindowValues.objects.filter(practice=world.practices[1], year=2025, counted=True)
    assert set(counted.values_list("imp", flat=True)) == {newer.pk}
    assert Import.objects.get(pk=newer.pk).is_current
    assert not Import.objects.filter(pk__in=[old.pk, older.pk], is_current=True).exists()


def test_a_shorter_newer_export_counts_for_its_windows_the_older_one_for_the_rest(world):
    # Not what the export client makes, but what a practice's own software might send.
    full = Import.objects.get(practice=world.practices[2], year=2025)
    half = world.upload(2, 2025, 1, patients=9)
    Import.objects.filter(pk=half.pk).update(
        exported_at=datetime(2026, 2, 1, tzinfo=UTC)  # newer than the full year's
    )
    importer.mark_current([Import.objects.get(pk=half.pk)])
    recompute_all()
    windows = dict(
        WindowValues.objects.filter(
            practice=world.practices[2], year=2025, counted=True
        ).values_list("window", "imp")
    )
    assert {w for w, imp in windows.items() if imp == half.pk} == {"Q1", "Q2", "Q1-Q2"}
    assert {w for w, imp in windows.items() if imp == full.pk} == {"Q3", "Q4", "Q1-Q3", "Q1-Q4"}


def test_a_blocked_practice_cannot_send_but_what_it_sent_still_counts(world):
    world.block(3)
    assert world.upload(3, 2025, 4) is None
    world.refresh()
    assert WindowValues.objects.filter(practice=world.practices[3], counted=True).count() == 14
    assert GroupStatistics.objects.get(year=2025, window="Q1-Q4", kind="national").n == PRACTICES
