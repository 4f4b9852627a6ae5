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
from parabench.uploads.signals import READERS, export_read, receiver_name


def _answers(export) -> dict[str, bytes | None]:
    return {
        receiver_name(receiver): result
        for receiver, result in export_read.send(sender=Import, export=export)
    }


def read_of(export) -> dict[str, bytes]:
    """What each receiver of ``export_read`` makes of ``export``, by ``receiver_name``."""
    return {name: result for name, result in _answers(export).items() if result is not None}


def for_import(export) -> bytes:
    """``Import.prepared`` of a checked export: its plausibility warnings, the receivers asked
    and what they answered (``read_of``)."""
    answers = _answers(export)
    read = {name: result for name, result in answers.items() if result is not None}
    header = {"warnings": plausibility_warnings(export), "asked": list(answers), "read": list(read)}
    return blobs.joined(header, list(read.values()))


def unpacked(data: bytes) -> tuple[list[dict], dict[str, bytes]] | None:
    """The plausibility warnings and the ``read_of`` of a ``for_import`` byte string; None when
    a receiver connected since was not asked then (``signals.reads_exports``): such an upload
    is parsed at import, as one whose byte string does not read (it never should)."""
    try:
        header, parts = blobs.split(data)
    except ValueError:
        return None
    if READERS - set(header["asked"]):
        return None
    return header["warnings"], dict(zip(header["read"], parts, strict=True))
