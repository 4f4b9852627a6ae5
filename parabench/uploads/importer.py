"""The background import of an accepted upload (django-tasks, database backend).

Why it is safe to run any number of times, in any number of workers, and to kill at any moment:

- Everything it stores for an import happens in **one transaction** that also flips the status to
  "imported"; a worker killed inside it leaves nothing behind (the database rolls back).
- The transaction first locks the import row and re-reads its status, so a second run of the same
  import (a retry, or the sweeper re-enqueueing one that was merely slow) finds it done and stops.
- django-tasks has no retries: transient database errors re-enqueue the task with an attempt number
  and exponential backoff; after UPLOAD_IMPORT_MAX_ATTEMPTS the import is rejected with a reason.
- A worker killed outside any transaction leaves the import "received" or "importing" without a
  queued task; ``requeue_stale_imports`` (run by the import worker at start, and as a command)
  queues those again. So an accepted upload always ends imported or rejected.
- The peer statistics are not recomputed per import but by one ``refresh_statistics`` task per
  year and burst, queued in the import's own transaction (see ``schedule_statistics``).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from parabench.benchmark.ingest import store_export
from parabench.benchmark.recompute import recompute_changed
from parabench.uploads import storage
from parabench.uploads.documents import parse_json
from parabench.uploads.models import Import
from parabench.uploads.plausibility import import_warnings
from parabench.uploads.refusals import Refusal
from parabench.uploads.validation import validated_export

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, InterfaceError)
PENDING = (Import.Status.RECEIVED, Import.Status.IMPORTING)


def enqueue_import(import_id: int, attempt: int = 1, delay_seconds: float = 0):
    """Queue the import task; call inside the transaction that creates or re-queues the row."""
    target = import_upload
    if delay_seconds:
        target = import_upload.using(run_after=timezone.now() + timedelta(seconds=delay_seconds))
    return target.enqueue(import_id, attempt)


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
    claimed = Import.objects.filter(pk=import_id, status__in=PENDING).update(
        status=Import.Status.IMPORTING, attempts=F("attempts") + 1
    )
    if not claimed:
        return "already done"
    imp = Import.objects.select_related("practice").get(pk=import_id)
    try:
        raw = storage.stored_body(imp)
    except OSError as exc:
        reject(import_id, [_failure("body_missing", str(exc))])
        return "rejected"
    try:
        export = validated_export(
            parse_json(raw), today=timezone.localdate(imp.uploaded_at), raw=raw
        )
        if export.practice.agb_code != imp.practice.agb_code:
            raise Refusal("practice_mismatch")
    except Refusal as refusal:
        reject(import_id, refusal.problems or [_refusal_reason(refusal)])
        return "rejected"
    warnings = import_warnings(imp, export)

    with transaction.atomic():
        imp = Import.objects.select_for_update().select_related("practice").get(pk=import_id)
        if imp.status not in PENDING:
            return "already done"
        store_aggregates(imp, export)
        imp.status = Import.Status.IMPORTED
        imp.imported_at = timezone.now()
        imp.warnings = warnings
        imp.errors = []
        imp.save(update_fields=["status", "imported_at", "warnings", "errors"])
        mark_current(imp)
        schedule_statistics(imp.year)
    return "imported"


def _refusal_reason(refusal: Refusal) -> dict:
    error = refusal.as_json()["error"]
    return {
        "path": "$",
        "code": error["code"],
        "message": error["message"],
        "message_en": error["message_en"],
    }


def store_aggregates(imp: Import, export) -> None:
    """Hand the aggregates to the benchmark engine, inside the import's transaction."""
    store_export(imp, export)


@task(queue_name=settings.STATISTICS_QUEUE)
def refresh_statistics(year: int, attempt: int = 1) -> str:
    """Refresh the peer statistics of ``year`` (and of the next year, whose growth depends on
    it) once for a whole burst of imports; see ``schedule_statistics``. Incremental for the
    practices that sent something since the last refresh, full when that is most of the year."""
    try:
        years = recompute_changed(year)["years"]
    except TRANSIENT_ERRORS as exc:
        if attempt >= settings.UPLOAD_IMPORT_MAX_ATTEMPTS:
            raise
        delay = settings.UPLOAD_IMPORT_RETRY_SECONDS * 2 ** (attempt - 1)
        logger.warning("statistics %s: transient error (%s); retry in %ss", year, exc, delay)
        refresh_statistics.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(
            year, attempt + 1
        )
        return "retry"
    return "recomputed " + (", ".join(map(str, years)) or "nothing")


def schedule_statistics(year: int) -> None:
    """Queue one statistics refresh for ``year`` unless one is already waiting.

    Why not recompute after every import: the national group of a year holds every practice, so
    one recompute at 10,000 practices takes seconds, and imports arrive in bursts (the whole
    country uploads after a quarter ends). A refresh that waits UPLOAD_STATISTICS_DELAY_SECONDS
    takes every import of the burst along; the figures follow within seconds. Called inside the
    import's transaction, so an import is never committed without its refresh being queued.
    """
    waiting = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY,
        task_path=refresh_statistics.module_path,
        args_kwargs__args__0=year,
    ).exists()
    if not waiting:
        run_after = timezone.now() + timedelta(seconds=settings.UPLOAD_STATISTICS_DELAY_SECONDS)
        refresh_statistics.using(run_after=run_after).enqueue(year)


def mark_current(imp: Import) -> None:
    """The newest export (by export time, then import number) of a practice and year counts."""
    siblings = Import.objects.filter(
        practice_id=imp.practice_id, year=imp.year, status=Import.Status.IMPORTED
    )
    newest = siblings.order_by(F("exported_at").desc(nulls_last=True), "-pk").first()
    siblings.exclude(pk=newest.pk).filter(is_current=True).update(is_current=False)
    if not newest.is_current:
        Import.objects.filter(pk=newest.pk).update(is_current=True)
    imp.is_current = newest.pk == imp.pk


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
    rows = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=import_upload.module_path
    )
    ids = set()
    for args_kwargs in rows.values_list("args_kwargs", flat=True):
        args = (args_kwargs or {}).get("args") or []
        if args:
            ids.add(int(args[0]))
    return ids


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
