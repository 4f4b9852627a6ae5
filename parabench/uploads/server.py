"""The embedded uploader: uvicorn speaking mutual TLS itself (``-m parabench.uploads.server``).

TLS 1.2 and 1.3 only; the client certificate is requested (``CERT_OPTIONAL``, so a request without
one still reaches the app and gets a readable 401) and must chain to the ParaBench CA.

Decided here, documented in docs/uploader.md: TLS checks the chain but **not the validity dates**
(OpenSSL's X509_V_FLAG_NO_CHECK_TIME). An expired or not-yet-valid ParaBench certificate therefore
reaches the app, which refuses it with a readable 403 ``certificate_expired`` from the database
(the authority). A certificate of another CA still ends the handshake: Python's TLS has no
"request but do not verify" mode, and accepting unverified certificates at the TLS layer would
leave the proof of key possession as the only check. Behind nginx every case is a readable JSON.

The server certificate (for localhost and 127.0.0.1) is issued by the ParaBench CA on first start,
so the export client can verify the server with the same CA certificate.
"""

import argparse
import datetime as dt
import ipaddress
import os
import socket
import ssl
import sys
from pathlib import Path

from parabench import env

# OpenSSL's X509_V_FLAG_NO_CHECK_TIME: verify the chain, leave validity dates to the app.
VERIFY_NO_CHECK_TIME = 0x200000
SERVER_CERT_DAYS = 397
RENEW_BEFORE = dt.timedelta(days=30)


def _setup_django() -> None:
    import django

    from parabench.env import prepared_statements_by_default

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parabench.settings")
    prepared_statements_by_default()
    django.setup(set_prefix=False)


def ensure_server_certificate(cert_path: Path, key_path: Path) -> tuple[Path, Path]:
    """A TLS server certificate for localhost issued by the current ParaBench CA; renewed when
    missing, from another CA, or within 30 days of expiry."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    from parabench.certificates.ca import get_ca
    from parabench.certificates.pki import is_issued_by

    ca = get_ca()
    now = dt.datetime.now(dt.UTC)
    if cert_path.exists() and key_path.exists():
        current = x509.load_pem_x509_certificate(cert_path.read_bytes())
        if (
            is_issued_by(current, ca.certificate)
            and current.not_valid_after_utc - now > RENEW_BEFORE
        ):
            return cert_path, key_path
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ParaBench"),
            x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=SERVER_CERT_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("::1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def tune_ssl_context(context: ssl.SSLContext) -> ssl.SSLContext:
    """TLS 1.2+, client certificate optional but chained to our CA, dates left to the app."""
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.verify_mode = ssl.CERT_OPTIONAL
    context.verify_flags |= VERIFY_NO_CHECK_TIME
    return context


def _bound_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def build_server(*, host: str, port: int, log_level: str = "warning", plain: bool = False):
    """A configured uvicorn server and its bound socket (``port`` 0 picks a free port).

    ``plain``: plain HTTP for production behind nginx, which terminates TLS and forwards the
    certificate in headers (trusted only from UPLOADER_TRUSTED_PROXIES). In both modes uvicorn's
    own proxy-header handling is off: the app must see the real TCP peer, never an address
    taken from X-Forwarded-For.
    """
    import uvicorn
    from django.conf import settings

    from parabench.certificates.ca import get_ca_certificate, write_trust_bundle
    from parabench.certificates.lookup import ca_paths
    from parabench.uploads.service import application
    from parabench.uploads.tls import H11TLSProtocol, HttpToolsTLSProtocol

    try:
        import httptools  # noqa: F401

        protocol = HttpToolsTLSProtocol
    except ImportError:
        protocol = H11TLSProtocol

    options = {
        "lifespan": "off",
        "log_level": log_level,
        "proxy_headers": False,
        "timeout_keep_alive": 30,
    }
    if plain:
        # Only the CA certificate is needed (never the key); a missing one stops the start here
        # rather than failing every request.
        get_ca_certificate()
    else:
        # Embedded: the CA (key included, development only) issues this server's certificate.
        ca_paths()
        # Every CA whose client certificates may pass the handshake (current, earlier, acceptance).
        ca_cert_path = write_trust_bundle()
        cert_path, key_path = ensure_server_certificate(
            Path(settings.UPLOADER_TLS_CERT_PATH), Path(settings.UPLOADER_TLS_KEY_PATH)
        )
        options.update(
            http=protocol,
            ssl_certfile=str(cert_path),
            ssl_keyfile=str(key_path),
            ssl_ca_certs=str(ca_cert_path),
            ssl_cert_reqs=ssl.CERT_OPTIONAL,
        )
    config = uvicorn.Config(application, **options)
    config.load()
    if not plain:
        tune_ssl_context(config.ssl)
    return uvicorn.Server(config), _bound_socket(host, port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="ParaBench uploader (mutual TLS)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("UPLOADER_PORT", "8443")))
    parser.add_argument("--port-file", help="write the bound port here once listening")
    parser.add_argument("--log-level", default="warning")
    parser.add_argument(
        "--plain",
        action="store_true",
        help="plain HTTP behind nginx (production); the proxy terminates mutual TLS",
    )
    args = parser.parse_args(argv)
    _setup_django()
    server, sock = build_server(
        host=args.host, port=args.port, log_level=args.log_level, plain=args.plain
    )
    bound_port = sock.getsockname()[1]
    if args.port_file:
        temp = Path(args.port_file + ".tmp")
        temp.write_text(str(bound_port))
        temp.replace(args.port_file)
    env.settle_heap()
    scheme = "http" if args.plain else "https"
    print(f"uploader: {scheme}://{args.host}:{bound_port}/ParabenchUploader/services", flush=True)
    server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
