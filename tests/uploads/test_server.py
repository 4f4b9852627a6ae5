"""The uploader process in production mode (plain HTTP behind the proxy): what it needs and what
it writes down."""

import http.client
import json
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.exceptions import ImproperlyConfigured

from parabench.certificates import pki
from parabench.certificates.ca import get_ca
from parabench.uploads.models import Import
from tests.uploads.conftest import ROOT, SERVICE, stop, wait_for_port
from tests.uploads.exports import export_bytes, make_export
from tests.uploads.factories import foreign_client_files

pytestmark = pytest.mark.slow


def _start_plain_uploader(env: dict, tmp_path: Path):
    port_file = tmp_path / "plain.port"
    log = open(tmp_path / "plain.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "parabench.uploads.server", "--plain", "--port", "0"]
        + ["--port-file", str(port_file)],
        env={**env, "UPLOADER_TRUSTED_PROXIES": "127.0.0.1"},
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while not port_file.exists():
        assert process.poll() is None and time.monotonic() < deadline, (
            tmp_path / "plain.log"
        ).read_text()
        time.sleep(0.05)
    port = int(port_file.read_text())
    wait_for_port("127.0.0.1", port)
    return process, port, log


def _post_as_proxy(port: int, body: bytes, cert_pem: str, verify="SUCCESS"):
    """What nginx forwards: the client certificate in headers, from the trusted address."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {
        "Content-Type": "application/json",
        "X-SSL-Client-Cert": quote(cert_pem),
        "X-SSL-Client-Verify": verify,
    }
    connection.request("POST", f"{SERVICE}/exports", body=body, headers=headers)
    response = connection.getresponse()
    return response.status, response.getheader("Content-Type"), json.loads(response.read())


def test_the_uploader_verifies_with_the_ca_certificate_only_and_runs_without_the_key(
    transactional_db, child_env, tmp_path, practice_a, client_files, settings
):
    cert_path, _key = client_files(practice_a)  # issued by the portal, which has the key
    missing_key = tmp_path / "no-such-dir" / "ca.key"
    env = {**child_env, "CA_KEY_PATH": str(missing_key), "CA_AUTO_CREATE": "0"}
    # The rule the uploader used to follow (the whole CA, key included) fails without the key.
    settings.CA_KEY_PATH, settings.CA_AUTO_CREATE = missing_key, False
    with pytest.raises(ImproperlyConfigured):
        get_ca()

    process, port, log = _start_plain_uploader(env, tmp_path)
    try:
        body = export_bytes(make_export(practice_a.agb_code))
        status, content_type, payload = _post_as_proxy(port, body, Path(cert_path).read_text())
        assert status == 202, payload
        assert content_type.startswith("application/json")
        assert Import.objects.get(practice=practice_a).pk == payload["import_number"]
    finally:
        stop(process)
        log.close()
    assert not missing_key.exists()


def test_the_access_log_records_refused_certificates_and_accepted_uploads(
    transactional_db, child_env, tmp_path, practice_a, client_files
):
    access_log = tmp_path / "access.log"
    env = {**child_env, "UPLOADER_ACCESS_LOG": str(access_log)}
    cert_path, _key = client_files(practice_a)
    foreign_path, _foreign_key = foreign_client_files(tmp_path / "foreign", practice_a)
    own, foreign = Path(cert_path).read_text(), Path(foreign_path).read_text()
    body = export_bytes(make_export(practice_a.agb_code))

    process, port, log = _start_plain_uploader(env, tmp_path)
    try:
        assert _post_as_proxy(port, body, foreign)[0] == 403
        assert _post_as_proxy(port, body, own)[0] == 202
    finally:
        stop(process)
        log.close()

    refused, accepted = (json.loads(line) for line in access_log.read_text().splitlines())
    assert refused["status"] == 403 and refused["code"] == "certificate_foreign_issuer"
    assert refused["fingerprint"] == pki.fingerprint(pki.load_certificate(foreign))
    imp = Import.objects.get()
    assert (accepted["status"], accepted["code"], accepted["import_number"]) == (
        202,
        "accepted",
        imp.pk,
    )
    assert accepted["fingerprint"] == imp.certificate_fingerprint
    assert accepted["agb_code"] == practice_a.agb_code and accepted["bytes"] == len(body)
