"""The lean export client (packaging/client) in a fresh virtual environment, against the real
uploader: it installs without the portal's packages, validates offline and uploads."""

import json
import os
import subprocess
import tomllib
import venv
from datetime import date
from pathlib import Path

import pytest

from parabench.uploads.models import Import
from tests.certificates.factories import issue_certificate_for

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
UV = str(ROOT / ".tools" / "bin" / "uv")
PORTAL_ONLY = {"django", "numpy", "plotly", "psycopg", "uvicorn", "whitenoise"}
# Every distribution in the lean venv, whoever installed it.
INSTALLED = (
    "import importlib.metadata as m, json; print(json.dumps([d.name for d in m.distributions()]))"
)


@pytest.fixture(scope="module")
def lean_client(tmp_path_factory) -> Path:
    """packaging/client installed into a new, empty venv by the project's uv (its cache).

    uv, not pip: the same PEP 517 build (hatchling) of the same pyproject and the same
    dependencies from the index, in 2.4 s instead of 19 s (a venv with pip: 6.7 s; pip's
    download and isolated build: 12 s; load 7, 29 November 2026). What pip would do differently
    (its own resolver) is not what this test is about: that the client needs nothing of the
    portal, and works from its own venv."""
    folder = tmp_path_factory.mktemp("lean") / "venv"
    python = str(folder / "bin" / "python")
    venv.EnvBuilder(with_pip=False).create(folder)
    subprocess.run(
        # --refresh-package: built anew from this checkout, never a wheel from uv's cache.
        [UV, "pip", "install", "-q", "--refresh-package", "parabench-client", "--python", python]
        + [str(ROOT / "packaging" / "client")],
        check=True,
        timeout=600,
    )
    return folder / "bin"


@pytest.fixture
def uploader(shared_uploader):
    """Both upload tests use one uploader (conftest's module_uploader)."""
    return shared_uploader


def run(bin_dir: Path, *args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(bin_dir / "parabench-client"), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=bin_dir,  # not the repository: only what was installed can be imported
    )


def test_the_lean_client_installs_without_the_portal_and_validates_offline(lean_client):
    listed = subprocess.run(
        [str(lean_client / "python"), "-c", INSTALLED],
        capture_output=True,
        text=True,
        check=True,
    )
    installed = {name.lower() for name in json.loads(listed.stdout)}
    assert installed & PORTAL_ONLY == set()
    assert {"parabench-client", "pydantic", "cryptography"} <= installed

    project = tomllib.loads((ROOT / "packaging" / "client" / "pyproject.toml").read_text())
    assert project["project"]["requires-python"] == ">=3.11"  # no upper cap

    version = run(lean_client, "--version")
    assert version.returncode == 0 and version.stdout.startswith("parabench-client 0.")

    valid = run(lean_client, "validate", str(ROOT / "docs" / "example-export.json"))
    assert valid.returncode == 0, valid.stderr
    invalid = run(
        lean_client,
        "validate",
        str(ROOT / "conformance" / "invalid" / "01-software-name-free-text.json"),
    )
    assert invalid.returncode == 4
    assert "software_unknown" in invalid.stderr


def test_the_lean_client_uploads_to_the_real_uploader(
    lean_client, uploader, practice_a, child_env, tmp_path, settings
):
    _certificate, pfx = issue_certificate_for(practice_a)
    folder = tmp_path / "certificaten"
    folder.mkdir()
    (folder / "ParaBench-04123451-1.pfx").write_bytes(pfx)
    env = {
        "PATH": os.environ["PATH"],
        "PARABENCH_CLIENT_CONFIG": str(tmp_path / "client.json"),
        "PARABENCH_CLIENT_RETRY_DELAY": "0.1",
    }
    year = date.today().year - 1
    configured = run(
        lean_client,
        "configure",
        "--url",
        uploader.base,
        "--agb",
        practice_a.agb_code,
        "--cert-dir",
        str(folder),
        "--server-ca",
        str(settings.CA_CERT_PATH),
        env=env,
    )
    assert configured.returncode == 0, configured.stderr
    records = tmp_path / "records"
    made = run(
        lean_client,
        "synth",
        "--out",
        str(records),
        "--year-from",
        str(year),
        "--year-to",
        str(year),
        env=env,
    )
    assert made.returncode == 0, made.stderr

    dry = run(
        lean_client, "send", "--records", str(records), "--year", "vorig", "--dry-run", env=env
    )
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert Import.objects.count() == 0

    sent = run(lean_client, "send", "--records", str(records), "--year", "vorig", env=env)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    imp = Import.objects.get(practice=practice_a)
    assert f"Ontvangen door ParaBench: import {imp.pk}." in sent.stdout
    assert imp.period_begin == date(year, 1, 1)

    unknown = run(lean_client, "status", str(imp.pk + 1000), env=env)
    assert unknown.returncode == 7
    assert f"ParaBench kent geen import {imp.pk + 1000} van deze praktijk" in unknown.stderr


def test_a_certificate_blocked_in_the_portal_is_dropped_for_the_new_one_in_the_folder(
    lean_client, uploader, practice_a, tmp_path, settings
):
    """Issue 14: once blocked, the remembered certificate stuck and every run failed (exit 7)."""
    from parabench.certificates.services import Actor, block_certificate

    old, old_pfx = issue_certificate_for(practice_a)
    new, new_pfx = issue_certificate_for(practice_a)
    folder = tmp_path / "certificaten"
    folder.mkdir()
    (folder / f"ParaBench-04123451-{old.number}.pfx").write_bytes(old_pfx)
    (folder / f"ParaBench-04123451-{new.number}.pfx").write_bytes(new_pfx)
    config = tmp_path / "client.json"
    env = {"PATH": os.environ["PATH"], "PARABENCH_CLIENT_CONFIG": str(config)}
    configured = run(
        lean_client,
        "configure",
        "--url",
        uploader.base,
        "--agb",
        practice_a.agb_code,
        "--cert-dir",
        str(folder),
        "--server-ca",
        str(settings.CA_CERT_PATH),
        env=env,
    )
    assert configured.returncode == 0, configured.stderr
    stored = json.loads(config.read_text())
    stored["certificates"]["chosen_sha256"] = old.fingerprint_sha256  # the choice made earlier
    config.write_text(json.dumps(stored))
    block_certificate(old, actor=Actor())
    records = tmp_path / "records"
    year = date.today().year - 1
    run(
        lean_client,
        "synth",
        "--out",
        str(records),
        "--year-from",
        str(year),
        "--year-to",
        str(year),
        env=env,
    )

    sent = run(lean_client, "send", "--records", str(records), "--year", "vorig", env=env)

    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert "certificate_blocked" in sent.stderr and "wordt niet meer gebruikt" in sent.stderr
    imp = Import.objects.get(practice=practice_a)
    assert imp.certificate_fingerprint == new.fingerprint_sha256
    saved = json.loads(config.read_text())["certificates"]
    assert saved["refused_sha256"] == [old.fingerprint_sha256] and saved["chosen_sha256"] == ""
