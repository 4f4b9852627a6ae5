"""The uploader over real mutual TLS: a subprocess uvicorn with the TLS protocol class."""

import gzip
import json
from datetime import date, timedelta

import pytest
import requests
from django.utils import timezone

from parabench.uploads.models import Import
from tests.uploads.conftest import running_uploader
from tests.uploads.exports import export_bytes, gzipped, make_export
from tests.uploads.factories import foreign_client_files

pytestmark = pytest.mark.slow


@pytest.fixture
def uploader(shared_uploader):
    """One uploader for this module (conftest's module_uploader): none of these tests needs
    settings of its own but the last, which starts its own."""
    return shared_uploader


def _error(response) -> dict:
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()["error"]


def test_it_accepts_an_export_with_202_and_an_import_number(uploader, practice_a, client_files):
    cert = client_files(practice_a)
    response = uploader.post(export_bytes(make_export(practice_a.agb_code)), cert=cert)
    assert response.status_code == 202, response.text
    body = response.json()
    imp = Import.objects.get(practice=practice_a)
    assert body == {
        "import_number": imp.pk,
        "status": "received",
        "duplicate": False,
        "status_url": f"/ParabenchUploader/services/imports/{imp.pk}",
    }
    assert response.headers["Location"] == body["status_url"]
    assert imp.certificate_fingerprint and imp.status == "received"
    assert imp.period_begin.month == 1 and imp.period_begin.day == 1


def test_the_same_bytes_twice_get_the_same_import_number(uploader, practice_a, client_files):
    cert = client_files(practice_a)
    body = export_bytes(make_export(practice_a.agb_code))
    first = uploader.post(body, cert=cert).json()
    again = uploader.post(body, cert=cert).json()
    zipped = uploader.post(gzipped(body), cert=cert, headers={"Content-Encoding": "gzip"}).json()
    assert again["import_number"] == zipped["import_number"] == first["import_number"]
    assert (first["duplicate"], again["duplicate"], zipped["duplicate"]) == (False, True, True)
    assert Import.objects.filter(practice=practice_a).count() == 1


def test_it_answers_401_without_a_certificate(uploader, practice_a):
    response = uploader.post(export_bytes(make_export(practice_a.agb_code)))
    assert response.status_code == 401
    assert _error(response)["code"] == "certificate_required"
    assert "certificaat" in _error(response)["message"]


def test_it_refuses_a_blocked_certificate(uploader, practice_a, client_files):
    cert = client_files(practice_a, blocked=True)
    response = uploader.post(export_bytes(make_export(practice_a.agb_code)), cert=cert)
    assert response.status_code == 403
    assert _error(response)["code"] == "certificate_blocked"
    assert not Import.objects.exists()


def test_it_refuses_an_expired_certificate_with_a_readable_403(uploader, practice_a, client_files):
    now = timezone.now()
    cert = client_files(
        practice_a, not_before=now - timedelta(days=400), not_after=now - timedelta(days=1)
    )
    response = uploader.post(export_bytes(make_export(practice_a.agb_code)), cert=cert)
    assert response.status_code == 403
    assert _error(response)["code"] == "certificate_expired"


def test_it_ends_the_handshake_for_a_certificate_of_another_ca(uploader, practice_a, tmp_path):
    cert = foreign_client_files(tmp_path / "foreign", practice_a)
    with pytest.raises(requests.exceptions.ConnectionError):
        uploader.post(export_bytes(make_export(practice_a.agb_code)), cert=cert)
    assert not Import.objects.exists()


def test_it_refuses_an_export_of_another_practice(uploader, practice_a, practice_b, client_files):
    cert = client_files(practice_a)
    response = uploader.post(export_bytes(make_export(practice_b.agb_code)), cert=cert)
    assert response.status_code == 403
    assert _error(response)["code"] == "practice_mismatch"


def test_it_refuses_bodies_over_the_limits_and_gzip_bombs(
    uploader, practice_a, client_files, settings
):
    cert = client_files(practice_a)
    too_large = b"[" + b"0," * settings.UPLOAD_MAX_BYTES + b"0]"
    response = uploader.post(too_large, cert=cert)
    assert (response.status_code, _error(response)["code"]) == (413, "body_too_large")

    bomb = gzip.compress(b" " * (settings.UPLOAD_MAX_DECOMPRESSED_BYTES + 1), compresslevel=9)
    assert len(bomb) < settings.UPLOAD_MAX_BYTES
    response = uploader.post(bomb, cert=cert, headers={"Content-Encoding": "gzip"})
    assert (response.status_code, _error(response)["code"]) == (413, "body_too_large")


def test_a_refused_certificate_learns_nothing_about_the_limits(
    uploader, practice_a, client_files, settings
):
    cert = client_files(practice_a, blocked=True)
    too_large = b"[" + b"0," * settings.UPLOAD_MAX_BYTES + b"0]"
    for body, headers in (
        (too_large, {}),
        (b"<xml/>", {"Content-Type": "application/xml"}),
    ):
        response = uploader.post(body, cert=cert, headers=headers)
        assert (response.status_code, _error(response)["code"]) == (403, "certificate_blocked")
    assert not Import.objects.exists()


def test_it_refuses_what_is_not_a_valid_export_with_422(uploader, practice_a, client_files):
    cert = client_files(practice_a)
    cases = {
        b"{not json": "not_json",
        b"\x1f\x8b broken gzip": "not_json",
        json.dumps({"format": "parabench-mi/0"}).encode(): "format_unsupported",
    }
    for body, code in cases.items():
        headers = {"Content-Encoding": "gzip"} if body.startswith(b"\x1f\x8b") else {}
        response = uploader.post(body, cert=cert, headers=headers)
        assert (response.status_code, _error(response)["code"]) == (422, code), body

    document = make_export(practice_a.agb_code)
    document["windows"][0]["patients"]["total"] = -1
    document["software"]["colour"] = "blauw"
    response = uploader.post(export_bytes(document), cert=cert)
    error = _error(response)
    assert (response.status_code, error["code"]) == (422, "schema_invalid")
    paths = {p["path"] for p in error["problems"]}
    assert {"$.windows[0].patients.total", "$.software.colour"} <= paths
    assert all(p["message"] and p["message_en"] for p in error["problems"])
    assert not Import.objects.exists()


def test_it_refuses_a_period_past_the_last_complete_quarter(uploader, practice_a, client_files):
    cert = client_files(practice_a)
    today = date.today()
    # Made "next year": the whole current year, which is not complete yet.
    document = make_export(practice_a.agb_code, year=today.year, today=date(today.year + 1, 1, 15))
    document["exported_at"] = timezone.localtime().replace(microsecond=0).isoformat()
    response = uploader.post(export_bytes(document), cert=cert)
    error = _error(response)
    assert (response.status_code, error["code"]) == (422, "period_invalid")
    assert any(p["code"] == "period_incomplete_quarter" for p in error["problems"])


def test_it_refuses_other_media_types_and_methods(uploader, practice_a, client_files):
    cert = client_files(practice_a)
    body = export_bytes(make_export(practice_a.agb_code))
    response = uploader.post(body, cert=cert, headers={"Content-Type": "text/plain"})
    assert (response.status_code, _error(response)["code"]) == (415, "unsupported_media_type")
    response = uploader.post(body, cert=cert, headers={"Content-Encoding": "br"})
    assert (response.status_code, _error(response)["code"]) == (415, "unsupported_media_type")
    response = uploader.get("/exports", cert=cert)
    assert (response.status_code, _error(response)["code"]) == (405, "method_not_allowed")
    response = uploader.get("/elders", cert=cert)
    assert (response.status_code, _error(response)["code"]) == (404, "not_found")


def test_the_status_of_an_import_is_only_for_its_own_practice(
    uploader, practice_a, practice_b, client_files
):
    cert_a = client_files(practice_a, name="a")
    cert_b = client_files(practice_b, name="b")
    accepted = uploader.post(export_bytes(make_export(practice_a.agb_code)), cert=cert_a).json()
    own = uploader.get(
        accepted["status_url"].removeprefix("/ParabenchUploader/services"), cert=cert_a
    )
    assert own.status_code == 200
    status = own.json()
    assert status["import_number"] == accepted["import_number"]
    assert status["status"] == "received" and status["imported_at"] is None
    assert status["uploaded_at"].endswith(("+01:00", "+02:00"))

    other = uploader.get(f"/imports/{accepted['import_number']}", cert=cert_b)
    assert (other.status_code, _error(other)["code"]) == (404, "not_found")
    anonymous = uploader.get(f"/imports/{accepted['import_number']}")
    assert anonymous.status_code == 401


def test_it_serves_its_openapi_description(uploader):
    response = uploader.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    assert {"/exports", "/imports/{import_number}", "/openapi.json"} <= set(document["paths"])
    assert "Export" in document["components"]["schemas"]


@pytest.fixture
def capped_uploader(transactional_db, child_env, tmp_path, settings):
    """An uploader that validates one export at a time and lets no request wait for it."""
    child_env.update(UPLOAD_MAX_CONCURRENT_VALIDATIONS="1", UPLOAD_VALIDATION_WAIT_SECONDS="0")
    with running_uploader(child_env, tmp_path, settings.CA_CERT_PATH) as running:
        yield running


def test_validations_beyond_the_cap_are_refused_with_503_and_retry_after(
    capped_uploader, practice_a, client_files
):
    uploader = capped_uploader
    from concurrent.futures import ThreadPoolExecutor

    cert = client_files(practice_a)
    bodies = [export_bytes(make_export(practice_a.agb_code, seed=n, patients=60)) for n in range(8)]
    with ThreadPoolExecutor(len(bodies)) as pool:
        responses = list(pool.map(lambda body: uploader.post(body, cert=cert), bodies))
    refused = [r for r in responses if r.status_code == 503]
    assert {r.status_code for r in responses} == {202, 503}, [r.status_code for r in responses]
    assert all(_error(r)["code"] == "unavailable" and r.headers["Retry-After"] for r in refused)
    # Nothing refused was stored; the client retries them later.
    assert Import.objects.count() == len(responses) - len(refused)
