"""Purpose-built fault servers: what sits between a practice and ParaBench when things go wrong.

Why not the real uploader: these faults are not ParaBench's — a captive portal or proxy that
answers every request with its own HTML page and 200, and a plain-HTTP server on the port an
https:// URL points at. They cannot be produced with the uploader, so these small servers play
them (DEVELOPERS.md, "Fault servers"). Each records what it received.
"""

from __future__ import annotations

import http.server
import ssl
import threading
from pathlib import Path

from cryptography.hazmat.primitives import serialization

PORTAL_PAGE = b"<!doctype html><title>Gastnetwerk</title><p>Log in om verder te gaan.</p>"


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    status = 200
    body = PORTAL_PAGE
    content_type = "text/html; charset=utf-8"

    def log_message(self, *args):
        pass

    def _any(self):
        length = int(self.headers.get("Content-Length", "0") or 0)
        self.rfile.read(length)
        self.server.received.append((self.command, self.path))
        self.send_response(self.status)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    do_GET = do_POST = _any


class FaultServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, handler, tls: ssl.SSLContext | None = None):
        super().__init__(("127.0.0.1", 0), handler)
        self.tls = tls
        self.received: list[tuple[str, str]] = []
        self.thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def get_request(self):
        sock, address = super().get_request()
        if self.tls is not None:
            sock = self.tls.wrap_socket(sock, server_side=True)
        return sock, address

    def url(self, path: str = "/ParabenchUploader/services") -> str:
        return f"https://127.0.0.1:{self.server_address[1]}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()


def answering(status: int, body: bytes, content_type: str):
    """A handler class that answers every request with this status, body and type."""
    return type(
        "Answer", (_Handler,), {"status": status, "body": body, "content_type": content_type}
    )


def captive_portal(server_key, server_cert, folder: Path, **answer) -> FaultServer:
    """TLS with a certificate the client trusts, no client certificate asked, HTML for all."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    pem = folder / "portal.pem"
    pem.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        + server_cert.public_bytes(serialization.Encoding.PEM)
    )
    context.load_cert_chain(pem)
    handler = answering(**answer) if answer else _Handler
    return FaultServer(handler, tls=context)


def plain_http() -> FaultServer:
    """Plain HTTP on the port an https:// URL names (a wrong port, or TLS switched off)."""
    return FaultServer(_Handler)
