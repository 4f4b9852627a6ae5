import gzip
import os
from pathlib import Path

import pytest

from parabench.uploads import intake
from parabench.uploads.models import Import
from parabench.uploads.refusals import Refusal
from tests.uploads.exports import export_bytes, make_export
from tests.uploads.factories import upload_export


def test_decompress_stops_a_gzip_bomb_at_the_limit():
    bomb = gzip.compress(b"\0" * 10_000_000)
    with pytest.raises(Refusal) as refused:
        intake.decompress(bomb, "gzip", limit=1_000_000)
    assert refused.value.code == "body_too_large"


def test_decompress_returns_the_document_within_the_limit():
    assert intake.decompress(gzip.compress(b'{"a": 1}'), "gzip", limit=8) == b'{"a": 1}'


def test_decompress_refuses_broken_and_truncated_gzip_as_not_json():
    whole = gzip.compress(b'{"a": 1}' * 100)
    for broken in (b"\x1f\x8bnonsense", whole[: len(whole) // 2], whole + b"trailing"):
        with pytest.raises(Refusal) as refused:
            intake.decompress(broken, "gzip", limit=10_000)
        assert refused.value.code == "not_json"


def test_media_type_allows_json_with_a_charset_and_gzip():
    assert intake.check_media_type("application/json; charset=utf-8", None) == "identity"
    assert intake.check_media_type("Application/JSON", "gzip") == "gzip"
    for content_type, encoding in (("text/json", None), (None, None), ("application/json", "br")):
        with pytest.raises(Refusal) as refused:
            intake.check_media_type(content_type, encoding)
        assert refused.value.code == "unsupported_media_type"


def test_store_durably_leaves_the_file_and_no_temporary_files(settings):
    path = intake.store_durably(b"inhoud", "7/abc.json")
    assert path == Path(settings.UPLOAD_STORAGE_DIR) / "7" / "abc.json"
    assert path.read_bytes() == b"inhoud"
    assert os.listdir(path.parent) == ["abc.json"]


def test_an_accepted_export_is_on_disk_and_queued_before_the_answer(db, practice_a):
    from django_tasks_db.models import DBTaskResult

    imp = upload_export(practice_a)
    assert intake.stored_body(imp) == export_bytes(make_export(practice_a.agb_code))
    assert imp.body_path == f"{practice_a.pk}/{imp.content_sha256}.json"
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"][0] == imp.pk


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
