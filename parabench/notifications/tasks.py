"""Notifications are sent by the worker, never inside an import's transaction.

Why the verdict task waits: the statistics of a year are refreshed once per burst of imports
(``uploads.importer.schedule_statistics``), so right after an import its group figures may be
older than the import; a verdict read then would compare with yesterday's group. The task looks
again a little later until the national statistics of the import's window are newer than it.
"""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from parabench.benchmark.kpis import dashboard_window
from parabench.benchmark.models import GroupKind, GroupStatistics
from parabench.notifications import notices
from parabench.uploads.models import Import

VERDICT_WAIT_SECONDS = 30
VERDICT_ATTEMPTS = 40  # 20 minutes: far beyond a refresh's delay and duration


def _imported(import_id: int) -> Import | None:
    return (
        Import.objects.select_related("practice")
        .filter(pk=import_id, status=Import.Status.IMPORTED)
        .first()
    )


@task()
def notify_imported(import_id: int) -> str:
    imp = _imported(import_id)
    if imp is None:
        return "gone"
    return f"sent to {notices.send_imported(imp)}"


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
def notify_verdicts(import_id: int, attempt: int = 1) -> str:
    imp = _imported(import_id)
    if imp is None:
        return "gone"
    if not statistics_caught_up(imp):
        if attempt >= VERDICT_ATTEMPTS:
            return "statistics never caught up"
        later = timezone.now() + timedelta(seconds=VERDICT_WAIT_SECONDS)
        notify_verdicts.using(run_after=later).enqueue(import_id, attempt + 1)
        return "waiting for the statistics"
    moved = notices.send_verdict_changes(imp)
    return "moved: " + (", ".join(moved) or "nothing")


def enqueue_notifications(imports) -> None:
    """Queue each notification (inside the imports' transaction) only for the imports of a
    practice where a user opted in to it at this moment; the task sends to whoever opted in
    when it runs. Most practices ask for nothing, and then an import queues nothing: no task row,
    no worker claim, no verdict task polling for the statistics. A user who opts in later is
    compared with the verdicts of that moment (``notices.verdicts_opted_in``).

    A plain enqueue: an upload is imported once, so there is never a waiting twin to look for
    (``enqueue_once`` would scan every waiting notification per import of a batch)."""
    wanted = notices.practices_opted_in({imp.practice_id for imp in imports})
    for imp in imports:
        if imp.practice_id in wanted["on_import"]:
            notify_imported.enqueue(imp.pk)
        if imp.practice_id in wanted["on_verdict"]:
            notify_verdicts.enqueue(imp.pk)
