"""Which client certificate to send with: the one given, or the right one from a folder.

A practice downloads a new ``.pfx`` from the portal every few years (or after blocking one), so
the certificate folder may hold old, expired and blocked ones next to the current one. The
automatic choice takes the ``.pfx`` files that open with the password (empty by default), were
issued by a ParaBench CA (the issuer's name says ParaBench — the portal's CA is named after it),
and are valid today. One left: that one. Several: ask the user once and remember the choice
(its SHA-256 fingerprint) in the configuration, so unattended runs stay unattended.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
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


def candidates(
    folder: Path, password: str | None = None, now: dt.datetime | None = None
) -> list[ClientCertificate]:
    """Valid ParaBench certificates in ``folder``, newest first (by start of validity)."""
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
        if issued_by_parabench(certificate):
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
) -> ClientCertificate:
    """The certificate to use, or CertificateProblem saying precisely why there is none.

    ``ask`` shows the candidates and returns the chosen index (None when the user gives no
    answer, e.g. no terminal); the choice is then saved in the configuration.
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
    found = candidates(folder, password, now)
    if not found:
        raise CertificateProblem("none_found", str(folder))
    if len(found) == 1:
        return found[0]
    remembered = [c for c in found if c.fingerprint == config.chosen_cert]
    if remembered:
        return remembered[0]
    index = ask(found) if ask else None
    if index is None or not 0 <= index < len(found):
        raise CertificateProblem("several", str(folder), str(len(found)))
    chosen = found[index]
    config.chosen_cert = chosen.fingerprint
    config_module.save(config, config_path)
    return chosen
