"""What the import needs of an export, worked out once, by the uploader right after its checks
(``intake.check_document``), and kept with the upload until it is imported (``Import.prepared``):
the export's plausibility warnings and what the receivers of ``signals.export_read`` make of it
(the benchmark: its KPI rows).

Why: the import worker parsed every export a second time only to work these out — the parse a
third of an import's CPU, the KPI rows another third (py-spy through the topology, 2026-11-30) —
while the uploader had just parsed and checked the same bytes. An import of a prepared upload
reads no body and parses nothing. An upload without it (received by an uploader before it
existed, or sent back to import by an operator: ``importer.requeue``) is read and parsed as
before (``importer._export_of``). Privacy: it holds what the import stores anyway, and lives
only until then.
"""

from parabench import blobs
from parabench.uploads.models import Import
from parabench.uploads.plausibility import plausibility_warnings
from parabench.uploads.signals import export_read, receiver_name


def read_of(export) -> dict[str, bytes]:
    """What each receiver of ``export_read`` makes of ``export``, by ``receiver_name``."""
    return {
        receiver_name(receiver): result
        for receiver, result in export_read.send(sender=Import, export=export)
        if result is not None
    }


def for_import(export) -> bytes:
    """``Import.prepared`` of a checked export: its plausibility warnings and ``read_of``."""
    read = read_of(export)
    return blobs.joined(
        {"warnings": plausibility_warnings(export), "read": list(read)}, list(read.values())
    )


def unpacked(data: bytes) -> tuple[list[dict], dict[str, bytes]]:
    """The plausibility warnings and the ``read_of`` of a ``for_import`` byte string."""
    header, parts = blobs.split(data)
    return header["warnings"], dict(zip(header["read"], parts, strict=True))
