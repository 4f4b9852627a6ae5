"""A throwaway ParaBench test CA, client certificates as .pfx, and a real mTLS upload server.

Everything is generated per test session under pytest's tmp folders: no key or .pfx is ever
committed. The server is Python's own http.server wrapped in TLS with client-certificate
verification against the test CA, bound to 127.0.0.1 on a free port; it implements just enough of
docs/upload-protocol.md to answer the client and records what it really received.
"""

from __future__ import annotations

import datetime as dt
import gzip
import http.server
import json
import socket
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import (
    PrivateFormat,
    _KeySerializationEncryption,
    pkcs12,
)
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SERVICE_PATH = "/ParabenchUploader/services"
NOW = dt.datetime.now(dt.UTC)


@dataclass
class Authority:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def make_ca(common_name: str = "ParaBench Test CA", organization: str = "ParaBench") -> Authority:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Authority(key, cert)


def issue_client(
    ca: Authority,
    agb: str = "04123451",
    name: str = "Fysiotherapie Parabench",
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, agb),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{name} ({agb})"),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or NOW - dt.timedelta(days=1))
        .not_valid_after(not_after or NOW + dt.timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    return key, cert


def issue_server(ca: Authority) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    return key, cert


def pfx_bytes(key, cert: x509.Certificate, ca: Authority, password: bytes = b"") -> bytes:
    """The Windows-friendly profile from tech-notes.md: 3DES for key and certificates, SHA-1 MAC."""
    encryption = _KeySerializationEncryption(
        PrivateFormat.PKCS12,
        password,
        kdf_rounds=2048,
        hmac_hash=hashes.SHA1(),
        key_cert_algorithm=pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC,
    )
    return pkcs12.serialize_key_and_certificates(b"ParaBench", key, cert, [ca.cert], encryption)


def write_pfx(path: Path, key, cert, ca: Authority, password: bytes = b"") -> Path:
    path.write_bytes(pfx_bytes(key, cert, ca, password))
    return path


@dataclass
class Received:
    method: str
    path: str
    headers: dict
    body: bytes
    document: object
    peer_subject: str


@dataclass
class UploadServer:
    """A real TLS server on 127.0.0.1 that requires (or accepts) client certificates."""

    ca: Authority
    server_key: object
    server_cert: x509.Certificate
    require_cert: bool = True
    answers: list = field(default_factory=list)  # (status, json) for successive POSTs
    received: list = field(default_factory=list)
    handshake_errors: list = field(default_factory=list)
    status_answers: list = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}{SERVICE_PATH}"

    def context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.verify_mode = ssl.CERT_REQUIRED if self.require_cert else ssl.CERT_OPTIONAL
        context.load_verify_locations(cadata=self.ca.pem().decode())
        key_pem = self.server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        cert_pem = self.server_cert.public_bytes(serialization.Encoding.PEM)
        folder = Path(self._tmp)
        (folder / "server.pem").write_bytes(key_pem + cert_pem)
        context.load_cert_chain(folder / "server.pem")
        return context

    def start(self, tmp: Path) -> UploadServer:
        self._tmp = tmp
        tls = self.context()
        state = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _answer(self, status: int, payload: dict, location: str | None = None):
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                if location:
                    self.send_header("Location", location)
                self.end_headers()
                self.wfile.write(body)

            def _peer(self) -> str:
                cert = self.connection.getpeercert()
                if not cert:
                    return ""
                return ", ".join(f"{k}={v}" for rdn in cert["subject"] for k, v in rdn)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                peer = self._peer()
                if not peer:
                    self._answer(401, _error("certificate_required", "Geen certificaat."))
                    return
                body = (
                    gzip.decompress(raw) if self.headers.get("Content-Encoding") == "gzip" else raw
                )
                try:
                    document = json.loads(body)
                except ValueError:
                    document = None
                state.received.append(
                    Received("POST", self.path, dict(self.headers), body, document, peer)
                )
                if self.path.endswith("/validate") and not state.answers:
                    self._answer(200, {"valid": True, "stored": False, "warnings": []})
                    return
                status, payload = state.answers.pop(0) if state.answers else (202, None)
                if status == 202 and payload is None:
                    number = len(state.received)
                    url = f"{SERVICE_PATH}/imports/{number}"
                    payload = {
                        "import_number": number,
                        "status": "received",
                        "duplicate": False,
                        "status_url": url,
                    }
                    self._answer(202, payload, location=url)
                    return
                self._answer(status, payload or {})

            def do_GET(self):
                peer = self._peer()
                state.received.append(
                    Received("GET", self.path, dict(self.headers), b"", None, peer)
                )
                prefix = f"{SERVICE_PATH}/imports/"
                if not self.path.startswith(prefix):
                    self._answer(404, _error("not_found", "Niet gevonden."))
                    return
                number = int(self.path[len(prefix) :])
                if state.status_answers:
                    status, payload = state.status_answers.pop(0)
                    self._answer(status, payload)
                    return
                posted = [r.document for r in state.received if r.method == "POST"]
                period = posted[-1]["period"] if posted and posted[-1] else None
                self._answer(200, imported_status(number, period))

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def finish_request(self, request, client_address):
                try:
                    request = tls.wrap_socket(request, server_side=True)
                except (ssl.SSLError, OSError) as exc:
                    state.handshake_errors.append(str(exc))
                    request.close()
                    return
                super().finish_request(request, client_address)

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()


def _error(code: str, message: str, problems: list | None = None) -> dict:
    error = {"code": code, "message": message, "message_en": message}
    if problems is not None:
        error["problems"] = problems
    return {"error": error}


def imported_status(number: int, period: dict | None = None) -> dict:
    period = period or {"begin": "2026-01-01", "end": "2026-03-31"}
    return {
        "import_number": number,
        "status": "imported",
        "uploaded_at": "2026-07-01T10:15:02+02:00",
        "imported_at": "2026-07-01T10:15:09+02:00",
        "period_begin": period["begin"],
        "period_end": period["end"],
        "warnings": [],
        "errors": [],
    }


def free_port() -> int:
    """A port on which nothing listens: bound once, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def test_ca() -> Authority:
    return make_ca("ParaBench Test CA")


@pytest.fixture(scope="session")
def foreign_ca() -> Authority:
    return make_ca("Some Other CA", organization="Elders")


@pytest.fixture
def pki(tmp_path, test_ca):
    """The test CA's PEM file (to trust the server) and a folder for certificates."""
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(test_ca.pem())
    cert_dir = tmp_path / "certificaten"
    cert_dir.mkdir()
    return {"ca": test_ca, "ca_file": ca_file, "cert_dir": cert_dir}


@pytest.fixture
def client_pfx(pki):
    key, cert = issue_client(pki["ca"])
    return write_pfx(pki["cert_dir"] / "ParaBench-04123451-1.pfx", key, cert, pki["ca"])


def _server(tmp_path, ca, require_cert):
    key, cert = issue_server(ca)
    folder = tmp_path / f"server-{require_cert}"
    folder.mkdir()
    return UploadServer(ca, key, cert, require_cert=require_cert).start(folder)


@pytest.fixture
def upload_server(tmp_path, test_ca):
    server = _server(tmp_path, test_ca, require_cert=True)
    yield server
    server.stop()


@pytest.fixture
def optional_cert_server(tmp_path, test_ca):
    server = _server(tmp_path, test_ca, require_cert=False)
    yield server
    server.stop()


@pytest.fixture
def client_config(tmp_path, monkeypatch, pki):
    """Point the client at a config file in tmp and make retries fast."""
    path = tmp_path / "config" / "client.json"
    monkeypatch.setenv("PARABENCH_CLIENT_CONFIG", str(path))
    monkeypatch.setenv("PARABENCH_CLIENT_RETRY_DELAY", "0.01")
    monkeypatch.delenv("PARABENCH_LANG", raising=False)
    return path


@pytest.fixture(scope="session")
def small_records(tmp_path_factory) -> Path:
    """A small synthetic practice (2025 and 2026 up to mid-June), generated once per session."""
    from parabench_client.synth import generate_records

    folder = tmp_path_factory.mktemp("records")
    generate_records(
        folder,
        seed=11,
        years=range(2025, 2027),
        today=TODAY,
        patients_per_year=60,
        province="UT",
    )
    return folder


TODAY = dt.date(2026, 6, 15)
TODAY_ARG = ["--today", TODAY.isoformat()]


@pytest.fixture
def configure(client_config, pki):
    """Run ``parabench-client configure`` for a server, with the test CA and certificate folder."""
    from parabench_client.cli import main

    def run(url: str, *extra: str) -> None:
        arguments = ["configure", "--url", url, "--agb", "04123451"]
        arguments += ["--cert-dir", str(pki["cert_dir"]), "--server-ca", str(pki["ca_file"])]
        assert main([*arguments, *extra]) == 0

    return run
