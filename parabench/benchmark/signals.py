"""Keep the benchmark in step with what happens elsewhere.

- Imports: the uploads app shows each export's JSON document as soon as it is read
  (``uploads.signals.export_read``): its KPI rows are worked out then; it announces the batch
  (``exports_imported``) inside its transaction: those rows are stored with it and one
  statistics refresh per year is queued (``tasks.py``).
- A practice changes groups: membership is read at computation time, so when an operator moves a
  practice to another network or province, or the practice declares another profile (a peer
  group by kind), the years that practice has figures in are recomputed in the background after
  the change is committed. ``manage.py
  recompute_statistics`` does the same by hand.
- A worker starts: statistics tasks a dead worker left RUNNING are queued again; a worker that
  runs the statistics queue computes the quantile weights of the stored group sizes
  (``recompute.warm_weights``) and reads the latest year's case-mix cells
  (``recompute.warm_cells``) before its first refresh; one that leaves the imports to other
  workers lets its refreshes wait for them (``tasks.wait_for_imports``).
- A worker finished a statistics task: it gives the memory the task freed back to the system.
"""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django_tasks.signals import task_finished

from parabench.benchmark.ingest import export_rows, store_rows
from parabench.benchmark.models import WindowValues
from parabench.benchmark.recompute import warm_cells, warm_weights
from parabench.benchmark.tasks import (
    STATISTICS_TASKS,
    enqueue_recompute,
    requeue_stale_refreshes,
    schedule_statistics,
    worker_started,
)
from parabench.practices.models import Practice
from parabench.tasks import return_freed_memory, worker_starting
from parabench.uploads.signals import export_read, exports_imported


@receiver(export_read, dispatch_uid="benchmark_export_rows")
def rows_of_read_export(sender, imp, document, **kwargs):
    return export_rows(document)


@receiver(exports_imported, dispatch_uid="benchmark_store_exports")
def store_imported_exports(sender, batch, **kwargs) -> None:
    store_rows([(imp, read[rows_of_read_export]) for imp, read in batch])
    for year in sorted({imp.year for imp, _ in batch}):
        schedule_statistics(year)


@receiver(worker_starting, dispatch_uid="benchmark_requeue_stale_refreshes")
def requeue_refreshes_of_dead_workers(sender, **kwargs) -> None:
    requeue_stale_refreshes()


@receiver(worker_starting, dispatch_uid="benchmark_warm_statistics_weights")
def warm_statistics_weights(sender, queues=("*",), **kwargs) -> None:
    """A worker that runs the statistics queue computes its quantile weights and reads the
    latest year's case-mix cells before its first refresh, not in it (``recompute.warm_weights``:
    about 1 s at national scale; ``recompute.warm_cells``, PostgreSQL)."""
    if "*" in queues or settings.STATISTICS_QUEUE in queues:
        warm_weights()
        warm_cells()


@receiver(worker_starting, dispatch_uid="benchmark_worker_queues")
def remember_worker_queues(sender, queues=("*",), **kwargs) -> None:
    worker_started(queues)


@receiver(pre_save, sender=Practice, dispatch_uid="benchmark_membership_before")
def remember_membership(sender, instance: Practice, **kwargs) -> None:
    if instance.pk is None:
        instance._benchmark_membership = None
        return
    instance._benchmark_membership = (
        Practice.objects.filter(pk=instance.pk)
        .values_list("province", "network_id", "profile")
        .first()
    )


@receiver(post_save, sender=Practice, dispatch_uid="benchmark_membership_after")
def recompute_on_membership_change(sender, instance: Practice, created: bool, **kwargs) -> None:
    before = getattr(instance, "_benchmark_membership", None)
    if (
        created
        or before is None
        or before == (instance.province, instance.network_id, instance.profile)
    ):
        return
    years = sorted(
        set(WindowValues.objects.filter(practice_id=instance.pk).values_list("year", flat=True))
    )
    if not years:
        return
    transaction.on_commit(lambda: enqueue_recompute(years))


STATISTICS_TASK_PATHS = frozenset(task.module_path for task in STATISTICS_TASKS)


@receiver(task_finished, dispatch_uid="benchmark_return_freed_memory")
def return_memory_after_statistics(sender, task_result, **kwargs) -> None:
    """The worker waits for its next task at its own size (issue 18: ≤ 300 MB after a national
    refresh). Done by the worker, not in the task's body: a full collection costs a few
    milliseconds in a worker but 0.1 s in a process with a large heap calling the task directly
    (a test, a shell) — 7 of the 19 s of the incremental-refresh property test."""
    if task_result.task.module_path in STATISTICS_TASK_PATHS:
        return_freed_memory()
