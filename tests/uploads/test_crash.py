"""A worker killed with SIGKILL in the middle of importing loses nothing and half-writes nothing."""

import signal
import time

import pytest

from parabench.benchmark.models import WindowValues
from parabench.uploads.models import Import
from tests.factories import PracticeFactory
from tests.uploads.conftest import start_worker, stop
from tests.uploads.factories import upload_export

pytestmark = pytest.mark.slow

UPLOADS = 30


def _finished() -> int:
    return Import.objects.filter(status__in=["imported", "rejected"]).count()


def _assert_all_or_nothing() -> None:
    """An imported upload has every window stored; any other has none at all."""
    for imp in Import.objects.all():
        stored = WindowValues.objects.filter(imp=imp).count()
        if imp.status == Import.Status.IMPORTED:
            assert stored == 7, (imp.pk, stored)
            assert imp.imported_at is not None
        else:
            assert stored == 0, (imp.pk, imp.status, stored)


def test_a_killed_worker_leaves_every_accepted_upload_imported_or_rejected(
    transactional_db, child_env, tmp_path
):
    practices = [PracticeFactory() for _ in range(UPLOADS)]
    for practice in practices:
        upload_export(practice, patients=60)
    log = tmp_path / "worker.log"
    # Batches of three (issue 18), so that a kill falls between and inside batches while
    # others wait; a default batch would take all thirty in one transaction.
    child_env = {**child_env, "UPLOAD_IMPORT_BATCH_SIZE": "3"}

    kills = 0
    deadline = time.monotonic() + 240
    while _finished() < UPLOADS and kills < 3 and time.monotonic() < deadline:
        worker = start_worker(child_env, log)
        target = _finished() + 3
        while _finished() < target and worker.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        kills += 1
        _assert_all_or_nothing()
    assert kills >= 1 and _finished() < UPLOADS, "the worker must be killed while imports wait"

    worker = start_worker(child_env, log)
    try:
        while _finished() < UPLOADS and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop(worker)

    assert Import.objects.count() == UPLOADS
    assert not Import.objects.filter(status__in=["received", "importing"]).exists(), log.read_text()
    # Every export was valid, so "imported or rejected with a reason" means: all imported.
    assert Import.objects.filter(status="imported").count() == UPLOADS
    _assert_all_or_nothing()
