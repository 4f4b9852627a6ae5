"""``POST …/validate`` over real mutual TLS: the answers of /exports, and nothing is stored."""

import pytest
import requests

from parabench.certificates.models import ClientCertificate
from parabench.certificates.services import Actor, block_certificate
from parabench.uploads.models import Import
from tests.uploads.exports import export_bytes, gzipped, make_export

pytestmark = pytest.mark.slow


def validate(uploader, body: bytes, cert, gzip_it=False):
    headers = {"Content-Type": "application/json"}
    if gzip_it:
        body, headers["Content-Encoding"] = gzipped(body), "gzip"
    return requests.post(
        f"{uploader.base}/validate",
        data=body,
        headers=headers,
        cert=cert,
        verify=str(uploader.ca_path),
        timeout=30,
    )


def test_validation_answers_as_exports_would_and_stores_nothing(
    uploader, practice_a, practice_b, client_files, upload_storage
):
    cert_a, cert_b = client_files(practice_a, "a"), client_files(practice_b, "b")
    document = make_export(practice_a.agb_code)

    valid = validate(uploader, export_bytes(document), cert_a, gzip_it=True)
    assert valid.status_code == 200, valid.text
    answer = valid.json()
    assert (answer["valid"], answer["stored"], answer["agb_code"]) == (True, False, "04123451")
    assert "import_number" not in answer

    mismatch = validate(uploader, export_bytes(document), cert_b)
    assert (mismatch.status_code, mismatch.json()["error"]["code"]) == (403, "practice_mismatch")

    document["software"]["name"] = "Jan Jansen 01-01-1950"
    smuggled = validate(uploader, export_bytes(document), cert_a).json()["error"]
    assert smuggled["code"] == "schema_invalid"
    assert {(p["path"], p["code"]) for p in smuggled["problems"]} == {
        ("$.software.name", "software_unknown")
    }

    document = make_export(practice_a.agb_code)
    document["exported_at"] = document["exported_at"].replace("+", ".123456782+")  # a BSN
    stored = uploader.post(export_bytes(document), cert=cert_a).json()["error"]
    assert (stored["code"], [p["code"] for p in stored["problems"]]) == (
        "schema_invalid",
        ["exported_at_format"],
    )

    no_cert = requests.post(
        f"{uploader.base}/validate", data=b"{}", verify=str(uploader.ca_path), timeout=30
    )
    assert (no_cert.status_code, no_cert.json()["error"]["code"]) == (401, "certificate_required")

    block_certificate(ClientCertificate.objects.get(practice=practice_a), actor=Actor())
    blocked = validate(uploader, export_bytes(make_export(practice_a.agb_code)), cert_a)
    assert (blocked.status_code, blocked.json()["error"]["code"]) == (403, "certificate_blocked")

    assert Import.objects.count() == 0
    assert not upload_storage.exists() or not any(upload_storage.rglob("*.json"))


def test_the_openapi_declares_mutual_tls_the_validation_endpoint_and_every_refusal(uploader):
    from parabench.uploads.refusals import REFUSALS

    document = requests.get(
        f"{uploader.base}/openapi.json", verify=str(uploader.ca_path), timeout=30
    ).json()

    assert document["components"]["securitySchemes"]["mutualTLS"]["type"] == "mutualTLS"
    assert document["security"] == [{"mutualTLS": []}]
    assert "/validate" in document["paths"]
    described = {
        code
        for path in document["paths"].values()
        for operation in path.values()
        for response in operation["responses"].values()
        for code in response.get("content", {}).get("application/json", {}).get("examples", {})
    }
    assert described == set(REFUSALS)
