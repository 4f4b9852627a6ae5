import gzip
import json
import os
import stat
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from parabench.uploads import documents, intake, storage
from parabench.uploads.models import Import
from parabench.uploads.refusals import Refusal
from tests.uploads.exports import export_bytes, make_export
from tests.uploads.factories import upload_export


def test_decompress_stops_a_gzip_bomb_at_the_limit():
    bomb = gzip.compress(b"\0" * 10_000_000)
    with pytest.raises(Refusal) as refused:
        documents.decompress(bomb, "gzip", limit=1_000_000)
    assert refused.value.code == "body_too_large"


def test_decompress_returns_the_document_within_the_limit():
    assert documents.decompress(gzip.compress(b'{"a": 1}'), "gzip", limit=8) == b'{"a": 1}'


def test_decompress_refuses_broken_and_truncated_gzip_as_not_json():
    whole = gzip.compress(b'{"a": 1}' * 100)
    for broken in (b"\x1f\x8bnonsense", whole[: len(whole) // 2], whole + b"trailing"):
        with pytest.raises(Refusal) as refused:
            documents.decompress(broken, "gzip", limit=10_000)
        assert refused.value.code == "not_json"


def test_media_type_allows_json_with_a_charset_and_gzip():
    assert documents.check_media_type("application/json; charset=utf-8", None) == "identity"
    assert documents.check_media_type("Application/JSON", "gzip") == "gzip"
    for content_type, encoding in (("text/json", None), (None, None), ("application/json", "br")):
        with pytest.raises(Refusal) as refused:
            documents.check_media_type(content_type, encoding)
        assert refused.value.code == "unsupported_media_type"


def test_store_durably_leaves_the_file_and_no_temporary_files(settings):
    path = storage.store_durably(b"inhoud", "7/abc.json")
    assert path == Path(settings.UPLOAD_STORAGE_DIR) / "7" / "abc.json"
    assert path.read_bytes() == b"inhoud"
    assert os.listdir(path.parent) == ["abc.json"]


def test_store_durably_makes_the_practice_directory_private_once_and_then_writes_into_it(
    settings,
):
    first = storage.store_durably(b"een", "8/een.json")
    second = storage.store_durably(b"twee", "8/twee.json")
    assert first.parent == second.parent == Path(settings.UPLOAD_STORAGE_DIR) / "8"
    assert first.parent.stat().st_mode & 0o777 == 0o700
    assert (first.read_bytes(), second.read_bytes()) == (b"een", b"twee")
    assert sorted(os.listdir(first.parent)) == ["een.json", "twee.json"]


def test_an_accepted_export_is_on_disk_and_queued_before_the_answer(db, practice_a):
    from django_tasks_db.models import DBTaskResult

    imp = upload_export(practice_a)
    assert storage.stored_body(imp) == export_bytes(make_export(practice_a.agb_code))
    assert imp.body_path == f"{practice_a.pk}/{imp.content_sha256}.json"
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"][0] == imp.pk


def test_an_upload_queues_the_task_row_enqueue_import_writes(db, practice_a):
    # On PostgreSQL the row and its task go in one statement that writes the task's arguments
    # itself (intake._insert_with_import_task): the worker must find the row enqueue_import
    # writes (tests/test_tasks.py: the row django-tasks' own enqueue writes).
    from django_tasks_db.models import DBTaskResult

    from parabench.uploads.importer import enqueue_import

    imp = upload_export(practice_a)
    enqueue_import(imp.pk)
    rows = [
        {
            f.attname: getattr(row, f.attname)
            for f in DBTaskResult._meta.concrete_fields
            if f.attname not in ("id", "enqueued_at")
        }
        for row in DBTaskResult.objects.order_by("enqueued_at")
    ]
    assert rows[0] == rows[1]
    assert rows[0]["args_kwargs"] == {"args": [imp.pk, 1], "kwargs": {}}
    assert Import.objects.get().pk == imp.pk


def test_checking_an_export_stores_nothing_until_it_is_stored(db, practice_a, settings):
    # The uploader checks while holding a validation slot and stores after releasing it: the
    # check alone must leave no file and no row behind, and its result must be all store needs.
    body = export_bytes(make_export(practice_a.agb_code))
    checked = intake.check_export(
        practice=practice_a, certificate_fingerprint="f" * 64, body=body, encoding="identity"
    )
    assert isinstance(checked, intake.Checked)
    assert not Import.objects.exists()
    assert not list(Path(settings.UPLOAD_STORAGE_DIR).glob("*/*.json"))
    accepted = intake.store(checked)
    assert (accepted.duplicate, storage.stored_body(accepted.imp)) == (False, body)
    again = intake.check_export(
        practice=practice_a, certificate_fingerprint="f" * 64, body=body, encoding="identity"
    )
    assert isinstance(again, intake.Accepted)
    assert (again.duplicate, again.imp.pk) == (True, accepted.imp.pk)


def test_the_same_checked_export_stored_twice_at_once_is_one_upload(db, practice_a):
    # Two requests with the same bytes both passed their checks; the second one's insert meets
    # the unique constraint and answers the first one's import number (inside the test's
    # transaction too: the insert must not leave it aborted).
    body = export_bytes(make_export(practice_a.agb_code))
    checked = intake.check_export(
        practice=practice_a, certificate_fingerprint="f" * 64, body=body, encoding="identity"
    )
    first, second = intake.store(checked), intake.store(checked)
    assert (first.duplicate, second.duplicate) == (False, True)
    assert second.imp.pk == first.imp.pk
    assert Import.objects.count() == 1


def test_the_same_export_gzipped_is_the_same_upload(db, practice_a):
    body = export_bytes(make_export(practice_a.agb_code))
    first = intake.accept_export(
        practice=practice_a, certificate_fingerprint="f" * 64, body=body, encoding="identity"
    )
    second = intake.accept_export(
        practice=practice_a,
        certificate_fingerprint="f" * 64,
        body=gzip.compress(body),
        encoding="gzip",
    )
    assert (first.duplicate, second.duplicate) == (False, True)
    assert second.imp.pk == first.imp.pk
    assert Import.objects.count() == 1


def test_an_export_of_another_practice_is_refused_and_not_stored(db, practice_a, practice_b):
    with pytest.raises(Refusal) as refused:
        upload_export(practice_a, make_export(practice_b.agb_code))
    assert refused.value.code == "practice_mismatch"
    assert not Import.objects.exists()


def test_a_body_one_byte_beyond_the_limit_is_refused_and_the_limit_is_a_few_real_exports(
    db, practice_a, settings
):
    """The default limit fits real exports (~70 KB in 1.1) and nothing like the 5 MB that
    cost 2 GB: at most twenty real exports, and one byte more is refused, plain or gzipped."""
    export = export_bytes(make_export(practice_a.agb_code))
    limit = settings.UPLOAD_MAX_DECOMPRESSED_BYTES
    assert 10 * len(export) <= limit <= 20 * len(export)
    body = export + b" " * (limit - len(export) + 1)
    for encoding, sent in (("identity", body), ("gzip", gzip.compress(body))):
        with pytest.raises(Refusal) as refused:
            intake.accept_export(
                practice=practice_a, certificate_fingerprint="f" * 64, body=sent, encoding=encoding
            )
        assert refused.value.code == "body_too_large"


def _exported_at(document, moment):
    document["exported_at"] = moment.replace(microsecond=0).isoformat()
    return document


def test_an_export_made_after_it_arrived_is_refused_beyond_the_clock_skew(db, practice_a, settings):
    now = timezone.now().replace(microsecond=0)
    skew = timedelta(minutes=settings.UPLOAD_CLOCK_SKEW_MINUTES)
    for moment in (now + skew + timedelta(minutes=1), datetime(2099, 1, 1, tzinfo=UTC)):
        document = _exported_at(make_export(practice_a.agb_code), moment)
        with pytest.raises(Refusal) as refused:
            upload_export(practice_a, document)
        assert (refused.value.status, refused.value.code) == (422, "exported_at_future")
    assert not Import.objects.exists()
    # Within the skew (a PC clock a little ahead) it is accepted.
    upload_export(practice_a, _exported_at(make_export(practice_a.agb_code), now + skew / 2))
    assert Import.objects.count() == 1


def _orphan(practice, document: bytes, age_seconds: float) -> Path:
    """A body as a crash between the fsync and the commit leaves it: on disk, no row."""
    path = storage.store_durably(document, f"{practice.pk}/{documents.content_hash(document)}.json")
    past = time.time() - age_seconds
    os.utime(path, (past, past))
    return path


def test_a_body_without_a_row_is_swept_in_as_an_upload_received_at_its_file_time(db, practice_a):
    document = export_bytes(make_export(practice_a.agb_code))
    path = _orphan(practice_a, document, age_seconds=3600)
    fresh = _orphan(practice_a, export_bytes(make_export(practice_a.agb_code, seed=3)), 5)

    report = intake.sweep_orphan_bodies(older_than_seconds=600)

    imp = Import.objects.get()
    assert report.accepted == [imp.pk]
    assert imp.body_path == f"{practice_a.pk}/{path.name}" and imp.status == "received"
    assert abs((imp.uploaded_at - timezone.now()).total_seconds() - (-3600)) < 60
    assert fresh.exists()  # young: perhaps a request in progress, left alone
    assert intake.sweep_orphan_bodies(older_than_seconds=600).accepted == []


def test_a_swept_body_that_is_no_longer_acceptable_is_set_aside_and_reported(db, practice_a):
    document = make_export(practice_a.agb_code)
    document["windows"][0]["patients"]["total"] = -1
    path = _orphan(practice_a, export_bytes(document), age_seconds=3600)

    report = intake.sweep_orphan_bodies(older_than_seconds=600)

    assert not Import.objects.exists() and not path.exists()
    ((aside, reason),) = report.set_aside
    assert reason == "schema_invalid" and Path(aside).read_bytes() == export_bytes(document)
    assert intake.sweep_orphan_bodies(older_than_seconds=600).set_aside == []


def test_the_sweep_asks_the_database_once_per_thousand_bodies_not_once_per_body(
    db, practice_a, django_assert_max_num_queries
):
    for seed in range(5):
        imp = upload_export(practice_a, make_export(practice_a.agb_code, seed=seed))
        os.utime(storage.storage_root() / imp.body_path, (1, 1))  # long stored
    with django_assert_max_num_queries(1):
        report = intake.sweep_orphan_bodies(older_than_seconds=600)
    assert report.accepted == [] and report.set_aside == []


def test_unfinished_writes_are_swept_when_old_enough(settings):
    directory = Path(settings.UPLOAD_STORAGE_DIR) / "7"
    directory.mkdir(parents=True)
    old, young = directory / ".incoming-a.part", directory / ".incoming-b.part"
    for path in (old, young):
        path.write_bytes(b"half")
    past = time.time() - 3600
    os.utime(old, (past, past))

    assert intake.sweep_orphan_bodies(older_than_seconds=600).part_files_removed == 1
    assert not old.exists() and young.exists()


def test_stored_bodies_are_private_to_the_service_user(db, practice_a):
    imp = upload_export(practice_a)
    path = storage.storage_root() / imp.body_path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(storage.storage_root().stat().st_mode) == 0o700


def test_the_sweep_task_books_its_next_run_once(db, practice_a):
    from django_tasks_db.models import DBTaskResult

    from parabench.uploads.tasks import ensure_sweep_schedule, sweep_uploads

    document = export_bytes(make_export(practice_a.agb_code))
    _orphan(practice_a, document, age_seconds=3600)
    assert ensure_sweep_schedule() and not ensure_sweep_schedule()
    DBTaskResult.objects.all().delete()  # as if the booked run is now taken by the worker
    assert sweep_uploads.call() == "0 part files removed, 1 accepted, 0 set aside"
    booked = DBTaskResult.objects.filter(task_path=sweep_uploads.module_path)
    assert booked.count() == 1 and booked.get().run_after > timezone.now()


def _checked(practice, body: bytes):
    return intake.check_export(
        practice=practice, certificate_fingerprint="f" * 64, body=body, encoding="identity"
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # The same key twice with the same value: pydantic alone would accept the export.
        (b'"year_closed": false', b'"year_closed": false, "year_closed": false'),
        # The first of two values hidden, holding strings and keys of its own.
        (b'{"format": ', b'{"format": {"a": "b", "c": ["d"]}, "format": '),
        # Inside a window, the hidden value a number.
        (b'"patients": {', b'"patients": {"total": 1, '),
    ],
)
def test_a_valid_export_with_a_key_twice_is_refused_for_the_duplicate(db, practice_a, old, new):
    body = json.dumps(make_export(practice_a.agb_code)).encode()  # with ": " and ", "
    assert old in body
    with pytest.raises(Refusal) as refused:
        _checked(practice_a, body.replace(old, new, 1))
    assert refused.value.code == "json_duplicate_key"


def test_a_valid_export_checked_straight_from_its_bytes_or_step_by_step_is_the_same(db, practice_a):
    document = make_export(practice_a.agb_code)
    plain = json.dumps(document).encode()
    # An escape sends it through every step in turn (the quotes cannot be counted).
    escaped = plain.replace(b'"format": "parabench', b'"format": "\\u0070arabench', 1)
    assert escaped != plain
    quick, stepwise = _checked(practice_a, plain), _checked(practice_a, escaped)
    assert intake.quickly_validated_export(plain, today=timezone.localdate()) is not None
    assert intake.quickly_validated_export(escaped, today=timezone.localdate()) is None
    for field in ("format_version", "period_begin", "period_end", "year_closed", "exported_at"):
        assert getattr(quick, field) == getattr(stepwise, field)
