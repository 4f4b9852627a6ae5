"""``parabench-client certificaat aanvragen | vernieuwen``: the key is made here and stays here.

- **aanvragen** (``certificate request --code CODE``): make a key on this computer, send only a
  certificate signing request (CSR) with the one-time code the portal showed, and store the
  certificate that comes back next to the key as a ``.pfx`` in the certificate folder.
- **vernieuwen** (``certificate renew``): the same with a new key, authenticated by the current,
  still-valid certificate over mutual TLS. The old certificate keeps working until it expires;
  the client switches to the new one at once.
- Every ``send``/``status`` warns from 30 days before the certificate expires and renews it by
  itself then (``check_expiry``); if that fails, the old certificate is used and the warning stays.

The key is written (mode 0600) before the request goes out, so a lost answer can be fetched again
with the same request: the server returns the certificate it already signed for that key.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from parabench_client import config as config_module
from parabench_client.exits import (
    EXIT_CERTIFICATE,
    EXIT_NOT_CONFIGURED,
    EXIT_REFUSED,
    EXIT_UNAVAILABLE,
)
from parabench_client.messages import language
from parabench_client.transport import (
    CertificateProblem,
    ClientCertificate,
    ServerRefused,
    TlsRefused,
    Unavailable,
    Uploader,
    load_pfx,
    tls_context,
)

RENEW_DAYS = 30
PENDING_KEY = ".parabench-aanvraag.key"

TEXTS = {
    "no_folder": (
        "Stel eerst een certificaatmap in: parabench-client configure --cert-dir MAP",
        "Configure a certificate folder first: parabench-client configure --cert-dir FOLDER",
    ),
    "making_key": (
        "Sleutel maken op deze computer (RSA 2048); alleen het verzoek gaat naar ParaBench …",
        "Making a key on this computer (RSA 2048); only the request goes to ParaBench …",
    ),
    "stored": (
        "Certificaat {number} opgeslagen in {path} (geldig tot {until}).",
        "Certificate {number} stored in {path} (valid until {until}).",
    ),
    "refused": ("ParaBench weigert: {message} ({code})", "ParaBench refuses: {message} ({code})"),
    "unavailable": (
        "ParaBench is niet bereikbaar ({reason}). Probeer het later opnieuw.",
        "ParaBench cannot be reached ({reason}). Try again later.",
    ),
    "tls": ("De TLS-verbinding mislukte: {reason}", "The TLS connection failed: {reason}"),
    "expiring": (
        "Let op: het certificaat verloopt over {days} dagen ({until}).",
        "Note: the certificate expires in {days} days ({until}).",
    ),
    "renewing": (
        "Het certificaat wordt nu vernieuwd (nieuwe sleutel, het oude blijft geldig tot het "
        "verloopt) …",
        "Renewing the certificate now (new key; the old one stays valid until it expires) …",
    ),
    "renew_failed": (
        "Vernieuwen lukte niet ({reason}); het huidige certificaat wordt nog gebruikt. Vernieuw "
        "met: parabench-client certificaat vernieuwen",
        "Renewal failed ({reason}); the current certificate is still used. Renew with: "
        "parabench-client certificate renew",
    ),
    "certificate_problem": (
        "Het huidige certificaat is niet bruikbaar ({code}). Vraag een nieuw certificaat aan "
        "met een aanvraagcode uit het portaal.",
        "The current certificate cannot be used ({code}). Request a new one with a request "
        "code from the portal.",
    ),
}


class Stop(Exception):
    def __init__(self, exit_code: int, text: str):
        super().__init__(text)
        self.exit_code = exit_code
        self.text = text


def say(key: str, **values) -> str:
    dutch, english = TEXTS[key]
    return (english if language() == "en" else dutch).format(**values)


# --- Keys, requests and files ------------------------------------------------------------------


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def csr_pem(key) -> str:
    """A CSR; its subject is a placeholder: the portal takes the practice from its own records."""
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ParaBench client")]))
        .sign(key, hashes.SHA256())
    )
    return csr.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def pending_key(folder: Path):
    """The key of a request whose answer has not arrived yet, or a new one (saved first)."""
    path = folder / PENDING_KEY
    if path.exists():
        return serialization.load_pem_private_key(path.read_bytes(), password=None)
    key = new_key()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_private(path, pem)
    return key


def store(folder: Path, key, answer: dict, password: str | None) -> Path:
    """Write key + certificate as ``ParaBench-<AGB>-<n>.pfx`` (mode 0600) in ``folder``."""
    certificate = x509.load_pem_x509_certificate(answer["certificate"].encode("ascii"))
    if certificate.public_key().public_numbers() != key.public_key().public_numbers():
        raise Stop(EXIT_CERTIFICATE, say("tls", reason="certificate does not match the key"))
    encryption = (
        serialization.BestAvailableEncryption(password.encode())
        if password
        else serialization.NoEncryption()
    )
    name = f"ParaBench-{answer.get('agb_code', 'praktijk')}-{answer.get('number', 'x')}"
    data = pkcs12.serialize_key_and_certificates(name.encode(), key, certificate, None, encryption)
    path = folder / f"{name}.pfx"
    _write_private(path, data)
    (folder / PENDING_KEY).unlink(missing_ok=True)
    return path


def _post(uploader: Uploader, path: str, document: dict) -> dict:
    body = json.dumps(document).encode()
    reply = uploader.request("POST", path, body, {"Content-Type": "application/json"})
    return reply.json()


def _talk(action):
    try:
        return action()
    except ServerRefused as refused:
        message = refused.error.get("message_en" if language() == "en" else "message", "")
        raise Stop(EXIT_REFUSED, say("refused", message=message, code=refused.code)) from refused
    except TlsRefused as tls:
        raise Stop(EXIT_CERTIFICATE, say("tls", reason=tls.reason)) from tls
    except Unavailable as down:
        raise Stop(EXIT_UNAVAILABLE, say("unavailable", reason=down.last)) from down


def _remember(
    config: config_module.Config, path: Path, config_path: Path | None, password: str | None
) -> None:
    """Use the new certificate from now on, also when the old one still lies in the folder."""
    stored = load_pfx(path, password)
    if config.cert_file:
        config.cert_file = str(path)
    config.chosen_cert = stored.fingerprint
    config_module.save(config, config_path)


# --- The two operations ------------------------------------------------------------------------


def request_certificate(
    config: config_module.Config,
    code: str,
    *,
    password: str | None = None,
    out=print,
    config_path: Path | None = None,
) -> Path:
    """Redeem a one-time code from the portal: key here, CSR there, certificate back."""
    folder = _folder(config)
    out(say("making_key"))
    key = pending_key(folder)
    uploader = Uploader(config.service.url, tls_context(None, config.server_ca or None))
    answer = _talk(
        lambda: _post(uploader, "certificates/requests", {"code": code, "csr": csr_pem(key)})
    )
    path = store(folder, key, answer, password)
    _remember(config, path, config_path, password)
    out(say("stored", number=answer["number"], path=path, until=answer["not_after"][:10]))
    return path


def renew(
    config: config_module.Config,
    current: ClientCertificate,
    *,
    password: str | None = None,
    out=print,
    config_path: Path | None = None,
) -> Path:
    """A new key and certificate, the request signed in by ``current`` over mutual TLS."""
    folder = _folder(config, fallback=current.path.parent)
    key = pending_key(folder)
    uploader = Uploader(config.service.url, tls_context(current, config.server_ca or None))
    answer = _talk(lambda: _post(uploader, "certificates/renewals", {"csr": csr_pem(key)}))
    path = store(folder, key, answer, password)
    _remember(config, path, config_path, password)
    out(say("stored", number=answer["number"], path=path, until=answer["not_after"][:10]))
    return path


def _folder(config: config_module.Config, fallback: Path | None = None) -> Path:
    if config.cert_dir:
        return Path(config.cert_dir)
    if config.cert_file:
        return Path(config.cert_file).parent
    if fallback is not None:
        return fallback
    raise Stop(EXIT_NOT_CONFIGURED, say("no_folder"))


def check_expiry(
    config: config_module.Config,
    current: ClientCertificate,
    *,
    password: str | None = None,
    out=print,
    err=print,
    now: dt.datetime | None = None,
    config_path: Path | None = None,
) -> ClientCertificate:
    """From RENEW_DAYS before the end: warn, renew, and return the certificate to use now."""
    now = now or dt.datetime.now(dt.UTC)
    left = current.not_after - now
    if left > dt.timedelta(days=RENEW_DAYS):
        return current
    err(say("expiring", days=max(left.days, 0), until=current.not_after.date().isoformat()))
    out(say("renewing"))
    try:
        path = renew(config, current, password=password, out=out, config_path=config_path)
        return load_pfx(path, password)
    except (Stop, CertificateProblem, OSError) as problem:
        err(say("renew_failed", reason=getattr(problem, "text", None) or problem))
        return current


# --- Command line (hooked into parabench_client.cli) -------------------------------------------


def add_commands(commands, *, on_request, on_renew) -> None:
    """``certificaat aanvragen|vernieuwen`` (English aliases ``certificate request|renew``),
    handled by ``on_request`` and ``on_renew`` (``cli``'s, which read the configuration: this module
    never imports ``cli``)."""
    group = commands.add_parser(
        "certificaat", aliases=["certificate"], help="certificaat aanvragen of vernieuwen"
    )
    actions = group.add_subparsers(dest="certificate_action", required=True, metavar="actie")
    request = actions.add_parser(
        "aanvragen",
        aliases=["request"],
        help="sleutel maken op deze computer en een certificaat aanvragen met een aanvraagcode",
    )
    request.add_argument("--code", required=True, help="aanvraagcode uit het portaal")
    request.add_argument("--password", help="wachtwoord voor het .pfx-bestand (standaard geen)")
    request.set_defaults(handler=on_request)
    renewal = actions.add_parser(
        "vernieuwen", aliases=["renew"], help="nieuw certificaat met het huidige (nog geldige)"
    )
    renewal.add_argument("--cert", help="huidig certificaat (.pfx); anders uit de map")
    renewal.add_argument("--password", help="wachtwoord van het certificaat (standaard leeg)")
    renewal.set_defaults(handler=on_renew)


def run(action) -> int:
    """Carry out ``action``; a ``Stop`` prints its text and gives its exit code."""
    import sys

    try:
        action()
    except Stop as stop:
        print(stop.text, file=sys.stderr)
        return stop.exit_code
    return 0
