"""The statistics tasks and their scheduling: the benchmark owns them, other apps only announce.

- ``refresh_statistics(year)``: after imports. The uploads app announces imports (in batches)
  (``uploads.signals.exports_imported``, see ``signals.py``); one refresh per year waits
  UPLOAD_STATISTICS_DELAY_SECONDS, and then until no upload waits for its import (at most
  UPLOAD_STATISTICS_MAX_WAIT_SECONDS: ``wait_for_imports``), so that a whole burst of imports
  shares it.
- ``recompute_years(years)``: after a practice changed groups (another network or province).
- ``requeue_stale_refreshes()``: a refresh whose worker died (SIGKILL, power cut) stays RUNNING
  for ever in django-tasks' table; the worker finds such refreshes at start and queues them again.
  Every recompute is one transaction per year, so a killed one left nothing half-written and
  running it again converges on what a full recompute gives.

Why tasks at all: a recompute at national scale takes seconds to a minute, too long for an upload
or an operator's save; the worker (``manage.py import_worker``) runs them. Both run in the
``statistics`` queue (STATISTICS_QUEUE), so that in production a statistics worker of its own
(``import_worker --queue-name statistics``) takes their time and memory away from the import
workers (docs/deployment.md); ``import_worker`` without ``--queue-name`` runs every queue.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task

from parabench.benchmark.recompute import recompute_all, recompute_changed
from parabench.tasks import (
    enqueue_once,
    uses_database_backend,
    worker_alive,
)
from parabench.uploads.importer import PENDING
from parabench.uploads.models import Import

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, InterfaceError)


@task(queue_name=settings.STATISTICS_QUEUE)
def refresh_statistics(year: int, attempt: int = 1) -> str:
    """Refresh the peer statistics of ``year`` (and of the next year, whose growth depends on
    it) once for a whole burst of imports. Incremental for the practices that sent something
    since the last refresh, full when that is most of the year."""
    wait_for_imports()
    try:
        years = recompute_changed(year)["years"]
    except TRANSIENT_ERRORS as exc:
        if attempt >= settings.UPLOAD_IMPORT_MAX_ATTEMPTS:
            raise
        delay = settings.UPLOAD_IMPORT_RETRY_SECONDS * 2 ** (attempt - 1)
        logger.warning("statistics %s: transient error (%s); retry in %ss", year, exc, delay)
        later = refresh_statistics.using(run_after=timezone.now() + timedelta(seconds=delay))
        later.enqueue(year, attempt + 1)
        return "retry"
    return "recomputed " + (", ".join(map(str, years)) or "nothing")


# How often ``wait_for_imports`` asks whether uploads still wait for their import.
POLL_SECONDS = 1.0


class _Worker:
    """What the worker of this process serves (``worker_started``)."""

    imports_elsewhere = False


def worker_started(queues) -> None:
    """Remember whether this process's worker leaves the imports to other workers: it serves
    the statistics queue alone (production: ``import_worker --queue-name statistics``). Only
    then does a refresh wait for imports (``wait_for_imports``): a worker that imports too (the
    embedded one, which serves every queue) would wait for itself."""
    _Worker.imports_elsewhere = "*" not in queues and set(queues) <= {settings.STATISTICS_QUEUE}


def wait_for_imports() -> float:
    """In a worker that leaves the imports to others (``worker_started``): wait until no upload
    of the last UPLOAD_STATISTICS_MAX_WAIT_SECONDS waits for its import, but no longer than
    that; returns the seconds waited.

    Why: a refresh recomputes a year's statistics from every practice — seconds of CPU, and of
    the database, at national scale. In a burst (the whole country uploading after a quarter
    ends: 10,000 uploads, a minute or two at full speed) one that starts while uploads still
    come in is outdated by the next refresh a minute later, and takes its CPU from the uploads
    and imports of the same burst: through the production topology 90 uploads a second in the
    ten seconds of such a refresh against 96-114 in the others (``make bench``, 2026-12-01).
    Waiting until the imports have caught up takes the whole burst along in one refresh; the
    limit keeps the figures at most that much behind under a load that does not end (and makes
    an upload whose worker died, waiting for the sweeper, hold up no refresh for longer).
    """
    limit = settings.UPLOAD_STATISTICS_MAX_WAIT_SECONDS
    started = time.monotonic()
    while (waited := time.monotonic() - started) < limit and _Worker.imports_elsewhere:
        recent = timezone.now() - timedelta(seconds=limit)
        pending = Import.objects.filter(status__in=PENDING, uploaded_at__gte=recent)
        if not pending.exists():
            break
        time.sleep(POLL_SECONDS)
    return waited


def schedule_statistics(year: int) -> None:
    """Queue one statistics refresh for ``year`` unless one is already waiting.

    Why not recompute after every import: the national group of a year holds every practice, so
    one recompute at 10,000 practices takes seconds, and imports arrive in bursts (the whole
    country uploads after a quarter ends). A refresh that waits UPLOAD_STATISTICS_DELAY_SECONDS
    takes every import of the burst along. Called inside the import's transaction, so an import
    is never committed without its refresh being queued.
    """
    run_after = timezone.now() + timedelta(seconds=settings.UPLOAD_STATISTICS_DELAY_SECONDS)
    enqueue_once(refresh_statistics.using(run_after=run_after), year)


@task(queue_name=settings.STATISTICS_QUEUE)
def recompute_years(years: list[int]) -> str:
    """Recompute every group of ``years``: the practice leaves its old groups, joins the new."""
    report = recompute_all(years=sorted(set(years)))
    return f"recomputed {report['years']}"


def enqueue_recompute(years: list[int]) -> None:
    """Queue a recompute of ``years``; moving a whole network shares one waiting recompute."""
    enqueue_once(recompute_years, list(years))


# --- Refreshes whose worker died ----------------------------------------------------------------

STATISTICS_TASKS = (refresh_statistics, recompute_years)


def requeue_stale_refreshes() -> list[str]:
    """Queue again every statistics task left RUNNING by a dead worker; returns their ids.

    The stale row is marked FAILED (so it is never found again) and the same call is queued
    anew, unless an equal one already waits.
    """
    if not uses_database_backend():
        return []
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    by_path = {t.module_path: t for t in STATISTICS_TASKS}
    requeued = []
    running = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, task_path__in=list(by_path)
    )
    for result in running:
        worker = (result.worker_ids or [""])[-1]
        if worker_alive(worker, result.started_at, now):
            continue
        with transaction.atomic():
            stale = DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING)
            if not stale.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path="parabench.benchmark.tasks.WorkerDied",
                traceback=f"worker {worker} died; queued again",
            ):
                continue
            args = result.args_kwargs.get("args", [])
            enqueue_once(by_path[result.task_path], *args[:1])
        requeued.append(str(result.pk))
    if requeued:
        logger.warning("requeued %d statistics task(s) of dead workers", len(requeued))
    return requeued
