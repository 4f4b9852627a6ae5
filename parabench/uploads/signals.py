"""What the uploads app announces; the apps that care react (the benchmark stores KPI values).

Why a signal: the dependencies point one way (benchmark → uploads). The importer says what
happened and never calls the benchmark; the benchmark connects its receiver in its AppConfig.
"""

from django.dispatch import Signal

# Sent for each export of a batch as soon as it is read, before the batch's transaction: ``imp``
# and ``document``, the export's JSON document (a valid export: the one the uploader accepted, or
# a changed body validated again in full; its parts read by name, its dates ISO text,
# ``parabench_format.models.document_date``). A receiver returns what it will write of that export
# when the batch is imported (or None); ``exports_imported`` hands it back, and the document is
# let go at once. Why: a batch that kept its hundred parsed exports until its transaction grew
# the worker by some 60 MB, which the allocator gave back afterwards and the next batch faulted
# in again — 145 page faults and 0.3–0.5 ms of system time an export, a third of parsing it
# (bench_import's world, PostgreSQL, 2026-11-30).
export_read = Signal()

# Sent inside the transaction of a batch of imports, once they are marked imported and the
# practices' current imports are set: ``batch``, a list of ``(imp, read)`` — the Import and, by
# receiver of ``export_read``, what that receiver returned for its export. One signal per batch,
# so a receiver can write in bulk. A receiver that raises rolls the whole batch back.
exports_imported = Signal()
