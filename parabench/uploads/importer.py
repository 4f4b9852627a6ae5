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
- The import is announced inside its transaction (``signals.export_imported``); the benchmark
  stores the KPI values with it and schedules its statistics (``benchmark/signals.py``). This
  module never calls the benchmark: the dependencies point one way.
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

from parabench.uploads import storage
from parabench.uploads.documents import parse_json
from parabench.uploads.models import Import, oldest_first
from parabench.uploads.plausibility import import_warnings
from parabench.uploads.refusals import Refusal
from parabench.uploads.signals import export_imported
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
        imp.status = Import.Status.IMPORTED
        imp.imported_at = timezone.now()
        imp.warnings = warnings
        imp.errors = []
        imp.save(update_fields=["status", "imported_at", "warnings", "errors"])
        mark_current(imp)
        export_imported.send(sender=Import, imp=imp, export=export)
    return "imported"


def _refusal_reason(refusal: Refusal) -> dict:
    error = refusal.as_json()["error"]
    return {
        "path": "$",
        "code": error["code"],
        "message": error["message"],
        "message_en": error["message_en"],
    }


def mark_current(imp: Import) -> None:
    """Mark the practice's export of this year that counts (``models.oldest_first``: the newest
    export moment, then import number) as current."""
    siblings = Import.objects.filter(
        practice_id=imp.practice_id, year=imp.year, status=Import.Status.IMPORTED
    )
    newest = siblings.order_by(*oldest_first()).last()
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
