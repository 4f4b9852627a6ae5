"""The uploader's certificate endpoints: request with a one-time code, renew with the old one.

``POST {base}/certificates/requests``  ``{"code": "...", "csr": "-----BEGIN CERTIFICATE ..."}``
    No client certificate needed: the one-time code from the portal stands in for it.
``POST {base}/certificates/renewals``  ``{"csr": "..."}``
    Mutual TLS with the practice's still-valid certificate; the new one overlaps the old.

Both answer ``201 {"certificate": PEM, "number", "not_before", "not_after", "ca_certificates"}``.
The rules live in parabench.certificates.enrolment; this module only speaks HTTP. Hooked into
parabench.uploads.service._dispatch with one line.
"""

from __future__ import annotations

import json

from django.utils.translation import gettext as _

from parabench.uploads.identity import PresentedCertificate
from parabench.uploads.receiving import in_thread, read_body
from parabench.uploads.refusals import Refusal

PREFIX = "/certificates/"
MAX_BODY = 32 * 1024
# CertificateError codes of the enrolment rules and their HTTP status.
STATUS = {
    "csr_invalid": 422,
    "csr_signature_invalid": 422,
    "csr_key_type": 422,
    "csr_key_size": 422,
    "csr_key_reused": 409,
    "request_code_invalid": 403,
    "practice_cancelled": 403,
    "certificate_blocked": 403,
    "body_invalid": 400,
}
MESSAGES_EN = {
    "csr_invalid": "This is not a readable certificate signing request (CSR).",
    "csr_signature_invalid": "The CSR's signature does not match its key.",
    "csr_key_type": "This key type is not supported. Use RSA (2048-4096 bits) or EC P-256.",
    "csr_key_size": "This key size is not supported. Use RSA (2048-4096 bits) or EC P-256/P-384.",
    "csr_key_reused": "This key was used before. Make a new CSR.",
    "request_code_invalid": "This request code is unknown, expired or already used. "
    "Make a new one in the portal.",
    "practice_cancelled": "This practice has cancelled its subscription.",
    "certificate_blocked": "This certificate is blocked and cannot renew.",
    "body_invalid": 'Send JSON: {"csr": "<PEM>"} (and "code" for a request).',
}


def _error(code: str, message: str):
    payload = {"error": {"code": code, "message": message, "message_en": MESSAGES_EN[code]}}
    return STATUS[code], payload, []


async def _json_body(receive) -> dict | None:
    body = await read_body(receive, MAX_BODY)
    try:
        document = json.loads(body or b"null")
    except ValueError:
        return None
    if not isinstance(document, dict) or not isinstance(document.get("csr"), str):
        return None
    return document


def _answer(certificate) -> tuple[int, dict, list]:
    from parabench.certificates import pki
    from parabench.certificates.ca import production_ca_certificates

    return (
        201,
        {
            "certificate": certificate.certificate_pem,
            "number": certificate.number,
            "agb_code": certificate.practice.agb_code,
            "not_before": certificate.not_before.isoformat(),
            "not_after": certificate.not_after.isoformat(),
            "ca_certificates": [
                pki.certificate_pem(c).decode("ascii") for c in production_ca_certificates()
            ],
        },
        [],
    )


def _request(document: dict, ip: str | None):
    from parabench.certificates import enrolment
    from parabench.certificates.services import CertificateError

    try:
        certificate = enrolment.redeem_request_code(
            str(document.get("code", ""))[:64], document["csr"], ip_address=ip
        )
    except CertificateError as error:
        return _error(error.code, error.message)
    return _answer(certificate)


def _renew(presented: PresentedCertificate, document: dict, ip: str | None):
    from parabench.certificates import enrolment
    from parabench.certificates.lookup import identify_practice
    from parabench.certificates.services import CertificateError

    if presented.pem is None:
        raise Refusal("certificate_required")
    check = identify_practice(presented.pem)
    if not check.ok:
        raise Refusal(check.code)
    if presented.proxy_verify is not None and presented.proxy_verify != "SUCCESS":
        raise Refusal("certificate_invalid", detail=presented.proxy_verify[:200])
    try:
        certificate = enrolment.renew(check.certificate, document["csr"], ip_address=ip)
    except CertificateError as error:
        return _error(error.code, error.message)
    return _answer(certificate)


async def dispatch(path: str, method: str, presented: PresentedCertificate, scope, receive):
    """Answer ``/certificates/...``; the caller has already stripped the base path."""
    if path not in ("/certificates/requests", "/certificates/renewals"):
        raise Refusal("not_found")
    if method != "POST":
        raise Refusal("method_not_allowed")
    from parabench.uploads.identity import from_trusted_proxy

    client = scope.get("client")
    # Behind nginx the TCP peer is the proxy; its address says nothing about the practice.
    ip = None if from_trusted_proxy(scope) or not client else client[0]
    document = await _json_body(receive)
    if document is None:
        return _error("body_invalid", _("Stuur JSON met het certificaatverzoek (csr)."))
    if path == "/certificates/requests":
        return await in_thread(_request)(document, ip)
    return await in_thread(_renew)(presented, document, ip)
