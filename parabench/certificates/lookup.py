"""What the uploader and the TLS server ask of the certificates app.

``identify_practice`` turns a client certificate into the practice it belongs to, or a precise
reason why not. The database is the authority: a certificate counts only when its SHA-256
fingerprint is a row here, and blocking takes effect at the very next request.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from parabench import plain_rows
from parabench.certificates import pki
from parabench.certificates.ca import (
    configured_paths,
    get_acceptance_ca,
    get_ca,
    get_ca_certificate,
    previous_cas,
    production_ca_certificates,
)
from parabench.certificates.models import ClientCertificate, VendorCertificate
from parabench.practices.models import Practice

CODES = (
    "ok",
    "certificate_unknown",
    "certificate_foreign_issuer",
    "certificate_blocked",
    "certificate_expired",
    "certificate_not_yet_valid",
    "certificate_invalid",
    "certificate_acceptance_only",
)

_MESSAGES_EN = {
    "ok": "The certificate is valid.",
    "certificate_unknown": "This certificate was not issued by ParaBench (unknown certificate).",
    "certificate_foreign_issuer": "This certificate was not signed by the ParaBench CA.",
    "certificate_blocked": "This certificate has been blocked; issue a new one in the portal.",
    "certificate_expired": "This certificate has expired; issue a new one in the portal.",
    "certificate_not_yet_valid": "This certificate is not valid yet; check the computer's clock.",
    "certificate_invalid": "This is not a readable X.509 certificate.",
    "certificate_acceptance_only": "This is an acceptance (test) certificate: it is accepted "
    "only by the validation endpoints, never for real uploads.",
}


def _message_nl(code: str) -> str:
    return {
        "ok": _("Het certificaat is geldig."),
        "certificate_unknown": _(
            "Dit certificaat is niet door ParaBench uitgegeven (onbekend certificaat)."
        ),
        "certificate_foreign_issuer": _(
            "Dit certificaat is niet ondertekend door de ParaBench CA."
        ),
        "certificate_blocked": _(
            "Dit certificaat is geblokkeerd. Geef in het portaal een nieuw certificaat uit."
        ),
        "certificate_expired": _(
            "Dit certificaat is verlopen. Geef in het portaal een nieuw certificaat uit."
        ),
        "certificate_not_yet_valid": _(
            "Dit certificaat is nog niet geldig. Controleer de klok van deze computer."
        ),
        "certificate_invalid": _("Dit is geen leesbaar X.509-certificaat."),
        "certificate_acceptance_only": _(
            "Dit is een acceptatiecertificaat (test): het wordt alleen door de "
            "validatiedienst geaccepteerd, nooit voor echte uploads."
        ),
    }[code]


@dataclass(frozen=True)
class CertificateCheck:
    ok: bool
    practice: Practice | None
    certificate: ClientCertificate | None
    code: str
    message: str
    message_en: str


def _result(code: str, certificate: ClientCertificate | None = None) -> CertificateCheck:
    return CertificateCheck(
        ok=code == "ok",
        practice=certificate.practice if certificate is not None and code == "ok" else None,
        certificate=certificate,
        code=code,
        message=_message_nl(code),
        message_en=_MESSAGES_EN[code],
    )


def identify_practice(
    cert: bytes | str | x509.Certificate,
    *,
    at: dt.datetime | None = None,
) -> CertificateCheck:
    """The practice a client certificate belongs to, checked in this order:

    readable → signed by our CA → known by fingerprint → not blocked → within its validity.
    ``certificate`` is filled in whenever the row is known (also when refused), ``practice`` only
    when ``ok``. Validity is read from the database row, the authority, at ``at`` (default now).
    The fingerprint is computed here even when the caller has it (the uploader's access log): it
    costs 8 µs, and a caller's value would be believed unchecked.
    """
    try:
        parsed = pki.load_certificate(cert)
    except (ValueError, TypeError, UnicodeError):
        return _result("certificate_invalid")
    if not any(pki.is_issued_by(parsed, ca) for ca in production_ca_certificates()):
        acceptance = get_acceptance_ca()
        if acceptance is not None and pki.is_issued_by(parsed, acceptance.certificate):
            # Never into the statistics: a vendor's test certificate stops here.
            return _result("certificate_acceptance_only")
        return _result("certificate_foreign_issuer")
    row = _known_certificate(pki.fingerprint(parsed))
    if row is None:
        return _result("certificate_unknown")
    return _result(row.refusal(at or timezone.now()) or "ok", row)


@dataclass(frozen=True)
class _Lookup:
    sql: str
    models: tuple  # (model, the attnames of its concrete fields) per table, in column order
    converters: tuple  # ``plain_rows.converters`` of the selected columns


@functools.cache
def _lookup() -> _Lookup:
    """What ``select_related("practice").get(fingerprint_sha256=…)`` sends and how the ORM reads
    its row, written once per process from the models' metadata (names, never input).

    Why: the ORM built that query anew on every upload, 0.83 ms of CPU against 0.07 ms for the
    statement through the cursor (PostgreSQL); every request of the uploader asks it first.
    The row becomes the same two model instances (``from_db`` after the fields' own converters).
    """
    q = connection.ops.quote_name
    certificate, practice = ClientCertificate._meta, Practice._meta
    models, columns, selected = [], [], []
    for alias, meta in (("c", certificate), ("p", practice)):
        fields = list(meta.concrete_fields)
        models.append((meta.model, [f.attname for f in fields]))
        columns += [f"{alias}.{q(f.column)}" for f in fields]
        selected += [(f, alias) for f in fields]
    on = certificate.get_field("practice").column
    sql = (
        f"SELECT {', '.join(columns)} FROM {q(certificate.db_table)} c "  # noqa: S608
        f"JOIN {q(practice.db_table)} p ON p.{q(practice.pk.column)} = c.{q(on)} "
        f"WHERE c.{q(certificate.get_field('fingerprint_sha256').column)} = %s"
    )
    return _Lookup(sql, tuple(models), plain_rows.converters(selected))


def _known_certificate(fingerprint: str) -> ClientCertificate | None:
    """The certificate row of this fingerprint with its practice, or None."""
    lookup = _lookup()
    with connection.cursor() as cursor:
        cursor.execute(lookup.sql, [fingerprint])
        row = cursor.fetchone()
    if row is None:
        return None
    row = plain_rows.converted(row, lookup.converters)
    instances, start = [], 0
    for model, names in lookup.models:
        instances.append(model.from_db(connection.alias, names, row[start : start + len(names)]))
        start += len(names)
    certificate, practice = instances
    certificate.practice = practice
    return certificate


@dataclass(frozen=True)
class ValidationCaller:
    """Who calls a validation endpoint: a practice (production CA) or a vendor (acceptance CA)."""

    ok: bool
    environment: str  # "production", "acceptance" or "" when refused
    practice: Practice | None
    vendor: VendorCertificate | None
    code: str
    message: str
    message_en: str


def identify_for_validation(
    cert: bytes | str | x509.Certificate, *, at: dt.datetime | None = None
) -> ValidationCaller:
    """For validation/acceptance endpoints only: production certificates as identify_practice
    says, and the acceptance CA's vendor certificates (known, not blocked, within validity).

    Nothing this returns for a vendor may reach the statistics; production endpoints call
    identify_practice, which refuses acceptance certificates with ``certificate_acceptance_only``.
    """
    check = identify_practice(cert, at=at)
    if check.code != "certificate_acceptance_only":
        return ValidationCaller(
            check.ok,
            "production" if check.ok else "",
            check.practice,
            None,
            check.code,
            check.message,
            check.message_en,
        )
    parsed = pki.load_certificate(cert)
    row = VendorCertificate.objects.filter(fingerprint_sha256=pki.fingerprint(parsed)).first()
    code = "certificate_unknown" if row is None else row.refusal(at or timezone.now()) or "ok"
    return ValidationCaller(
        code == "ok",
        "acceptance" if code == "ok" else "",
        None,
        row if code == "ok" else None,
        code,
        _message_nl(code),
        _MESSAGES_EN[code],
    )


def ca_certificate_pem() -> bytes:
    """The CA certificate a TLS server trusts for client certificates; creates the CA if allowed."""
    return pki.certificate_pem(get_ca_certificate())


def ca_paths() -> tuple[Path, Path]:
    """``(certificate path, key path)`` of the CA, after making sure the files exist."""
    get_ca()
    return configured_paths()


def current_crl(format: str = "pem") -> bytes:
    """A freshly signed CRL of every blocked certificate of the current CA (``pem`` or ``der``).

    The PEM form also carries one CRL per earlier CA whose key is configured (a rollover) and
    one of the acceptance CA: a proxy that checks CRLs needs one for every CA it trusts.
    """
    if format not in {"pem", "der"}:
        raise ValueError("format must be 'pem' or 'der'")
    ca = get_ca()
    first = pki.crl_bytes(pki.build_crl(ca, _revoked(ca)), format)
    if format == "der":
        return first
    others = [*previous_cas(), *[c for c in [get_acceptance_ca()] if c is not None]]
    return first + b"".join(pki.crl_bytes(pki.build_crl(c, _revoked(c)), "pem") for c in others)


def _revoked(ca) -> list:
    issuer = ca.certificate.subject.rfc4514_string()
    acceptance = get_acceptance_ca()
    is_acceptance = (
        acceptance is not None and issuer == acceptance.certificate.subject.rfc4514_string()
    )
    model = VendorCertificate if is_acceptance else ClientCertificate
    return list(
        model.objects.filter(issuer=issuer, blocked_at__isnull=False)
        .order_by("blocked_at")
        .values_list("serial_hex", "blocked_at")
    )
