import gc
import json
import threading
import time
from datetime import date, timedelta

import pytest
from django.db import OperationalError, connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from parabench.benchmark.models import WindowValues
from parabench.benchmark.tasks import refresh_statistics
from parabench.uploads import importer
from parabench.uploads.models import Import
from parabench.uploads.signals import export_read, exports_imported
from parabench_format.models import document_date
from tests.uploads.factories import upload_export


def _run(imp) -> Import:
    importer.import_upload.call(imp.pk)
    imp.refresh_from_db()
    return imp


def test_it_imports_a_received_upload_in_one_go(db, practice_a):
    imp = _run(upload_export(practice_a))
    assert imp.status == Import.Status.IMPORTED
    assert imp.imported_at is not None and imp.imported_at >= imp.uploaded_at
    assert imp.is_current and imp.errors == [] and imp.warnings == []
    assert WindowValues.objects.filter(imp=imp).count() == 7


def test_it_stores_plausibility_warnings_with_the_import(db, practice_a):
    imp = _run(upload_export(practice_a, tariff_cents=400_00))
    assert imp.status == Import.Status.IMPORTED
    assert [w["code"] for w in imp.warnings] == ["tariff_high"]
    assert "€ 400,00" in imp.warnings[0]["message"]


def test_running_it_again_changes_nothing(db, practice_a):
    imp = _run(upload_export(practice_a))
    imported_at = imp.imported_at
    assert importer.run_import(imp.pk) == "already done"
    imp.refresh_from_db()
    assert imp.imported_at == imported_at
    assert WindowValues.objects.filter(imp=imp).count() == 7


def test_an_unreadable_stored_body_is_rejected_with_its_reason(db, practice_a, settings):
    imp = upload_export(practice_a)
    (settings.UPLOAD_STORAGE_DIR / imp.body_path).write_bytes(b"{kapot")
    imp = _run(imp)
    assert imp.status == Import.Status.REJECTED
    assert imp.errors[0]["code"] == "not_json" and imp.errors[0]["message"]
    assert imp.imported_at is None
    assert not WindowValues.objects.filter(imp=imp).exists()


def test_a_missing_stored_body_is_rejected(db, practice_a, settings):
    imp = upload_export(practice_a)
    (settings.UPLOAD_STORAGE_DIR / imp.body_path).unlink()
    imp = _run(imp)
    assert imp.status == Import.Status.REJECTED
    assert imp.errors[0]["code"] == "body_missing"


def test_a_newer_export_of_the_same_year_supersedes_the_older_one(db, practice_a, practice_b):
    today = date.today()
    older = _run(upload_export(practice_a, today=today - timedelta(days=2)))
    newer = _run(upload_export(practice_a, today=today - timedelta(days=1)))
    other_year = _run(upload_export(practice_a, year=today.year - 2))
    other_practice = _run(upload_export(practice_b))
    older.refresh_from_db()
    assert (older.is_current, newer.is_current) == (False, True)
    assert older.status == Import.Status.IMPORTED  # still visible, no longer counted
    assert other_year.is_current and other_practice.is_current


def test_an_older_export_imported_later_does_not_supersede_a_newer_one(db, practice_a):
    today = date.today()
    newer = upload_export(practice_a, today=today - timedelta(days=1))
    older = upload_export(practice_a, today=today - timedelta(days=3))
    _run(newer)
    older = _run(older)
    newer.refresh_from_db()
    assert (older.is_current, newer.is_current) == (False, True)


def test_a_transient_error_queues_a_retry_later_with_the_next_attempt(db, practice_a):
    imp = upload_export(practice_a)
    DBTaskResult.objects.all().delete()
    before = timezone.now()
    assert importer.retry_later(imp.pk, 1, OperationalError("database is locked")) == "retry"
    retry = DBTaskResult.objects.get()
    assert retry.args_kwargs["args"] == [imp.pk, 2]
    assert retry.run_after >= before + timedelta(seconds=1)


def test_it_rejects_after_the_last_attempt(db, practice_a, settings):
    imp = upload_export(practice_a)
    importer.retry_later(imp.pk, settings.UPLOAD_IMPORT_MAX_ATTEMPTS, OperationalError("weg"))
    imp.refresh_from_db()
    assert imp.status == Import.Status.REJECTED
    assert imp.errors[0]["code"] == "import_failed"


def test_the_sweeper_requeues_unfinished_imports_without_a_waiting_task(db, practice_a, settings):
    settings.UPLOAD_IMPORT_BATCH_SIZE = 1  # one import per task: the others stay queued
    lost = upload_export(practice_a, year=date.today().year - 2)
    queued = upload_export(practice_a, year=date.today().year - 3)
    done = _run(upload_export(practice_a))
    DBTaskResult.objects.filter(args_kwargs__args__0=done.pk).update(status="SUCCESSFUL")
    DBTaskResult.objects.filter(args_kwargs__args__0=lost.pk).delete()
    Import.objects.filter(pk=lost.pk).update(status=Import.Status.IMPORTING)

    assert importer.requeue_stale_imports() == [lost.pk]
    assert importer.requeue_stale_imports() == []
    waiting = DBTaskResult.objects.filter(
        status="READY", task_path=importer.import_upload.module_path
    )
    assert sorted(t.args_kwargs["args"][0] for t in waiting) == sorted([lost.pk, queued.pk])
    assert done.pk not in [t.args_kwargs["args"][0] for t in waiting]


def test_a_burst_of_imports_queues_one_statistics_refresh_per_year(db, practice_a, practice_b):
    from parabench.benchmark.models import GroupStatistics

    year = date.today().year - 1
    for practice in (practice_a, practice_b):
        _run(upload_export(practice))
    refreshes = DBTaskResult.objects.filter(task_path=refresh_statistics.module_path)
    assert [t.args_kwargs["args"] for t in refreshes] == [[year]]
    assert refreshes.get().run_after > timezone.now()
    # Its own queue: the production statistics worker takes it, never an import worker.
    assert refreshes.get().queue_name == "statistics"
    assert {t.queue_name for t in DBTaskResult.objects.exclude(pk=refreshes.get().pk)} == {
        "default"
    }

    assert refresh_statistics.call(year) == f"recomputed {year}"
    assert GroupStatistics.objects.filter(year=year).exists()


def test_one_import_task_takes_the_waiting_uploads_along_and_their_own_tasks_find_them_done(
    db, practice_a, practice_b
):
    first, second = upload_export(practice_a), upload_export(practice_b)
    assert importer.import_upload.call(first.pk) == "imported"
    second.refresh_from_db()
    assert second.status == Import.Status.IMPORTED and second.is_current
    assert WindowValues.objects.filter(imp=second).count() == 7
    # Its own task is closed, so no worker claims it; run anyway, it changes nothing.
    tasks = DBTaskResult.objects.filter(task_path=importer.import_upload.module_path)
    assert not tasks.filter(status="READY").exists()
    assert tasks.get(args_kwargs__args__0=second.pk).status == "SUCCESSFUL"
    assert importer.import_upload.call(second.pk) == "already done"


def test_two_exports_of_one_practice_in_one_batch_leave_the_newest_counting(db, practice_a):
    today = date.today()
    newer = upload_export(practice_a, today=today - timedelta(days=1))
    older = upload_export(practice_a, today=today - timedelta(days=3))
    importer.import_upload.call(newer.pk)
    older.refresh_from_db()
    newer.refresh_from_db()
    assert (older.status, newer.status) == (Import.Status.IMPORTED,) * 2
    assert (older.is_current, newer.is_current) == (False, True)


def test_a_batch_takes_no_more_uploads_than_its_size(db, practice_a, settings):
    settings.UPLOAD_IMPORT_BATCH_SIZE = 2
    year = date.today().year
    imports = [upload_export(practice_a, year=year - n) for n in (1, 2, 3)]
    importer.import_upload.call(imports[0].pk)
    statuses = [Import.objects.get(pk=imp.pk).status for imp in imports]
    assert statuses == [Import.Status.IMPORTED, Import.Status.IMPORTED, Import.Status.RECEIVED]


def test_a_stored_body_that_differs_from_the_accepted_one_is_validated_again_in_full(
    db, practice_a, settings
):
    imp = upload_export(practice_a)
    path = settings.UPLOAD_STORAGE_DIR / imp.body_path
    document = json.loads(path.read_bytes())
    document["windows"][0]["sessions"]["total"] += 1  # still the schema, no longer consistent
    path.write_bytes(json.dumps(document).encode())
    imp = _run(imp)
    assert imp.status == Import.Status.REJECTED
    assert "sum_mismatch" in {e["code"] for e in imp.errors}


def test_the_cycle_collector_runs_again_after_a_batch_even_one_that_failed(db, practice_a):
    assert gc.isenabled()
    _run(upload_export(practice_a, year=2024))
    assert gc.isenabled()

    def fail(**kwargs):
        assert not gc.isenabled()  # paused while the batch is built
        raise RuntimeError("receiver failed")

    exports_imported.connect(fail, dispatch_uid="test_fail")
    try:
        imp = upload_export(practice_a, year=2025)
        with pytest.raises(RuntimeError, match="receiver failed"):
            importer.import_batch([imp.pk])
    finally:
        exports_imported.disconnect(dispatch_uid="test_fail")
    assert gc.isenabled()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers; the race needs MVCC"
)
def test_two_workers_importing_one_practice_at_once_leave_exactly_one_export_current(
    transactional_db, practice_a
):
    """The first worker holds its transaction open after marking its export current; the second
    imports a newer export of the same practice meanwhile. Unlocked, each ranked only what it
    could see and both exports stayed current (seen in the topology test)."""
    older = upload_export(practice_a, year=2025, today=date(2026, 3, 1))
    newer = upload_export(practice_a, year=2025, today=date(2026, 4, 1))
    second_marked = threading.Event()

    def hold_the_first(sender, batch, **kwargs):
        if batch[0][0].pk == older.pk:
            second_marked.wait(timeout=3)  # times out when the second waits for our lock
        else:
            second_marked.set()

    def import_in_a_thread(imp):
        try:
            importer.import_batch([imp.pk])
        finally:
            connection.close()

    exports_imported.connect(hold_the_first, dispatch_uid="hold_the_first")
    try:
        first = threading.Thread(target=import_in_a_thread, args=(older,))
        first.start()
        time.sleep(0.5)  # the first is inside its transaction, waiting in the receiver
        second = threading.Thread(target=import_in_a_thread, args=(newer,))
        second.start()
        first.join(30)
        second.join(30)
    finally:
        exports_imported.disconnect(dispatch_uid="hold_the_first")

    current = Import.objects.filter(practice=practice_a, year=2025, is_current=True)
    assert list(current.values_list("pk", flat=True)) == [newer.pk]


def test_what_a_receiver_makes_of_a_read_export_comes_back_with_the_imported_batch(db, practice_a):
    first = upload_export(practice_a, year=2024)
    second = upload_export(practice_a, year=2025)
    handed_back = {}

    def periods(sender, imp, document, **kwargs):
        return (imp.pk, document_date(document["period"]["begin"]).year)

    def collect(sender, batch, **kwargs):
        handed_back.update({imp.pk: read[periods] for imp, read in batch})

    export_read.connect(periods, dispatch_uid="test_periods")
    exports_imported.connect(collect, dispatch_uid="test_collect")
    try:
        importer.import_batch([first.pk, second.pk])
    finally:
        export_read.disconnect(dispatch_uid="test_periods")
        exports_imported.disconnect(dispatch_uid="test_collect")

    assert handed_back == {first.pk: (first.pk, 2024), second.pk: (second.pk, 2025)}
