"""HTTPS with the practice's client certificate, following docs/upload-protocol.md.

Only the standard library speaks HTTP and TLS here (``http.client`` + ``ssl``), so the client runs
wherever Python and ``cryptography`` run. The ``.pfx`` is opened with ``cryptography``; ``ssl``
can only read a key from a file, so the key and certificate are written to a private (0600)
temporary file for ``load_cert_chain`` and removed straight after.
"""

from __future__ import annotations

import datetime as dt
import gzip
import http.client
import json
import os
import socket
import ssl
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

CHUNK = 64 * 1024
RETRY_STATUSES = {502, 503, 504}
ENV_RETRY_DELAY = "PARABENCH_CLIENT_RETRY_DELAY"


class CertificateProblem(Exception):
    """The client certificate cannot be used: none found, unreadable, expired, not yet valid."""

    def __init__(self, code: str, path: str = "", detail: str = ""):
        super().__init__(code)
        self.code = code
        self.path = path
        self.detail = detail


class TransportError(Exception):
    """Base of everything that goes wrong between client and uploader."""


class TlsRefused(TransportError):
    """The TLS handshake failed: the server refused our certificate or we refused the server's."""

    def __init__(self, reason: str, server_untrusted: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.server_untrusted = server_untrusted


class NotTls(TransportError):
    """Something answered on the port, but not with TLS: plain HTTP behind an https:// URL."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class NotParaBench(TransportError):
    """An answer that is not the protocol's: e.g. a proxy or captive portal's HTML page with 200.

    Why an error and not a success: only a 202 with an integer import number means ParaBench
    stored the export; anything else would let a scheduled task look successful while nothing
    arrived.
    """

    def __init__(self, status: int, content_type: str):
        super().__init__(f"HTTP {status} {content_type}")
        self.status = status
        self.content_type = content_type or "-"


class Unavailable(TransportError):
    """No answer after every retry: connection errors, timeouts or 503 each time."""

    def __init__(self, attempts: int, last: str):
        super().__init__(last)
        self.attempts = attempts
        self.last = last


class ServerRefused(TransportError):
    """A 4xx (or a 5xx that is not worth retrying) with the server's JSON error report."""

    def __init__(self, status: int, error: dict):
        super().__init__(f"{status} {error.get('code', '')}")
        self.status = status
        self.error = error

    @property
    def code(self) -> str:
        return str(self.error.get("code", ""))


@dataclass(frozen=True)
class ClientCertificate:
    path: Path
    key: object
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def fingerprint(self) -> str:
        return self.certificate.fingerprint(_sha256()).hex()

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()

    @property
    def serial(self) -> str:
        """The serial number as hex, as the portal shows it (tells two renewals apart)."""
        return format(self.certificate.serial_number, "x")

    @property
    def label(self) -> str:
        """The practice's name and AGB code as a person reads them (not raw OID attributes)."""
        name = self.certificate.subject
        common = [a.value for a in name.get_attributes_for_oid(NameOID.COMMON_NAME)]
        agb = [a.value for a in name.get_attributes_for_oid(NameOID.SERIAL_NUMBER)]
        text = str(common[0]) if common else name.rfc4514_string()
        if agb and str(agb[0]) not in text:
            text += f" (AGB {agb[0]})"
        return text

    @property
    def issuer(self) -> str:
        return self.certificate.issuer.rfc4514_string()

    @property
    def not_before(self) -> dt.datetime:
        return self.certificate.not_valid_before_utc

    @property
    def not_after(self) -> dt.datetime:
        return self.certificate.not_valid_after_utc

    def check_valid(self, now: dt.datetime | None = None) -> None:
        now = now or dt.datetime.now(dt.UTC)
        if now > self.not_after:
            raise CertificateProblem("expired", str(self.path), self.not_after.date().isoformat())
        if now < self.not_before:
            raise CertificateProblem(
                "not_yet_valid", str(self.path), self.not_before.date().isoformat()
            )


def _sha256():
    from cryptography.hazmat.primitives import hashes

    return hashes.SHA256()


def load_pfx(path: Path, password: str | None = None) -> ClientCertificate:
    """Open a .pfx (empty password by default) or raise CertificateProblem with a precise code."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise CertificateProblem("not_found", str(path)) from exc
    except OSError as exc:
        raise CertificateProblem("unreadable", str(path), str(exc)) from exc
    secret = password.encode() if password else None
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, secret)
    except ValueError as exc:
        # cryptography says "Invalid password or PKCS12 data" for both; try to tell them apart.
        if not _looks_like_pkcs12(data):
            raise CertificateProblem("unreadable", str(path), str(exc)) from exc
        # Windows always asks for a password when it exports a certificate from its store.
        code = "wrong_password" if password else "password_needed"
        raise CertificateProblem(code, str(path), str(exc)) from exc
    if key is None or cert is None:
        raise CertificateProblem("no_key", str(path))
    return ClientCertificate(path, key, cert, tuple(extra or ()))


def _looks_like_pkcs12(data: bytes) -> bool:
    """A DER SEQUENCE with version 3 at the start: PKCS#12, so the password was the problem."""
    return len(data) > 8 and data[0] == 0x30 and b"\x02\x01\x03" in data[:8]


def tls_context(client: ClientCertificate | None, server_ca: str | Path | None = None):
    """A client TLS context (1.2+) presenting ``client``, trusting ``server_ca`` or the system."""
    context = ssl.create_default_context(cafile=str(server_ca) if server_ca else None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if client is not None:
        pem = client.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ) + b"".join(
            c.public_bytes(serialization.Encoding.PEM) for c in (client.certificate, *client.chain)
        )
        handle, name = tempfile.mkstemp(prefix="parabench-", suffix=".pem")  # mode 0600
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(pem)
            context.load_cert_chain(name)
        finally:
            Path(name).unlink(missing_ok=True)
    return context


def retry_base_delay() -> float:
    """1 s as the protocol says; ``PARABENCH_CLIENT_RETRY_DELAY`` makes tests fast."""
    value = os.environ.get(ENV_RETRY_DELAY, "")
    try:
        return max(0.0, float(value)) if value else 1.0
    except ValueError:
        return 1.0


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    def json(self) -> dict:
        try:
            data = json.loads(self.body or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}


@dataclass
class Uploader:
    """Talks to one uploader base URL; retries only what can succeed on a second try."""

    base_url: str
    context: ssl.SSLContext
    timeout: float = 30.0
    attempts: int = 5
    base_delay: float = field(default_factory=retry_base_delay)
    sleep: Callable[[float], None] = time.sleep
    on_retry: Callable[[int, float, str], None] | None = None

    def post_export(
        self,
        document: bytes,
        progress: Callable[[int, int], None] | None = None,
        path: str = "exports",
    ) -> dict:
        """POST the export (gzip) to ``/exports``; the 202 answer with its import number.

        ``path="validate"`` asks the uploader to check everything and store nothing (200).
        """
        body = gzip.compress(document, mtime=0)
        headers = {
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
        }
        reply = self.request("POST", path, body, headers, progress)
        answer = reply.json()
        if path == "exports":
            number = answer.get("import_number")
            if reply.status != 202 or not _is_number(number):
                raise NotParaBench(reply.status, reply.headers.get("content-type", ""))
        elif reply.status != 200 or not isinstance(answer.get("valid"), bool):
            raise NotParaBench(reply.status, reply.headers.get("content-type", ""))
        return answer

    def import_status(self, number_or_url: int | str) -> dict:
        path = number_or_url if isinstance(number_or_url, str) else f"imports/{number_or_url}"
        reply = self.request("GET", path)
        answer = reply.json()
        if reply.status != 200 or not _is_number(answer.get("import_number")):
            raise NotParaBench(reply.status, reply.headers.get("content-type", ""))
        return answer

    def _target(self, path: str) -> tuple[str, int, str]:
        base = urlsplit(self.base_url)
        full = path if path.startswith("/") else f"{base.path.rstrip('/')}/{path}"
        return base.hostname or "", base.port or 443, full

    def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: dict | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Reply:
        host, port, full_path = self._target(path)
        last = ""
        for attempt in range(1, self.attempts + 1):
            try:
                reply = self._once(host, port, method, full_path, body, headers or {}, progress)
            except ssl.SSLCertVerificationError as exc:
                raise TlsRefused(exc.verify_message or str(exc), server_untrusted=True) from exc
            except ssl.SSLError as exc:
                reason = _tls_reason(exc)
                if any(marker in reason.upper() for marker in _NOT_TLS_MARKERS):
                    raise NotTls(reason) from exc
                raise TlsRefused(reason) from exc
            except (OSError, http.client.HTTPException) as exc:
                last = _network_reason(exc)
            else:
                if reply.status < 400:
                    return reply
                if reply.status not in RETRY_STATUSES:
                    error = reply.json().get("error")
                    if not isinstance(error, dict) or not error.get("code"):
                        raise NotParaBench(reply.status, reply.headers.get("content-type", ""))
                    raise ServerRefused(reply.status, error)
                last = f"HTTP {reply.status}"
            if attempt < self.attempts:
                delay = self.base_delay * 2 ** (attempt - 1)
                if self.on_retry:
                    self.on_retry(attempt, delay, last)
                self.sleep(delay)
        raise Unavailable(self.attempts, last)

    def _once(self, host, port, method, path, body, headers, progress) -> Reply:
        connection = http.client.HTTPSConnection(
            host, port, context=self.context, timeout=self.timeout
        )
        try:
            connection.connect()
            connection.putrequest(method, path, skip_accept_encoding=True)
            connection.putheader("Accept", "application/json")
            connection.putheader("User-Agent", "parabench-client/1")
            for name, value in headers.items():
                connection.putheader(name, value)
            if method == "POST":
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders()
            sent = 0
            if progress:
                progress(0, len(body))
            for start in range(0, len(body), CHUNK):
                chunk = body[start : start + CHUNK]
                connection.send(chunk)
                sent += len(chunk)
                if progress:
                    progress(sent, len(body))
            response = connection.getresponse()
            data = response.read()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
        finally:
            connection.close()


# What OpenSSL says when the other side answers a ClientHello with plain text (HTTP).
_NOT_TLS_MARKERS = ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG")


def _is_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _tls_reason(exc: ssl.SSLError) -> str:
    return str(exc.reason or exc.args[-1] if exc.args else exc)


def _network_reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection_refused"
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timeout"
    if isinstance(exc, socket.gaierror):
        return "dns"
    return type(exc).__name__
