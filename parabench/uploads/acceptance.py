"""``POST {base}/validate`` for vendors' acceptance certificates: checked, never stored.

A certificate of the "ParaBench Acceptatie CA" belongs to a software vendor, not to a practice:
the export is validated exactly as ``/exports`` would (media type, size, gzip, format, period on
the day of arrival, plausibility warnings) but there is no practice to match the AGB code against
and nothing is written anywhere. Production certificates on ``/validate`` go to the export
client's validation-only module; this one only takes the acceptance certificates
(hooked into parabench.uploads.service._dispatch with one line).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from parabench.uploads.identity import PresentedCertificate
from parabench.uploads.receiving import in_thread, read_body
from parabench.uploads.refusals import Refusal

PATH = "/validate"


async def is_vendor(presented: PresentedCertificate) -> bool:
    return await in_thread(is_acceptance_certificate)(presented)


async def dispatch(method: str, presented: PresentedCertificate, scope, receive):
    """Validate a vendor's export like /exports would, and store nothing."""
    from parabench.uploads import documents

    if method != "POST":
        raise Refusal("method_not_allowed")
    vendor = await in_thread(identify_vendor)(presented)
    headers = dict(scope.get("headers", []))
    encoding = documents.check_media_type(
        _text(headers.get(b"content-type")), _text(headers.get(b"content-encoding"))
    )
    body = await read_body(receive, settings.UPLOAD_MAX_BYTES)
    return await in_thread(check_export)(vendor, body, encoding)


def _text(value: bytes | None) -> str | None:
    return value.decode("latin-1") if value is not None else None


def is_acceptance_certificate(presented: PresentedCertificate) -> bool:
    """True for a certificate signed by the acceptance CA (known or not; checked later)."""
    from parabench.certificates.lookup import identify_practice

    return presented.pem is not None and (
        identify_practice(presented.pem).code == "certificate_acceptance_only"
    )


def identify_vendor(presented: PresentedCertificate):
    from parabench.certificates.lookup import identify_for_validation

    check = identify_for_validation(presented.pem)
    if not check.ok:
        raise Refusal(check.code)
    if presented.proxy_verify is not None and presented.proxy_verify != "SUCCESS":
        raise Refusal("certificate_invalid", detail=presented.proxy_verify[:200])
    return check.vendor


def check_export(vendor, body: bytes, encoding: str):
    from parabench.uploads import documents
    from parabench.uploads.plausibility import plausibility_warnings
    from parabench.uploads.validation import validated_export

    document = documents.decompress(body, encoding, settings.UPLOAD_MAX_DECOMPRESSED_BYTES)
    parsed = documents.parsed_document(document)
    export = validated_export(parsed, today=timezone.localdate(), raw=document)
    return (
        200,
        {
            "valid": True,
            "stored": False,
            "environment": "acceptance",
            "vendor": vendor.vendor,
            "agb_code": export.practice.agb_code,
            "period_begin": export.period.begin.isoformat(),
            "period_end": export.period.end.isoformat(),
            "warnings": plausibility_warnings(parsed),
        },
        [],
    )
