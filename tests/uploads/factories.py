"""Uploads for tests, through the real intake (durable write, row, queued import task)."""

from parabench.uploads import intake
from tests.uploads.exports import export_bytes, make_export


def upload_export(practice, document=None, *, fingerprint="0" * 64, **export_kwargs):
    """Accept an export of ``practice`` as the uploader would; returns the Import row."""
    document = document if document is not None else make_export(practice.agb_code, **export_kwargs)
    accepted = intake.accept_export(
        practice=practice,
        certificate_fingerprint=fingerprint,
        body=export_bytes(document),
        encoding="identity",
    )
    return accepted.imp
