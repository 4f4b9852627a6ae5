"""Real processes for the uploader tests: the mTLS uploader and the import worker as subprocesses.

They share the test database (so tests that use them need committed data: ``transactional_db``),
the test CA and the upload storage through environment variables.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from django.conf import settings as django_settings
from django.db import connection

from tests.certificates.factories import (
    issue_certificate_for,
    roll_over_ca,
    use_test_ca,
    write_tls_client_files,
)

ROOT = Path(__file__).resolve().parents[2]
SERVICE = "/ParabenchUploader/services"


@pytest.fixture(scope="session")
def ca_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("ca")


@pytest.fixture(autouse=True)
def test_ca(settings, ca_dir):
    """One throw-away CA for the session, never the developer's var/ca."""
    return use_test_ca(settings, ca_dir)


@pytest.fixture(autouse=True)
def upload_storage(settings, tmp_path):
    settings.UPLOAD_STORAGE_DIR = tmp_path / "uploads"
    return settings.UPLOAD_STORAGE_DIR


def database_url() -> str:
    """The URL of the *test* database this pytest process uses, for child processes."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    user = params.get("USER") or "postgres"
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{params['NAME']}"


@pytest.fixture
def child_env(settings, tmp_path):
    return environment(settings, tmp_path)


def environment(settings, tmp_path: Path) -> dict:
    """The child processes' environment: the test database and the test's settings."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(),
        DJANGO_SETTINGS_MODULE="parabench.settings",
        CA_CERT_PATH=str(settings.CA_CERT_PATH),
        CA_KEY_PATH=str(settings.CA_KEY_PATH),
        CA_CRL_PATH=str(settings.CA_CRL_PATH),
        CA_AUTO_CREATE="1",
        # The acceptance CA and the TLS trust bundle of the test CA directory (issue 20).
        ACCEPTANCE_CA_CERT_PATH=str(settings.ACCEPTANCE_CA_CERT_PATH),
        ACCEPTANCE_CA_KEY_PATH=str(settings.ACCEPTANCE_CA_KEY_PATH),
        CA_TRUST_BUNDLE_PATH=str(settings.CA_TRUST_BUNDLE_PATH),
        CA_PREVIOUS_CERT_PATHS=",".join(map(str, settings.CA_PREVIOUS_CERT_PATHS)),
        CA_PREVIOUS_KEY_PATHS=",".join(map(str, settings.CA_PREVIOUS_KEY_PATHS)),
        UPLOAD_STORAGE_DIR=str(settings.UPLOAD_STORAGE_DIR),
        UPLOADER_TLS_CERT_PATH=str(tmp_path / "server" / "server.pem"),
        UPLOADER_TLS_KEY_PATH=str(tmp_path / "server" / "server.key"),
        UPLOADER_TRUSTED_PROXIES=",".join(settings.UPLOADER_TRUSTED_PROXIES),
        UPLOAD_MAX_BYTES=str(settings.UPLOAD_MAX_BYTES),
        UPLOAD_MAX_DECOMPRESSED_BYTES=str(settings.UPLOAD_MAX_DECOMPRESSED_BYTES),
        UPLOAD_IMPORT_RETRY_SECONDS="1",
        PYTHONPATH=str(ROOT),
    )
    return env


def wait_for_port(host: str, port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Uploader:
    def __init__(self, process, port, ca_path):
        self.process = process
        self.port = port
        self.base = f"https://127.0.0.1:{port}{SERVICE}"
        self.ca_path = ca_path

    def post(self, body: bytes, *, cert=None, headers=None):
        headers = {"Content-Type": "application/json", **(headers or {})}
        return requests.post(
            f"{self.base}/exports",
            data=body,
            headers=headers,
            cert=cert,
            verify=str(self.ca_path),
            timeout=30,
        )

    def get(self, path: str, *, cert=None):
        return requests.get(f"{self.base}{path}", cert=cert, verify=str(self.ca_path), timeout=30)


@contextmanager
def running_uploader(env: dict, folder: Path, ca_path: Path):
    """The embedded uploader (``python -m parabench.uploads.server``) on a free loopback port."""
    port_file = folder / "uploader.port"
    log = open(folder / "uploader.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "parabench.uploads.server",
            "--port",
            "0",
            "--port-file",
            str(port_file),
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        # Generous: on a machine shared by several test runs the start alone took over 30 s.
        deadline = time.monotonic() + 120
        while not port_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((folder / "uploader.log").read_text())
            time.sleep(0.05)
        port = int(port_file.read_text())
        wait_for_port("127.0.0.1", port)
        yield Uploader(process, port, ca_path)
    finally:
        stop(process)
        log.close()


@pytest.fixture
def uploader(transactional_db, child_env, tmp_path, settings):
    """An uploader of the test's own, started with the test's settings (``child_env``)."""
    with running_uploader(child_env, tmp_path, settings.CA_CERT_PATH) as running:
        yield running


@pytest.fixture(scope="module")
def module_uploader(django_db_setup, ca_dir, tmp_path_factory):
    """One uploader for the tests of a module that need no settings of their own.

    Starting one costs 1.5–2.5 s (a Python process importing Django); a module of a dozen tests
    paid it for each. The server keeps nothing of a test between requests: certificates, blocks
    and imports are read from the database (flushed after each test), the CA from ca_dir (one per
    session). Its storage folder is the module's: take it with ``shared_uploader``."""
    folder = tmp_path_factory.mktemp("uploader")
    values = SimpleNamespace(
        UPLOAD_STORAGE_DIR=folder / "uploads",
        UPLOADER_TRUSTED_PROXIES=django_settings.UPLOADER_TRUSTED_PROXIES,
        UPLOAD_MAX_BYTES=django_settings.UPLOAD_MAX_BYTES,
        UPLOAD_MAX_DECOMPRESSED_BYTES=django_settings.UPLOAD_MAX_DECOMPRESSED_BYTES,
    )
    use_test_ca(values, ca_dir)
    with running_uploader(environment(values, folder), folder, values.CA_CERT_PATH) as running:
        running.storage = values.UPLOAD_STORAGE_DIR
        yield running


@pytest.fixture
def shared_uploader(module_uploader, transactional_db, settings):
    """The module's uploader for one test; the test's storage folder is the server's."""
    settings.UPLOAD_STORAGE_DIR = module_uploader.storage
    return module_uploader


def start_worker(child_env, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "ab")  # noqa: SIM115
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "import_worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.1",
        ],
        env=child_env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


@pytest.fixture
def worker(transactional_db, child_env, tmp_path):
    process = start_worker(child_env, tmp_path / "worker.log")
    yield process
    stop(process)


@pytest.fixture
def client_files(tmp_path):
    """Issue (and download) a certificate for a practice; return (cert.pem, key.pem) paths."""

    def make(practice, name="client", **kwargs):
        _certificate, pfx = issue_certificate_for(practice, **kwargs)
        return tuple(str(p) for p in write_tls_client_files(pfx, tmp_path / "certs", name))

    return make


@pytest.fixture
def rolled_over(settings, practice_a, tmp_path):
    """Issued under the first CA; then the settings name a new CA and keep the old one trusted."""
    old, pfx = issue_certificate_for(practice_a)
    roll_over_ca(settings, tmp_path / "ca-2029")
    return old, write_tls_client_files(pfx, tmp_path / "old")
