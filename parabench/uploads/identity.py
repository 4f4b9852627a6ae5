"""Who is uploading: the client certificate of the connection, or of nginx in front of us.

Two ways the certificate reaches the uploader:

- **Embedded**: uvicorn terminates TLS itself; ``parabench.uploads.tls`` puts the peer certificate
  in the ASGI scope (``extensions.tls.client_cert_chain``).
- **Production**: nginx terminates TLS and forwards ``X-SSL-Client-Cert``
  (``$ssl_client_escaped_cert``, URL-escaped PEM) and ``X-SSL-Client-Verify``
  (``$ssl_client_verify``). These headers are believed only when the TCP peer is one of
  ``UPLOADER_TRUSTED_PROXIES``; from anyone else they are ignored, so a forged header is as good
  as no certificate.

Either way the practice is then found by ``identify_practice`` (the database is the authority).
"""

import functools
from dataclasses import dataclass
from urllib.parse import unquote

from django.conf import settings


@dataclass(frozen=True)
class PresentedCertificate:
    pem: str | None
    # nginx's verdict ("SUCCESS", "NONE", "FAILED:<reason>"); None when uvicorn verified it itself.
    proxy_verify: str | None = None

    @functools.cached_property
    def parsed(self):
        """The certificate read once per request (the access log's fingerprint and the
        practice's look-up both need it); None when there is none or it is unreadable."""
        from parabench.certificates import pki

        if self.pem is None:
            return None
        try:
            return pki.load_certificate(self.pem)
        except (ValueError, TypeError, UnicodeError):
            return None

    @functools.cached_property
    def fingerprint(self) -> str | None:
        """SHA-256 fingerprint of ``parsed``, once per request: the access log names it (also
        for a refused certificate) and the practice is found by it; None without a readable one."""
        from parabench.certificates import pki

        return None if self.parsed is None else pki.fingerprint(self.parsed)


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def from_trusted_proxy(scope) -> bool:
    client = scope.get("client")
    return bool(client) and client[0] in settings.UPLOADER_TRUSTED_PROXIES


def presented_certificate(scope) -> PresentedCertificate:
    """The certificate this request came with, from the only source that can be trusted for it."""
    if from_trusted_proxy(scope):
        verify = (_header(scope, b"x-ssl-client-verify") or "NONE").strip()
        escaped = _header(scope, b"x-ssl-client-cert") or ""
        pem = unquote(escaped).strip() or None
        return PresentedCertificate(pem=pem if verify != "NONE" else None, proxy_verify=verify)
    tls = scope.get("extensions", {}).get("tls") or {}
    chain = tls.get("client_cert_chain") or []
    return PresentedCertificate(pem=chain[0] if chain else None)
