"""Which client certificate to send with: the one given, or the right one from a folder.

A practice downloads a new ``.pfx`` from the portal every few years (or after blocking one), so
the certificate folder may hold old, expired and blocked ones next to the current one. The
automatic choice takes the ``.pfx`` files that open with the password (empty by default), were
issued by a ParaBench CA (the issuer's name says ParaBench — the portal's CA is named after it),
and are valid today, were not refused by ParaBench before and (when the AGB code is configured)
belong to this practice. One left: that one. Several: ask the user once and remember the choice
(its SHA-256 fingerprint) in the configuration, so unattended runs stay unattended; with nobody to
ask, the newest of the practice's own certificates (a practice downloads a new one when the old
one is blocked or runs out), without remembering it. When ParaBench refuses a certificate
(blocked, unknown, expired), ``forget`` drops it from the configuration and marks it refused, so
the next valid one is taken.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path

from cryptography.x509.oid import NameOID

from parabench_client import config as config_module
from parabench_client.transport import CertificateProblem, ClientCertificate, load_pfx

PFX_SUFFIXES = (".pfx", ".p12")


def issued_by_parabench(certificate: ClientCertificate) -> bool:
    """The issuer's common name or organisation names ParaBench (any capitalisation)."""
    names = [
        attribute.value
        for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME)
        for attribute in certificate.certificate.issuer.get_attributes_for_oid(oid)
    ]
    return any("parabench" in str(name).lower() for name in names)


def agb_of(certificate: ClientCertificate) -> str:
    """The AGB code in the subject (serialNumber), as the portal writes it; "" when absent."""
    values = certificate.certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    return str(values[0].value) if values else ""


def candidates(
    folder: Path,
    password: str | None = None,
    now: dt.datetime | None = None,
    refused: Iterable[str] = (),
    agb_code: str = "",
) -> list[ClientCertificate]:
    """Valid ParaBench certificates in ``folder`` not ``refused`` (and of practice ``agb_code``
    when given), newest first (by start of validity)."""
    refused = set(refused)
    now = now or dt.datetime.now(dt.UTC)
    found = []
    for path in sorted(Path(folder).iterdir()) if Path(folder).is_dir() else []:
        if path.suffix.lower() not in PFX_SUFFIXES or not path.is_file():
            continue
        try:
            certificate = load_pfx(path, password)
            certificate.check_valid(now)
        except CertificateProblem:
            continue
        if agb_code and agb_of(certificate) not in ("", agb_code):
            continue
        if issued_by_parabench(certificate) and certificate.fingerprint not in refused:
            found.append(certificate)
    found.sort(key=lambda c: (c.not_before, c.path.name), reverse=True)
    return found


Ask = Callable[[list[ClientCertificate]], int | None]


def choose(
    config: config_module.Config,
    *,
    explicit: str | None = None,
    password: str | None = None,
    ask: Ask | None = None,
    now: dt.datetime | None = None,
    config_path: Path | None = None,
    on_newest: Callable[[ClientCertificate, int], None] | None = None,
) -> ClientCertificate:
    """The certificate to use, or CertificateProblem saying precisely why there is none.

    ``ask`` shows the candidates and returns the chosen index (None when the user gives no
    answer, e.g. no terminal); the choice is then saved in the configuration. Without an answer,
    several certificates of one practice give the newest (``on_newest`` is told).
    """
    given = explicit or config.cert_file
    if given:
        certificate = load_pfx(Path(given), password)
        certificate.check_valid(now)
        return certificate
    if not config.cert_dir:
        raise CertificateProblem("no_folder")
    folder = Path(config.cert_dir)
    if not folder.is_dir():
        raise CertificateProblem("folder_missing", str(folder))
    found = candidates(folder, password, now, config.refused_certs, config.agb_code)
    if not found:
        raise CertificateProblem("none_found", str(folder))
    remembered = [c for c in found if c.fingerprint == config.chosen_cert]
    if config.chosen_cert and not remembered:
        config.chosen_cert = ""  # expired, refused or removed: ask again (once)
        config_module.save_if_possible(config, config_path)
    if len(found) == 1:
        return found[0]
    if remembered:
        return remembered[0]
    index = ask(found) if ask else None
    if index is None and len({agb_of(c) for c in found}) == 1:
        if on_newest:
            on_newest(found[0], len(found))
        return found[0]
    if index is None or not 0 <= index < len(found):
        raise CertificateProblem("several", str(folder), str(len(found)))
    chosen = found[index]
    config.chosen_cert = chosen.fingerprint
    config_module.save_if_possible(config, config_path)
    return chosen


def forget(
    config: config_module.Config,
    certificate: ClientCertificate,
    config_path: Path | None = None,
) -> bool:
    """ParaBench refused ``certificate``: never choose it again, drop it as the remembered or fixed
    one. True when another certificate can now be chosen from the folder."""
    if certificate.fingerprint not in config.refused_certs:
        config.refused_certs.append(certificate.fingerprint)
    if config.chosen_cert == certificate.fingerprint:
        config.chosen_cert = ""
    if config.cert_file and Path(config.cert_file).resolve() == certificate.path.resolve():
        config.cert_file = ""
    config_module.save_if_possible(config, config_path)
    return bool(config.cert_dir) and not config.cert_file
