"""All real: a certificate issued and downloaded in the portal, the export client sending a
generated export over mutual TLS to the uploader process, the worker process importing it, and
the row in the Dashboards list with both moments."""

import subprocess
import time
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from parabench.certificates.models import ClientCertificate
from parabench.uploads.models import Import

pytestmark = pytest.mark.slow

CLIENT = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "parabench-client")


def _download_pfx_through_the_portal(client) -> bytes:
    details = client.get(reverse("certificates:details"))
    token = details.context["issue_token"]
    client.post(reverse("certificates:issue"), {"issue_token": token})
    certificate = ClientCertificate.objects.get()
    response = client.post(reverse("certificates:download", args=[certificate.pk]))
    assert response["Content-Type"] == "application/x-pkcs12"
    return response.content


def _client(args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CLIENT, *args], env=env, capture_output=True, text=True, timeout=180, check=False
    )


def wait_until(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_an_export_sent_by_the_client_is_imported_and_listed(
    uploader, worker, client_a, practice_a, child_env, tmp_path, settings
):
    pfx = tmp_path / "ParaBench.pfx"
    pfx.write_bytes(_download_pfx_through_the_portal(client_a))
    env = {**child_env, "PARABENCH_CLIENT_CONFIG": str(tmp_path / "client.json")}
    year = date.today().year - 1

    configured = _client(
        [
            "configure",
            "--url",
            uploader.base,
            "--agb",
            practice_a.agb_code,
            "--cert",
            str(pfx),
            "--server-ca",
            str(settings.CA_CERT_PATH),
        ],
        env,
    )
    assert configured.returncode == 0, configured.stderr
    records = tmp_path / "records"
    made = _client(
        ["synth", "--out", str(records), "--year-from", str(year), "--year-to", str(year)], env
    )
    assert made.returncode == 0, made.stderr
    sent = _client(["send", "--records", str(records), "--year", str(year), "--wait", "90"], env)
    assert sent.returncode == 0, sent.stdout + sent.stderr

    imp = Import.objects.get(practice=practice_a)
    assert wait_until(lambda: Import.objects.get(pk=imp.pk).status == "imported")
    imp.refresh_from_db()
    assert imp.uploaded_at and imp.imported_at and imp.imported_at >= imp.uploaded_at
    assert (imp.period_begin, imp.period_end) == (date(year, 1, 1), date(year, 12, 31))

    html = client_a.get("/profiel/").content.decode()
    row = html[html.index(f'data-import="{imp.pk}"') :]
    assert f"{imp.period_begin:%d/%m/%y}" in row and "ingelezen" in row
    assert reverse("dashboard:detail", kwargs={"import_id": imp.pk}) in row

    assert str(imp.pk) in sent.stdout

    # A new export of the same year (a later export moment) supersedes it; both stay listed.
    again = _client(["send", "--records", str(records), "--year", str(year), "--wait", "90"], env)
    assert again.returncode == 0, again.stdout + again.stderr
    newer = Import.objects.filter(practice=practice_a).exclude(pk=imp.pk).get()
    assert wait_until(lambda: Import.objects.get(pk=newer.pk).status == "imported")
    imp.refresh_from_db()
    newer.refresh_from_db()
    assert (imp.is_current, newer.is_current) == (False, True)
