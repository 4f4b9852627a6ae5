"""Production mode: a real nginx (Debian package) with deploy/nginx/parabench-uploader.conf in
front of the plain-HTTP uploader, which trusts the certificate headers only from that proxy."""

import http.client
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.utils import timezone

from parabench import topology
from parabench.certificates.ca import write_trust_bundle
from parabench.certificates.lookup import current_crl
from parabench.uploads.models import Import
from parabench.uploads.server import ensure_server_certificate
from tests.uploads.conftest import ROOT, SERVICE, stop, wait_for_port
from tests.uploads.exports import export_bytes, make_export
from tests.uploads.factories import foreign_client_files

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nginx_config(
    directory: Path, *, port: int, app_port: int, trust_bundle: Path | None = None
) -> Path:
    """deploy/nginx/parabench-uploader.conf with this test's ports and files, in a full config;
    the client certificates of every CA in the trust bundle pass, unless ``trust_bundle`` says
    otherwise."""
    server_cert, server_key = ensure_server_certificate(
        directory / "server.pem", directory / "server.key"
    )
    crl = directory / "crl.pem"
    crl.write_bytes(current_crl("pem"))
    site = topology.nginx_site(
        port=port,
        app_ports=[app_port],
        server_cert=server_cert,
        server_key=server_key,
        trust_bundle=trust_bundle or write_trust_bundle(directory / "trusted-clients.pem"),
        crl=crl,
    )
    return topology.nginx_config(directory, site)


@pytest.fixture
def plain_uploader(transactional_db, child_env, tmp_path):
    """The uploader in production mode: plain HTTP on loopback, trusting 127.0.0.1 only."""
    env = {**child_env, "UPLOADER_TRUSTED_PROXIES": "127.0.0.1"}
    port_file = tmp_path / "plain.port"
    log = open(tmp_path / "plain.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "parabench.uploads.server", "--plain", "--port", "0"]
        + ["--port-file", str(port_file)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while not port_file.exists():
            assert process.poll() is None and time.monotonic() < deadline, (
                tmp_path / "plain.log"
            ).read_text()
            time.sleep(0.05)
        port = int(port_file.read_text())
        wait_for_port("127.0.0.1", port)
        yield port
    finally:
        stop(process)
        log.close()


@contextmanager
def running_nginx(directory: Path, app_port: int, trust_bundle: Path | None = None):
    assert Path(topology.NGINX).exists(), "nginx is missing: run `make system-deps`"
    directory.mkdir()
    port = _free_port()
    config = nginx_config(directory, port=port, app_port=app_port, trust_bundle=trust_bundle)
    checked = subprocess.run(
        [*topology.nginx_argv(config), "-t"], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(
        topology.nginx_argv(config), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_port("127.0.0.1", port)
        yield f"https://127.0.0.1:{port}{SERVICE}"
    finally:
        stop(process)


@pytest.fixture
def nginx(plain_uploader, tmp_path):
    with running_nginx(tmp_path / "nginx", plain_uploader) as base:
        yield base


def _post(base, body, *, cert=None, headers=None, settings):
    return requests.post(
        f"{base}/exports",
        data=body,
        headers={"Content-Type": "application/json", **(headers or {})},
        cert=cert,
        verify=str(settings.CA_CERT_PATH),
        timeout=30,
    )


def _code(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def test_an_upload_through_nginx_is_accepted_and_its_status_readable(
    nginx, practice_a, client_files, settings
):
    cert = client_files(practice_a)
    response = _post(
        nginx, export_bytes(make_export(practice_a.agb_code)), cert=cert, settings=settings
    )
    assert response.status_code == 202, response.text
    number = response.json()["import_number"]
    assert Import.objects.get(pk=number).practice == practice_a
    status = requests.get(
        f"{nginx}/imports/{number}", cert=cert, verify=str(settings.CA_CERT_PATH), timeout=30
    )
    assert (status.status_code, status.json()["status"]) == (200, "received")


def test_nginx_cases_are_refused_with_readable_json(
    nginx, practice_a, client_files, settings, tmp_path
):
    body = export_bytes(make_export(practice_a.agb_code))
    assert _code(_post(nginx, body, settings=settings)) == (401, "certificate_required")

    valid = client_files(practice_a, name="valid")
    forged = {
        "X-SSL-Client-Cert": quote(Path(valid[0]).read_text()),
        "X-SSL-Client-Verify": "SUCCESS",
    }
    # nginx replaces the client's copies of its headers: forging them gains nothing.
    assert _code(_post(nginx, body, headers=forged, settings=settings)) == (
        401,
        "certificate_required",
    )

    now = timezone.now()
    expired = client_files(
        practice_a,
        name="expired",
        not_before=now - timedelta(days=400),
        not_after=now - timedelta(days=1),
    )
    assert _code(_post(nginx, body, cert=expired, settings=settings)) == (
        403,
        "certificate_expired",
    )
    blocked = client_files(practice_a, name="blocked", blocked=True)
    assert _code(_post(nginx, body, cert=blocked, settings=settings)) == (
        403,
        "certificate_blocked",
    )
    foreign = foreign_client_files(tmp_path / "foreign", practice_a)
    assert _code(_post(nginx, body, cert=foreign, settings=settings)) == (
        403,
        "certificate_foreign_issuer",
    )
    assert not Import.objects.exists()


def test_the_app_ignores_certificate_headers_from_an_untrusted_address(
    plain_uploader, practice_a, client_files
):
    cert_path, _key = client_files(practice_a)
    body = export_bytes(make_export(practice_a.agb_code))
    headers = {
        "Content-Type": "application/json",
        "X-SSL-Client-Cert": quote(Path(cert_path).read_text()),
        "X-SSL-Client-Verify": "SUCCESS",
    }
    # 127.0.0.2 is loopback too, but not the configured proxy 127.0.0.1.
    connection = http.client.HTTPConnection(
        "127.0.0.1", plain_uploader, timeout=30, source_address=("127.0.0.2", 0)
    )
    connection.request("POST", f"{SERVICE}/exports", body=body, headers=headers)
    response = connection.getresponse()
    payload = response.read()
    assert response.status == 401, payload
    assert b"certificate_required" in payload
    assert not Import.objects.exists()


def test_after_a_ca_rollover_an_old_cas_certificate_still_passes_nginx(
    rolled_over, plain_uploader, practice_a, settings, tmp_path
):
    _old, old_files = rolled_over
    cert = tuple(map(str, old_files))
    body = export_bytes(make_export(practice_a.agb_code))
    # nginx trusting the current CA file alone refuses every certificate of the old CA ...
    with running_nginx(tmp_path / "ca-only", plain_uploader, settings.CA_CERT_PATH) as base:
        assert _code(_post(base, body, cert=cert, settings=settings)) == (
            403,
            "certificate_invalid",
        )
    # ... with the trust bundle, as deploy/ configures it, the old certificate uploads.
    with running_nginx(tmp_path / "bundle", plain_uploader) as base:
        assert _post(base, body, cert=cert, settings=settings).status_code == 202
