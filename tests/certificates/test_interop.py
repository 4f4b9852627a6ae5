"""The downloaded .pfx against the real tools: OpenSSL, Java keytool, curl and a real TLS server."""

import datetime as dt
import ipaddress
import os
import socket
import ssl
import subprocess
import threading
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.urls import reverse

from parabench.certificates import pki
from parabench.certificates.ca import get_ca
from parabench.certificates.lookup import ca_certificate_pem, current_crl
from tests.certificates.factories import (
    agb_code_of,
    issue_certificate_for,
    write_tls_client_files,
)

pytestmark = pytest.mark.django_db

# Only loopback: keep any proxy configured in the environment out of curl's way.
CLEAN_ENV = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}


@pytest.fixture
def pfx_file(client_a, practice_a, tmp_path) -> Path:
    """A .pfx downloaded through the portal, exactly as a practice gets it."""
    page = client_a.get(reverse("certificates:details")).content.decode()
    token = page.split('name="issue_token" value="')[1].split('"')[0]
    client_a.post(reverse("certificates:issue"), {"issue_token": token})
    certificate = practice_a.certificates.get()
    response = client_a.post(reverse("certificates:download", args=[certificate.pk]))
    path = tmp_path / response["Content-Disposition"].split('filename="')[1].rstrip('"')
    path.write_bytes(response.content)
    return path


def test_openssl_reads_the_pfx_with_an_empty_password(pfx_file):
    result = subprocess.run(
        ["openssl", "pkcs12", "-info", "-nokeys", "-passin", "pass:", "-in", str(pfx_file)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "MAC: sha1" in output
    assert "pbeWithSHA1And3-KeyTripleDES-CBC" in output
    assert "friendlyName: ParaBench 04123451-1" in output
    assert "serialNumber = 04123451" in output
    assert "issuer=C = NL, O = ParaBench, CN = ParaBench CA" in output


def test_openssl_also_decrypts_the_private_key_with_an_empty_password(pfx_file):
    result = subprocess.run(
        ["openssl", "pkcs12", "-in", str(pfx_file), "-passin", "pass:", "-nocerts", "-nodes"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "BEGIN PRIVATE KEY" in result.stdout


def test_java_keytool_lists_one_private_key_entry(pfx_file):
    result = subprocess.run(
        ["keytool", "-list", "-storetype", "PKCS12", "-keystore", str(pfx_file), "-storepass", ""],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Your keystore contains 1 entry" in result.stdout
    assert "PrivateKeyEntry" in result.stdout


def test_cryptography_loads_the_pfx_without_a_password(pfx_file):
    key, certificate, extra = pkcs12.load_key_and_certificates(pfx_file.read_bytes(), None)
    assert key.key_size == 2048
    assert agb_code_of(certificate) == "04123451"
    assert extra == []


class RecordingTLSServer:
    """A TLS server on 127.0.0.1 that trusts only the ParaBench CA, requires a client certificate
    and records the certificate each handshake presented (or the error that ended it)."""

    def __init__(self, directory: Path, *, crl: bytes | None = None):
        ca = get_ca()
        key = ec.generate_private_key(ec.SECP256R1())
        now = pki.utcnow()
        server_certificate = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False,
            )
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
            .sign(ca.key, hashes.SHA256())
        )
        self.ca_file = directory / "ca.pem"
        self.ca_file.write_bytes(ca_certificate_pem())
        cert_file, key_file = directory / "server.pem", directory / "server.key"
        cert_file.write_bytes(pki.certificate_pem(server_certificate))
        key_file.touch(mode=0o600)
        key_file.write_bytes(pki.private_key_pem(key))
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.minimum_version = ssl.TLSVersion.TLSv1_2
        self.context.load_cert_chain(cert_file, key_file)
        self.context.verify_mode = ssl.CERT_REQUIRED
        self.context.load_verify_locations(cafile=str(self.ca_file))
        if crl is not None:
            crl_file = directory / "crl.pem"
            crl_file.write_bytes(crl)
            self.context.load_verify_locations(cafile=str(crl_file))
            self.context.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
        self.peers: list[x509.Certificate] = []
        self.errors: list[str] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)
        self.listener.close()

    def _serve(self):
        while not self._stop.is_set():
            try:
                raw, _address = self.listener.accept()
            except TimeoutError:
                continue
            raw.settimeout(10)
            try:
                with self.context.wrap_socket(raw, server_side=True) as tls:
                    self.peers.append(x509.load_der_x509_certificate(tls.getpeercert(True)))
                    tls.recv(4096)
                    tls.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\nConnection: close\r\n\r\n"
                        b"handshake"
                    )
            except (ssl.SSLError, OSError) as error:
                self.errors.append(str(error))
                raw.close()

    def curl(self, pfx: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [
                "curl",
                "--silent",
                "--show-error",
                "--max-time",
                "20",
                "--noproxy",
                "*",
                "--cert-type",
                "P12",
                "--cert",
                f"{pfx}:",
                "--cacert",
                str(self.ca_file),
                f"https://127.0.0.1:{self.port}/",
            ],
            capture_output=True,
            text=True,
            env=CLEAN_ENV,
        )


def test_curl_presents_the_downloaded_pfx_in_a_real_tls_handshake(pfx_file, tmp_path):
    with RecordingTLSServer(tmp_path) as server:
        result = server.curl(pfx_file)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "handshake"
    assert len(server.peers) == 1
    assert agb_code_of(server.peers[0]) == "04123451"
    assert "AGB 04123451" in pki.common_name_of(server.peers[0])


def test_a_python_tls_client_uses_the_pem_files_of_the_factory(practice_a, tmp_path):
    row, pfx = issue_certificate_for(practice_a)
    cert_file, key_file = write_tls_client_files(pfx, tmp_path / "client")
    with RecordingTLSServer(tmp_path) as server:
        context = ssl.create_default_context(cafile=str(server.ca_file))
        context.load_cert_chain(cert_file, key_file)
        raw = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            tls.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            answer = tls.recv(4096)
    assert answer.endswith(b"handshake")
    assert pki.fingerprint(server.peers[0]) == row.fingerprint_sha256


def test_a_server_using_the_crl_refuses_a_blocked_certificate_and_accepts_others(
    practice_a, tmp_path
):
    _blocked, blocked_pfx = issue_certificate_for(practice_a, blocked=True)
    _active, active_pfx = issue_certificate_for(practice_a)
    (tmp_path / "blocked.pfx").write_bytes(blocked_pfx)
    (tmp_path / "active.pfx").write_bytes(active_pfx)
    with RecordingTLSServer(tmp_path, crl=current_crl("pem")) as server:
        refused = server.curl(tmp_path / "blocked.pfx")
        accepted = server.curl(tmp_path / "active.pfx")
    assert refused.returncode != 0
    assert any("revoked" in error for error in server.errors), server.errors
    assert accepted.returncode == 0, accepted.stderr
    assert len(server.peers) == 1
