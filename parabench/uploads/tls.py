"""Hand the TLS client certificate to the ASGI app, which no ASGI server does by itself today.

uvicorn verifies the peer certificate (with ``ssl_cert_reqs``) and then forgets it. These protocol
classes read it from the connection's ``ssl_object`` once, when the handshake has completed, and put
it into every request scope of that connection under the ASGI TLS extension key
``scope["extensions"]["tls"]["client_cert_chain"]`` (a list of PEM strings, the peer's first).

This touches uvicorn internals (``connection_made`` and the ``app`` attribute), so uvicorn is pinned
in pyproject.toml and tests/uploads/test_tls.py runs a real handshake against it.
"""

import ssl

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


def tls_extension(transport) -> dict | None:
    """The ASGI ``tls`` extension for a connection, or None for plain HTTP."""
    ssl_object = transport.get_extra_info("ssl_object")
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(binary_form=True)
    chain = [ssl.DER_cert_to_PEM_cert(der)] if der else []
    return {
        "server_cert": None,
        "client_cert_chain": chain,
        "client_cert_name": None,
        "client_cert_error": None,
        "tls_version": _TLS_VERSIONS.get(ssl_object.version()),
        "cipher_suite": None,
    }


# The ASGI spec gives the version as the TLS record number.
_TLS_VERSIONS = {"TLSv1.2": 0x0303, "TLSv1.3": 0x0304}


def _with_tls(app, extension: dict):
    async def app_with_tls(scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            scope = dict(scope)
            scope["extensions"] = {**scope.get("extensions", {}), "tls": extension}
        return await app(scope, receive, send)

    return app_with_tls


class _TLSMixin:
    def connection_made(self, transport):
        super().connection_made(transport)
        extension = tls_extension(transport)
        if extension is not None:
            # Per connection: the wrapper closes over this connection's certificate only.
            self.app = _with_tls(self.app, extension)


class H11TLSProtocol(_TLSMixin, H11Protocol):
    """uvicorn's pure-Python HTTP/1.1 protocol, plus the client certificate in the scope."""


class HttpToolsTLSProtocol(_TLSMixin, HttpToolsProtocol):
    """uvicorn's httptools protocol, plus the client certificate in the scope."""
