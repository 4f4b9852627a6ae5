"""Background recompute when a practice changes groups (another network or province).

Why a task: a full recompute of the affected years takes seconds to a minute at national scale,
too long for the operator's save in the back office; the statistics worker (its own queue,
docs/deployment.md) runs it.
"""

from django.conf import settings
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from parabench.benchmark.recompute import recompute_all


@task(queue_name=settings.STATISTICS_QUEUE)
def recompute_years(years: list[int]) -> str:
    """Recompute every group of ``years``: the practice leaves its old groups, joins the new."""
    report = recompute_all(years=sorted(set(years)))
    return f"recomputed {report['years']}"


def enqueue_recompute(years: list[int]) -> None:
    """Queue a recompute of ``years`` unless the same one is already waiting.

    Moving a whole network is one save per practice; they share one waiting recompute.
    """
    waiting = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY,
        task_path=recompute_years.module_path,
        args_kwargs__args__0=list(years),
    ).exists()
    if not waiting:
        recompute_years.enqueue(list(years))
