"""Uploads for tests, through the real intake (durable write, row, queued import task), and a
client certificate from a CA that is not ParaBench's."""

from parabench.certificates import pki
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


def foreign_client_files(directory, practice):
    """A certificate for the practice's AGB code, but signed by a CA that is not ParaBench's."""
    other_ca = pki.create_ca("Andere CA")
    issued = pki.issue_client_certificate(
        other_ca, practice_name=practice.name, agb_code=practice.agb_code
    )
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / "foreign.pem", directory / "foreign.key"
    cert.write_bytes(pki.certificate_pem(issued.certificate))
    key.write_bytes(pki.private_key_pem(issued.key))
    return str(cert), str(key)
