"""Notifications are sent by the worker, never inside an import's transaction.

Why the verdict task waits: the statistics of a year are refreshed once per burst of imports
(``uploads.importer.schedule_statistics``), so right after an import its group figures may be
older than the import; a verdict read then would compare with yesterday's group. The task looks
again a little later until the national statistics of the import's window are newer than it.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from parabench.benchmark.kpis import dashboard_window
from parabench.benchmark.models import GroupKind, GroupStatistics
from parabench.notifications import notices
from parabench.uploads.models import Import

VERDICT_WAIT_SECONDS = 30
VERDICT_ATTEMPTS = 40  # 20 minutes: far beyond a refresh's delay and duration


def _imported(import_ids) -> list[Import]:
    """The imports of ``import_ids`` that are (still) imported, in import order.

    ``import_ids`` is a list (one task per imported batch); a single id is a task queued before
    notifications were batched."""
    ids = [import_ids] if isinstance(import_ids, int) else list(import_ids)
    return list(
        Import.objects.select_related("practice")
        .filter(pk__in=ids, status=Import.Status.IMPORTED)
        .order_by("pk")
    )


@task()
def notify_imported(import_ids: list[int]) -> str:
    """Mail "your upload is imported" for each import of one imported batch."""
    imports = _imported(import_ids)
    if not imports:
        return "gone"
    wanting = notices.practices_opted_in({imp.practice_id for imp in imports}, "on_import")
    sent = sum(notices.send_imported(imp) for imp in imports if imp.practice_id in wanting)
    return f"sent to {sent}"


def statistics_caught_up(imp) -> bool:
    """Whether the national statistics of the import's dashboard window include it."""
    computed = (
        GroupStatistics.objects.filter(
            year=imp.year,
            window=dashboard_window((imp.period_end.month - 1) // 3 + 1),
            kind=GroupKind.NATIONAL,
            key="",
        )
        .values_list("computed_at", flat=True)
        .first()
    )
    return computed is not None and computed >= imp.imported_at


@task()
def notify_verdicts(import_ids: list[int], attempt: int = 1) -> str:
    """The verdict changes of each import of one imported batch, once the statistics include
    it; the imports whose statistics are not refreshed yet wait together in one later task."""
    imports = _imported(import_ids)
    if not imports:
        return "gone"
    # One statistics row per year and window: the imports of a batch share a few.
    caught_up = {}
    waiting, moved = [], []
    for imp in imports:
        key = (imp.year, imp.period_end.month, imp.imported_at)
        if key not in caught_up:
            caught_up[key] = statistics_caught_up(imp)
        if caught_up[key]:
            moved += notices.send_verdict_changes(imp)
        else:
            waiting.append(imp.pk)
    if waiting:
        if attempt >= VERDICT_ATTEMPTS:
            return "statistics never caught up"
        later = timezone.now() + timedelta(seconds=VERDICT_WAIT_SECONDS)
        notify_verdicts.using(run_after=later).enqueue(waiting, attempt + 1)
        if len(waiting) == len(imports):
            return "waiting for the statistics"
    return "moved: " + (", ".join(moved) or "nothing")


def enqueue_notifications(imports) -> None:
    """Queue both for one imported batch (inside its transaction), each only with the imports of
    practices where a user opted in at this moment; the task sends to whoever opted in when it
    runs. Most practices ask for nothing, and then a batch queues nothing: no task row, no worker
    claim, no verdict task polling for the statistics. A user who opts in later is compared with
    the verdicts of that moment (``notices.verdicts_opted_in``).

    One task of each per batch, not per import: per import they were two inserts in the
    import's transaction and two tasks the worker claimed, ran and closed — together far more
    than the import itself (cProfile of 300 imports in batches of 100, PostgreSQL, 2026-11-29:
    the three import tasks 19 s of the worker's 113 s, the 1,110 notification tasks most of
    the rest)."""
    practices = {imp.practice_id for imp in imports}
    on_import = notices.practices_opted_in(practices, "on_import")
    on_verdict = notices.practices_opted_in(practices, "on_verdict")
    if ids := [imp.pk for imp in imports if imp.practice_id in on_import]:
        notify_imported.enqueue(ids)
    if ids := [imp.pk for imp in imports if imp.practice_id in on_verdict]:
        # The verdicts first look when the statistics refresh the batch queued can have run
        # (UPLOAD_STATISTICS_DELAY_SECONDS): looking at once always found them not caught up, a
        # task claimed, run and queued again per batch for nothing.
        first_look = timezone.now() + timedelta(seconds=settings.UPLOAD_STATISTICS_DELAY_SECONDS)
        notify_verdicts.using(run_after=first_look).enqueue(ids)
