"""The background import of an accepted upload (django-tasks, database backend).

Why it is safe to run any number of times, in any number of workers, and to kill at any moment:

- Everything it stores for an import happens in **one transaction** that also flips the status to
  "imported"; a worker killed inside it leaves nothing behind (the database rolls back).
- The transaction first locks the import rows and re-reads their status, so a second run of the
  same import (a retry, or the sweeper re-enqueueing one that was merely slow) finds it done.
- One task imports its upload and up to UPLOAD_IMPORT_BATCH_SIZE − 1 others that wait (claimed
  with ``SKIP LOCKED``), in one transaction: the statements of an import cost more than its own
  computation, and a burst of uploads waits anyway. The others' own tasks then find them done.
- django-tasks has no retries: transient database errors re-enqueue the task with an attempt number
  and exponential backoff; after UPLOAD_IMPORT_MAX_ATTEMPTS the import is rejected with a reason.
- A worker killed outside any transaction leaves the import "received" or "importing" without a
  queued task; ``requeue_stale_imports`` (run by the import worker at start, and as a command)
  queues those again. So an accepted upload always ends imported or rejected.
- Each export's JSON document is shown to the other apps as soon as it is read
  (``signals.export_read``: the benchmark works out its KPI rows) and then let go; the imports
  are announced inside their transaction (``signals.exports_imported``): the benchmark stores
  those rows with them and schedules their statistics (``benchmark/signals.py``). This module
  never calls the benchmark: the dependencies point one way.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from pydantic_core import from_json

from parabench import tasks
from parabench.flags import update_flag
from parabench.practices.models import Practice
from parabench.uploads import storage
from parabench.uploads.documents import content_hash, parse_json
from parabench.uploads.models import Import, oldest_first
from parabench.uploads.plausibility import (
    import_warnings,
    plausibility_warnings,
    window_sessions,
)
from parabench.uploads.refusals import Refusal
from parabench.uploads.signals import export_read, exports_imported
from parabench.uploads.validation import validated_export
from parabench_format.models import FORMATS

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, InterfaceError)
PENDING = (Import.Status.RECEIVED, Import.Status.IMPORTING)


def enqueue_import(import_id: int, attempt: int = 1, delay_seconds: float = 0):
    """Queue the import task; call inside the transaction that creates or re-queues the row."""
    target = import_upload
    if delay_seconds:
        target = import_upload.using(run_after=timezone.now() + timedelta(seconds=delay_seconds))
    tasks.enqueue_plainly(target, import_id, attempt)


@task()
def import_upload(import_id: int, attempt: int = 1) -> str:
    """Import one upload; the task body. Returns what happened, for the task result row."""
    try:
        return run_import(import_id)
    except TRANSIENT_ERRORS as exc:
        return retry_later(import_id, attempt, exc)


def retry_later(import_id: int, attempt: int, exc: Exception) -> str:
    if attempt >= settings.UPLOAD_IMPORT_MAX_ATTEMPTS:
        logger.error("import %s failed after %s attempts: %s", import_id, attempt, exc)
        reject(import_id, [_failure("import_failed", str(exc))])
        return "rejected"
    delay = settings.UPLOAD_IMPORT_RETRY_SECONDS * 2 ** (attempt - 1)
    logger.warning(
        "import %s: transient error (%s); retry %s in %ss", import_id, exc, attempt, delay
    )
    with transaction.atomic():
        enqueue_import(import_id, attempt + 1, delay_seconds=delay)
    return "retry"


def _failure(code: str, detail: str = "") -> dict:
    messages = {
        "body_missing": (
            _("Het opgeslagen bestand van deze upload is niet meer leesbaar."),
            "The stored file of this upload can no longer be read.",
        ),
        "import_failed": (
            _("Het inlezen is herhaaldelijk mislukt door een storing. Stuur de export opnieuw."),
            "Importing failed repeatedly because of a fault. Send the export again.",
        ),
    }
    message, message_en = messages[code]
    failure = {"path": "$", "code": code, "message": message, "message_en": message_en}
    if detail:
        failure["detail"] = detail[:500]
    return failure


def reject(import_id: int, errors: list[dict]) -> None:
    """Mark an import "afgekeurd" with its reasons, unless it was finished meanwhile."""
    Import.objects.filter(pk=import_id, status__in=PENDING).update(
        status=Import.Status.REJECTED, errors=errors, is_current=False
    )


def run_import(import_id: int) -> str:
    """Import this upload, and with it up to IMPORT_BATCH_SIZE − 1 others that are waiting.

    Why a batch: the statements of an import cost more than its own computation, and a burst of
    uploads (a whole country after a quarter ends) waits anyway. The others' own tasks then
    find them done. Returns what happened to ``import_id``.
    """
    claimed = Import.objects.filter(pk=import_id, status__in=PENDING).update(
        status=Import.Status.IMPORTING, attempts=F("attempts") + 1
    )
    if not claimed:
        return "already done"
    others = _claim_waiting(import_id, settings.UPLOAD_IMPORT_BATCH_SIZE - 1)
    return import_batch([import_id, *others]).get(import_id, "already done")


def _claim_waiting(besides: int, limit: int) -> list[int]:
    """Claim up to ``limit`` received uploads no worker has taken (``SKIP LOCKED``)."""
    if limit <= 0:
        return []
    with transaction.atomic():
        waiting = Import.objects.filter(status=Import.Status.RECEIVED).exclude(pk=besides)
        if connection.features.has_select_for_update_skip_locked:
            waiting = waiting.select_for_update(skip_locked=True)
        ids = list(waiting.order_by("pk").values_list("pk", flat=True)[:limit])
        Import.objects.filter(pk__in=ids, status=Import.Status.RECEIVED).update(
            status=Import.Status.IMPORTING, attempts=F("attempts") + 1
        )
    return ids


def import_batch(import_ids) -> dict[int, str]:
    """Import these uploads in one transaction; what happened to each, by id.

    Safe with any number of workers: the transaction locks the rows and re-reads their status,
    so an upload another worker finished meanwhile is left alone ("already done").

    The cycle collector is paused for the batch (``tasks.paused_cycle_collector``): each parse
    allocates about 1,500 tracked objects at once, and the collector scanned the batch's objects
    again and again as it grew — the parse inside a batch of 100 took 1.9× the same parse on its
    own, 1.2× with the collector paused (bench_import's phases, PostgreSQL, 2026-11-29).
    """
    with tasks.paused_cycle_collector():
        return _import_batch(import_ids)


def _import_batch(import_ids) -> dict[int, str]:
    outcome = {}
    ready = []
    imports = Import.objects.select_related("practice").filter(
        pk__in=list(import_ids), status__in=PENDING
    )
    for imp in imports.order_by("pk"):
        try:
            raw = storage.stored_body(imp)
        except OSError as exc:
            reject(imp.pk, [_failure("body_missing", str(exc))])
            outcome[imp.pk] = "rejected"
            continue
        try:
            document = _document_of(imp, raw)
        except Refusal as refusal:
            reject(imp.pk, refusal.problems or [_refusal_reason(refusal)])
            outcome[imp.pk] = "rejected"
            continue
        # What the batch needs of the export, worked out now; the document is let go before
        # the next one is read (``signals.export_read``).
        imp.window_sessions = window_sessions(document)
        read = {
            receiver: result
            for receiver, result in export_read.send(Import, imp=imp, document=document)
        }
        ready.append((imp, plausibility_warnings(document), read))
        del document
    if not ready:
        return outcome
    warnings = import_warnings([(imp, own, imp.window_sessions) for imp, own, _ in ready])

    with transaction.atomic():
        locked = set(
            Import.objects.select_for_update()
            .filter(pk__in=[imp.pk for imp, _, _ in ready], status__in=PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        batch = [(imp, read) for imp, _, read in ready if imp.pk in locked]
        if not batch:
            return outcome
        now = timezone.now()
        imported = [imp for imp, _ in batch]
        for imp in imported:
            imp.status, imp.imported_at, imp.errors = Import.Status.IMPORTED, now, []
            imp.warnings = warnings[imp.pk]
        _record_imported(imported, now)
        mark_current(imported)
        exports_imported.send(sender=Import, batch=batch)
        _close_waiting_tasks(imported, now)
    outcome.update({imp.pk: "imported" for imp, _ in batch})
    return outcome


def _record_imported(imported, now) -> None:
    """Mark these imports imported, each with its own warnings and window sessions: one
    statement (``UPDATE … FROM`` a list of values, on PostgreSQL and SQLite alike).

    Why not ``bulk_update``: its ``CASE`` of a hundred branches per field cost 30 ms of CPU to
    build for a batch of 100 (0.3 ms an export, a third of parsing one; 2026-11-30); this
    statement costs about what one plain ``update`` does.
    """
    field = Import._meta.get_field
    q = connection.ops.quote_name
    warnings, sessions = field("warnings"), field("window_sessions")
    rows, params = [], []
    for imp in imported:
        rows.append("(%s, %s, %s)")
        params += [
            imp.pk,
            warnings.get_db_prep_value(imp.warnings, connection),
            sessions.get_db_prep_value(imp.window_sessions, connection),
        ]
    table = q(Import._meta.db_table)
    # Table and column names come from the model's metadata, never from input.
    sql = (
        f"WITH v (id, warnings, window_sessions) AS (VALUES {', '.join(rows)}) "  # noqa: S608
        f"UPDATE {table} SET {q(field('status').column)} = %s, "
        f"{q(field('imported_at').column)} = %s, {q(field('errors').column)} = %s, "
        f"{q(field('warnings').column)} = v.warnings, "
        f"{q(field('window_sessions').column)} = v.window_sessions "
        f"FROM v WHERE {table}.{q(field('id').column)} = v.id"
    )
    params += [
        Import.Status.IMPORTED.value,
        field("imported_at").get_db_prep_value(now, connection),
        field("errors").get_db_prep_value([], connection),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _close_waiting_tasks(imported, now) -> None:
    """Mark the waiting import tasks of these uploads done: their work is in this transaction.

    Why: otherwise a worker would still claim, run and close each of them only to find its
    upload imported — three statements per upload, more than the import itself costs in a batch.
    """
    tasks.close_waiting(import_upload, [imp.pk for imp in imported], "imported", now)


def _document_of(imp: Import, raw: bytes) -> dict:
    """The JSON document of a stored body that is a valid export of the import's practice, or a
    Refusal; what every reader of the batch takes (``parabench_format.models.export_document``).

    A body whose hash is the one the uploader accepted was validated then, in full, against the
    same day and with no key twice (``intake.accept_document``): its document is all the batch
    needs. Building the format's models again made the read of an export (body to everything
    the batch keeps of it) 2.7 ms of process time against 1.2 ms now, by the minima (medians
    3.7 and 1.6 ms; 100 exports like bench_import's, 5 alternated runs of 3, load about 10,
    2026-12-02). Any other body (a changed file) is validated again in full; its document is
    then the one parsed for that validation, so both paths hand the readers the same thing
    (``tests/uploads/test_import_documents.py``).
    """
    if content_hash(raw) == imp.content_sha256:
        try:
            document = from_json(raw)
        except ValueError:
            document = None  # not what was accepted after all: the full validation says why
        if _of_practice(document, imp):
            return document
    document = parse_json(raw)
    validated_export(document, today=timezone.localdate(imp.uploaded_at), raw=raw)
    if not _of_practice(document, imp):
        raise Refusal("practice_mismatch")
    return document


def _of_practice(document, imp: Import) -> bool:
    """Whether ``document`` is an export of a format the readers know, of ``imp``'s practice."""
    return (
        isinstance(document, dict)
        and document.get("format") in FORMATS
        and document.get("practice", {}).get("agb_code") == imp.practice.agb_code
    )


def _refusal_reason(refusal: Refusal) -> dict:
    error = refusal.as_json()["error"]
    return {
        "path": "$",
        "code": error["code"],
        "message": error["message"],
        "message_en": error["message_en"],
    }


def mark_current(imports) -> None:
    """Mark, for every practice and year of ``imports``, the export that counts
    (``models.oldest_first``: the newest export moment, then import number) as current.

    One set-based update that writes only the rows whose flag changes (``parabench.flags``); then
    ``is_current`` of the given objects is read back. Call it inside the import's transaction.
    """
    practice_ids = {imp.practice_id for imp in imports}
    with transaction.atomic():  # a savepoint inside the import's transaction
        # Two workers importing exports of one practice at once would each rank only what it can see
        # (READ COMMITTED: not the other's uncommitted import) and both mark theirs current (the
        # topology test caught it). The practices' rows locked, in one order, make the second wait
        # for the first to commit; its updates then see the first's import (each statement of
        # READ COMMITTED takes a new snapshot). SQLite serialises writers anyway.
        list(
            Practice.objects.select_for_update()
            .filter(pk__in=practice_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        siblings = Import.objects.filter(
            practice_id__in=practice_ids,
            year__in={imp.year for imp in imports},
            status=Import.Status.IMPORTED,
        )
        newest_first = [order.copy().reverse_ordering() for order in oldest_first()]
        ranked = siblings.annotate(
            rank=Window(
                RowNumber(), partition_by=[F("practice_id"), F("year")], order_by=newest_first
            )
        ).annotate(newest=ExpressionWrapper(Q(rank=1), output_field=BooleanField()))
        update_flag(ranked, "is_current", "newest")
        current = set(
            Import.objects.filter(pk__in=[imp.pk for imp in imports], is_current=True).values_list(
                "pk", flat=True
            )
        )
        for imp in imports:
            imp.is_current = imp.pk in current


def requeue(import_id: int) -> bool:
    """Import a rejected or stuck upload again (an operator's action); False for an imported one.

    Useful after the cause of a rejection was fixed on our side, e.g. a rule that was too strict.
    """
    with transaction.atomic():
        changed = Import.objects.filter(
            pk=import_id, status__in=[*PENDING, Import.Status.REJECTED]
        ).update(status=Import.Status.RECEIVED, errors=[])
        if changed:
            enqueue_import(import_id)
    return bool(changed)


# --- The sweeper -----------------------------------------------------------------------------


def _waiting_import_ids() -> set[int]:
    """Imports that have a task waiting to run, now or later (a delayed retry)."""
    return {int(pk) for pk in tasks.waiting_first_args(import_upload)}


def requeue_stale_imports() -> list[int]:
    """Queue again every unfinished import that has no task waiting; returns their numbers.

    Such imports were left by a worker that died (SIGKILL, power cut) or by a retry that could
    not be queued. Running a task twice is harmless (see the module docstring), so this may run
    while other workers are busy.
    """
    waiting = _waiting_import_ids()
    requeued = []
    for import_id in Import.objects.filter(status__in=PENDING).values_list("pk", flat=True):
        if import_id in waiting:
            continue
        with transaction.atomic():
            enqueue_import(import_id, attempt=1)
        requeued.append(import_id)
    if requeued:
        logger.info("requeued %d unfinished imports: %s", len(requeued), requeued[:20])
    return requeued
