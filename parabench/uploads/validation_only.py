"""``POST …/validate``: everything ``/exports`` checks, and nothing is stored.

Why: a vendor writing an exporter, or a practice trying a new set-up (``parabench-client send
--dry-run``, ``validate --online``), must be able to hear exactly what the uploader would answer —
the certificate, the certificate's practice against the export's AGB code, the format, the period
on the day of arrival — without replacing the practice's real year. The refusals are the very
ones of ``/exports`` (same codes, same statuses); only success differs: 200 instead of 202, no
import number, no file, no database row.
"""

from django.conf import settings
from django.utils import timezone

from parabench.uploads.documents import decompress
from parabench.uploads.intake import check_exported_at, validated_document
from parabench.uploads.plausibility import plausibility_warnings
from parabench.uploads.refusals import Refusal
from parabench_format.models import export_document


def check_export(caller: tuple, body: bytes, encoding: str):
    """The answer for a valid export of the calling practice, or the Refusal /exports would give."""
    practice, _fingerprint = caller
    now = timezone.now()
    document = decompress(body, encoding, settings.UPLOAD_MAX_DECOMPRESSED_BYTES)
    export = validated_document(document, today=timezone.localdate(now))
    if export.practice.agb_code != practice.agb_code:
        raise Refusal(
            "practice_mismatch",
            detail=f"export {export.practice.agb_code}, certificate {practice.agb_code}",
        )
    check_exported_at(export.exported_at, now)
    payload = {
        "valid": True,
        "stored": False,
        "agb_code": export.practice.agb_code,
        "period_begin": export.period.begin.isoformat(),
        "period_end": export.period.end.isoformat(),
        "warnings": plausibility_warnings(export_document(export)),
    }
    return 200, payload, []
