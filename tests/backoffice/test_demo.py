"""The demo dataset goes through the real path: portal certificates, export client, mTLS, worker."""

import datetime as dt

import pytest
from django.core.management import call_command

from parabench.backoffice import demo
from parabench.benchmark.queries import dashboard_for
from parabench.certificates.models import ClientCertificate
from parabench.practices.models import Network, Practice
from parabench.uploads.models import Import
from tests.uploads.conftest import (  # noqa: F401  (the real uploader process)
    ca_dir,
    child_env,
    start_worker,
    stop,
    test_ca,
    upload_storage,
    uploader,
)

pytestmark = pytest.mark.slow
TODAY = dt.date(2026, 7, 15)


@pytest.fixture
def worker(transactional_db, child_env, tmp_path):  # noqa: F811
    """The real import worker, whose statistics refresh waits 1 s after an import instead of the
    default 30 s (UPLOAD_STATISTICS_DELAY_SECONDS, meant to gather a country's burst): the fill
    waited 20 of its 38 s for it (29 November 2026). A refresh that runs in the middle of the
    burst is followed by another; the fill still waits until none is pending."""
    env = {**child_env, "UPLOAD_STATISTICS_DELAY_SECONDS": "1"}
    process = start_worker(env, tmp_path / "worker.log")
    yield process
    stop(process)


@pytest.fixture
def demo_var(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


def wait_until_imported(expected: int, timeout: float = 180) -> None:
    import time

    deadline = time.monotonic() + timeout
    while Import.objects.filter(status=Import.Status.IMPORTED).count() < expected:
        assert time.monotonic() < deadline, "the worker did not import every upload in time"
        time.sleep(0.5)


def test_the_demo_fills_every_province_through_uploads_the_worker_imports(
    demo_var,
    uploader,  # noqa: F811
    worker,  # noqa: F811
):
    summary = demo.fill(
        size=12,
        uploader_url=uploader.base,
        today=TODAY,
        processes=2,
        patients_per_year=150,
        say=lambda message: None,
    )
    years = [2023, 2024, 2025, 2026]  # three whole years and 2026 to its last complete quarter
    assert summary["years"] == years
    assert summary["exports_sent"] == 12 * len(years)
    assert summary["imported"] == 12 * len(years)
    assert summary["rejected"] == 0

    practices = Practice.objects.all()
    assert practices.count() == 12
    assert practices.order_by().values("province").distinct().count() == 12
    # Every export arrived over mTLS with the practice's own downloaded certificate.
    for imp in Import.objects.select_related("practice"):
        certificate = ClientCertificate.objects.get(fingerprint_sha256=imp.certificate_fingerprint)
        assert certificate.practice_id == imp.practice_id
        assert certificate.downloaded_at is not None
    current = Import.objects.get(practice__agb_code="04123451", year=2026)
    assert (current.period_begin, current.period_end) == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    national = dashboard_for(current, "national")
    assert national.group.size == (10, 19)  # published as a band
    assert not national.group.too_small

    # Started again (as the supervisor restarts a fill that died), it continues where it was:
    # nothing is exported again and no certificate is issued again.
    certificates = ClientCertificate.objects.count()
    again = demo.fill(
        size=12, uploader_url=uploader.base, today=TODAY, processes=2, say=lambda message: None
    )
    assert again["exports_sent"] == 0
    assert ClientCertificate.objects.count() == certificates
    assert Import.objects.count() == 12 * len(years)


def test_a_second_start_reuses_the_demo_data(demo_var, uploader, worker, capsys):  # noqa: F811
    demo.marker_path().parent.mkdir(parents=True)
    demo.marker_path().write_text("{}")
    call_command("fill_demo", "--size", "12", "--uploader-url", uploader.base)
    assert "De demodataset is er al" in capsys.readouterr().out
    assert not Import.objects.exists()


def test_the_demo_logins_cover_a_practice_in_a_network_and_one_without(db, demo_var):
    demo.create_practices(12, seed=1)
    with_network = Practice.objects.get(users__username="demo")
    without_network = Practice.objects.get(users__username="demo-zonder")
    assert with_network.network is not None
    assert without_network.network is None
    assert with_network.agb_code == "04123451"


def test_demo_postcodes_towns_and_provinces_agree(db):
    from parabench.practices.provinces import province_for_postcode

    practices = demo.create_practices(240, seed=1)
    for practice in practices:
        assert province_for_postcode(practice.postcode) == practice.province, practice
        towns = {name: (first, last) for name, first, last in demo.CITIES[practice.province]}
        first, last = towns[practice.city]
        assert first <= int(practice.postcode[:4]) <= last, practice


def test_every_demo_network_lies_in_one_province(db):
    demo.create_practices(240, seed=1)
    for network in Network.objects.all():
        provinces = set(network.practices.values_list("province", flat=True))
        assert len(provinces) <= 1, (network, provinces)


def test_the_demo_has_a_coordinator_of_network_7_and_some_members_consent(db, demo_var):
    from parabench.coordination import consent
    from parabench.coordination.models import Coordinator

    demo.create_practices(40, seed=1)
    demo.create_practices(40, seed=1)  # a second start changes nothing
    role = Coordinator.objects.get(user__username="coordinator")
    assert role.network.number == 7
    members = list(role.network.practices.all())
    consenting = consent.consenting(role.network)
    assert Practice.objects.get(agb_code="04123451").pk in consenting
    assert 0 < len(consenting) < len(members)
    assert "coordinator" in [login.username for login in demo.demo_logins()]
