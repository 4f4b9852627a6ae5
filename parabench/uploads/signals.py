"""What the uploads app announces; the apps that care react (the benchmark stores KPI values).

Why a signal: the dependencies point one way (benchmark → uploads). The uploader and the importer
say what happened and never call the benchmark; the benchmark connects its receivers in its
AppConfig.
"""

from django.dispatch import Signal

# Sent for each export as soon as it is checked (the uploader, on receipt: ``prepared.py``) or,
# for an upload received without that, parsed (the importer): ``export``, its validated
# ``parabench_format`` Export. A receiver returns bytes, what it will write of that export when
# it is imported, or None. The uploader keeps them with the upload (``Import.prepared``) and
# ``exports_imported`` hands them back by ``receiver_name``; the parsed export is let go at once.
# Why bytes: what the uploader works out must outlive its process until the import. Why let go
# at once: a batch that kept its hundred parsed exports until its transaction grew the worker by
# some 60 MB, which the allocator gave back afterwards and the next batch faulted in again — 145
# page faults and 0.3–0.5 ms of system time an export (bench_import's world, 2026-11-30).
export_read = Signal()

# Sent inside the transaction of a batch of imports, once they are marked imported and the
# practices' current imports are set: ``batch``, a list of ``(imp, read)`` — the Import and, by
# ``receiver_name`` of each receiver of ``export_read``, what it returned for its export. One
# signal per batch, so a receiver can write in bulk. A receiver that raises rolls the whole
# batch back.
exports_imported = Signal()


def receiver_name(receiver) -> str:
    """The name a receiver's result of ``export_read`` is kept under: its module and name."""
    return f"{receiver.__module__}.{receiver.__qualname__}"


# The receivers of ``export_read`` that ``reads_exports`` connected, by ``receiver_name``.
READERS: set[str] = set()


def reads_exports(receiver):
    """Connect ``receiver`` to ``export_read`` (a decorator) and name it in ``READERS``.

    Why: an upload prepared before a receiver was connected (by an uploader running the code of
    before a deploy that added it) lacks that receiver's result; the importer parses such an
    upload again instead (``prepared.unpacked``)."""
    export_read.connect(receiver, dispatch_uid=receiver_name(receiver), weak=False)
    READERS.add(receiver_name(receiver))
    return receiver
