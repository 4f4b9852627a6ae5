"""All real: the export client (a subprocess) makes its key, requests a certificate with a code
from the portal, uploads with it over mutual TLS to the uploader process, and renews it with the
old certificate. The key is then searched for in every database row and every server file."""

import base64
import datetime as dt
import json
import re
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from parabench.certificates.lookup import identify_practice
from parabench.certificates.models import CertificateEvent, ClientCertificate
from parabench.uploads.models import Import
from parabench_client.certrequest import csr_pem
from tests.certificates.factories import issue_certificate_for, write_tls_client_files
from tests.uploads.exports import export_bytes, make_export

pytestmark = pytest.mark.slow

CLIENT = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "parabench-client")


def _client(args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CLIENT, *args], env=env, capture_output=True, text=True, timeout=180, check=False
    )


def _configure(env, uploader, practice, cert_dir, settings):
    cert_dir.mkdir(parents=True, exist_ok=True)
    done = _client(
        [
            "configure",
            "--url",
            uploader.base,
            "--agb",
            practice.agb_code,
            "--cert-dir",
            str(cert_dir),
            "--server-ca",
            str(settings.CA_CERT_PATH),
        ],
        env,
    )
    assert done.returncode == 0, done.stderr


def _code_from_the_portal(client) -> str:
    page = client.post(reverse("certificates:request_code")).content.decode()
    return re.search(r'id="request-code">([A-Z0-9-]+)<', page).group(1)


def _key_material(pfx_path: Path) -> list[bytes]:
    """Every form in which the private key could have been stored or logged."""
    key, _cert, _extra = pkcs12.load_key_and_certificates(pfx_path.read_bytes(), None)
    numbers = key.private_numbers()
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    traditional = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    forms = [der, traditional, base64.b64encode(der)[:64], base64.b64encode(traditional)[:64]]
    for secret in (numbers.d, numbers.p, numbers.q):
        raw = secret.to_bytes((secret.bit_length() + 7) // 8, "big")
        forms += [raw, raw.hex().encode(), str(secret).encode()]
    return forms


def _database_bytes() -> bytes:
    """Every row of every table, fields as text and binary fields raw."""
    chunks = []
    for model in apps.get_models():
        for row in model.objects.all().values_list():
            for value in row:
                if isinstance(value, bytes | memoryview):
                    chunks.append(bytes(value))
                else:
                    chunks.append(str(value).encode())
    return b"\n".join(chunks)


def _files_bytes(*folders: Path) -> bytes:
    chunks = []
    for folder in folders:
        for path in Path(folder).rglob("*"):
            if path.is_file():
                chunks.append(path.read_bytes())
    return b"\n".join(chunks)


def _found(material: list[bytes], haystack: bytes) -> bool:
    return any(form in haystack for form in material)


def test_a_certificate_requested_with_a_code_uploads_and_its_key_never_reaches_the_server(
    uploader, client_a, practice_a, practice_b, child_env, tmp_path, settings
):
    env = {**child_env, "PARABENCH_CLIENT_CONFIG": str(tmp_path / "client.json")}
    cert_dir = tmp_path / "practice-pc" / "certificaten"
    _configure(env, uploader, practice_a, cert_dir, settings)

    requested = _client(
        ["certificaat", "aanvragen", "--code", _code_from_the_portal(client_a)], env
    )
    assert requested.returncode == 0, requested.stdout + requested.stderr
    (pfx,) = cert_dir.glob("ParaBench-*.pfx")
    assert pfx.stat().st_mode & 0o077 == 0
    row = ClientCertificate.objects.get(practice=practice_a)
    assert row.origin == "csr" and row.sealed_key is None and row.downloaded_at is not None
    # The identity is the portal's, whatever the CSR said.
    assert practice_a.agb_code in row.name and pfx.name == f"ParaBench-{practice_a.agb_code}-1.pfx"

    # It uploads over mutual TLS, through the client's own send.
    export = tmp_path / "export.json"
    export.write_bytes(export_bytes(make_export(practice_a.agb_code)))
    sent = _client(["send", "--file", str(export)], env)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert Import.objects.get(practice=practice_a).certificate_fingerprint == (
        row.fingerprint_sha256
    )

    # The key is on the practice's computer and nowhere on the server.
    material = _key_material(pfx)
    server_folders = [Path(settings.CA_CERT_PATH).parent, settings.UPLOAD_STORAGE_DIR]
    server_folders.append(tmp_path / "server")
    assert not _found(material, _database_bytes())
    assert not _found(material, _files_bytes(*server_folders))
    assert not _found(material, (tmp_path / "uploader.log").read_bytes())

    # The search is able to find it: a copy in a server file or in a row would be seen.
    assert _found(material, _files_bytes(cert_dir.parent))
    leak = tmp_path / "server" / "leaked.key"
    leak.write_bytes(material[0])
    assert _found(material, _files_bytes(*server_folders))
    leak.unlink()
    ClientCertificate.objects.filter(pk=row.pk).update(
        certificate_pem=base64.b64encode(material[0]).decode()
    )
    assert _found(material, _database_bytes())


# The tests below share the module's uploader (shared_uploader); the one above starts its own:
# it searches that uploader's log and folders for the key.


def test_a_code_works_once_and_not_for_another_practice(
    shared_uploader, client_a, practice_a, child_env, tmp_path, settings
):
    env = {**child_env, "PARABENCH_CLIENT_CONFIG": str(tmp_path / "client.json")}
    code = _code_from_the_portal(client_a)
    _configure(env, shared_uploader, practice_a, tmp_path / "pc1", settings)
    assert _client(["certificate", "request", "--code", code], env).returncode == 0
    _configure(env, shared_uploader, practice_a, tmp_path / "pc2", settings)
    again = _client(["certificate", "request", "--code", code], env)
    assert again.returncode == 7
    assert "request_code_invalid" in again.stderr
    assert ClientCertificate.objects.count() == 1


def test_the_client_renews_an_expiring_certificate_itself_and_both_overlap(
    shared_uploader, client_a, practice_a, child_env, tmp_path, settings
):
    now = timezone.now()
    old, old_pfx = issue_certificate_for(
        practice_a,
        not_before=now - dt.timedelta(days=3 * 365 - 20),
        not_after=now + dt.timedelta(days=20),
    )
    cert_dir = tmp_path / "certificaten"
    cert_dir.mkdir()
    (cert_dir / "ParaBench-old.pfx").write_bytes(old_pfx)
    env = {**child_env, "PARABENCH_CLIENT_CONFIG": str(tmp_path / "client.json")}
    _configure(env, shared_uploader, practice_a, cert_dir, settings)
    export = tmp_path / "export.json"
    export.write_bytes(export_bytes(make_export(practice_a.agb_code)))

    sent = _client(["send", "--file", str(export)], env)

    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert "verloopt over 19 dagen" in sent.stderr or "verloopt over 20 dagen" in sent.stderr
    new = ClientCertificate.objects.get(practice=practice_a, renewed_from=old)
    assert new.origin == "renewal" and new.sealed_key is None
    assert new.not_after > old.not_after + dt.timedelta(days=365)
    event = CertificateEvent.objects.get(certificate=new, action="renewed")
    assert event.ip_address == "127.0.0.1"
    # The export already went with the new certificate ...
    assert Import.objects.get(practice=practice_a).certificate_fingerprint == (
        new.fingerprint_sha256
    )
    # ... and the old one still works until it expires (overlap, no downtime).
    assert identify_practice(old.certificate_pem).ok
    cert, key = write_tls_client_files(old_pfx, tmp_path / "old")
    body = export_bytes(make_export(practice_a.agb_code, seed=2))
    assert shared_uploader.post(body, cert=(str(cert), str(key))).status_code == 202
    # The next run uses the new certificate without asking and without renewing again.
    config = json.loads((tmp_path / "client.json").read_text())
    assert config["certificates"]["chosen_sha256"] == new.fingerprint_sha256
    again = _client(["send", "--file", str(export)], env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert ClientCertificate.objects.filter(practice=practice_a).count() == 2


def test_renewal_needs_a_valid_certificate_of_the_practice(
    shared_uploader, practice_a, tmp_path, settings
):
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    csr = csr_pem(key)
    import requests

    anonymous = requests.post(
        f"{shared_uploader.base}/certificates/renewals",
        json={"csr": csr},
        verify=str(settings.CA_CERT_PATH),
        timeout=30,
    )
    assert anonymous.status_code == 401
    _blocked, pfx = issue_certificate_for(practice_a, blocked=True)
    cert, key_file = write_tls_client_files(pfx, tmp_path / "blocked")
    refused = requests.post(
        f"{shared_uploader.base}/certificates/renewals",
        json={"csr": csr},
        cert=(str(cert), str(key_file)),
        verify=str(settings.CA_CERT_PATH),
        timeout=30,
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "certificate_blocked"
    assert not ClientCertificate.objects.filter(origin="renewal").exists()
