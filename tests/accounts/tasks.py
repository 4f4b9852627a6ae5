"""Run what the portal queued, as the worker would (in this process, in queue order)."""

from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult


def run_queued_tasks() -> int:
    ran = 0
    for row in DBTaskResult.objects.filter(status=TaskResultStatus.READY).order_by("enqueued_at"):
        row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        row.delete()
        ran += 1
    return ran
