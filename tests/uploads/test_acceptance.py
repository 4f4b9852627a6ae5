"""A vendor's acceptance certificate against the real uploader: through TLS, never into the data."""

from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from parabench.certificates import pki
from parabench.certificates.acceptance import issue_vendor_certificate
from parabench.certificates.services import Actor
from parabench.uploads.models import Import
from parabench_client.certrequest import csr_pem
from tests.certificates.factories import issue_certificate_for, write_tls_client_files
from tests.uploads.exports import export_bytes, make_export

pytestmark = pytest.mark.slow


def vendor_files(tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    csr = csr_pem(key).encode()
    row = issue_vendor_certificate("Fysiosoft BV", csr, actor=Actor())
    cert, key_file = tmp_path / "vendor.pem", tmp_path / "vendor.key"
    cert.write_text(row.certificate_pem)
    key_file.write_bytes(pki.private_key_pem(key))
    return row, (str(cert), str(key_file))


def test_an_acceptance_certificate_passes_tls_but_the_production_upload_refuses_it(
    uploader, practice_a, tmp_path
):
    _row, vendor = vendor_files(tmp_path)
    # The handshake lets it through (the uploader trusts the acceptance CA for validation) ...
    openapi = requests.get(
        f"{uploader.base}/openapi.json", cert=vendor, verify=str(uploader.ca_path), timeout=30
    )
    assert openapi.status_code == 200
    # ... so only the application's rule keeps it out of the statistics.
    body = export_bytes(make_export(practice_a.agb_code))
    refused = uploader.post(body, cert=vendor)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "certificate_acceptance_only"
    renewal = requests.post(
        f"{uploader.base}/certificates/renewals",
        json={"csr": "x"},
        cert=vendor,
        verify=str(uploader.ca_path),
        timeout=30,
    )
    assert renewal.json()["error"]["code"] == "certificate_acceptance_only"
    assert not Import.objects.exists()

    # A practice's production certificate on the same uploader is accepted.
    _certificate, pfx = issue_certificate_for(practice_a)
    production = write_tls_client_files(pfx, tmp_path / "practice")
    assert uploader.post(body, cert=tuple(map(str, production))).status_code == 202
    assert Import.objects.filter(practice=practice_a).count() == 1


def test_the_validation_endpoint_accepts_a_vendors_export_and_stores_nothing(
    uploader, practice_a, tmp_path, settings
):
    row, vendor = vendor_files(tmp_path)
    # Any AGB code: a vendor has no practice of its own.
    body = export_bytes(make_export("12345678"))
    answer = requests.post(
        f"{uploader.base}/validate",
        data=body,
        headers={"Content-Type": "application/json"},
        cert=vendor,
        verify=str(uploader.ca_path),
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    payload = answer.json()
    assert (payload["valid"], payload["stored"], payload["environment"]) == (
        True,
        False,
        "acceptance",
    )
    assert payload["vendor"] == row.vendor
    assert not Import.objects.exists()
    assert not any(Path(settings.UPLOAD_STORAGE_DIR).rglob("*.json*"))

    broken = requests.post(
        f"{uploader.base}/validate",
        data=b'{"format": "parabench-mi/1"}',
        headers={"Content-Type": "application/json"},
        cert=vendor,
        verify=str(uploader.ca_path),
        timeout=30,
    )
    assert broken.status_code == 422
    assert broken.json()["error"]["code"] in {"schema_invalid", "period_invalid"}

    # A blocked vendor certificate is refused on the validation path too.
    from parabench.certificates.acceptance import block_vendor_certificate

    block_vendor_certificate(row)
    blocked = requests.post(
        f"{uploader.base}/validate",
        data=body,
        headers={"Content-Type": "application/json"},
        cert=vendor,
        verify=str(uploader.ca_path),
        timeout=30,
    )
    assert blocked.status_code == 403 and blocked.json()["error"]["code"] == "certificate_blocked"
