"""The periodic clean-up after crashes of the uploader, run by the worker.

``intake.sweep_orphan_bodies`` only touches files older than ten minutes (a younger one may belong
to a request in progress), so the sweep at worker start does not see a body whose commit was lost
just before a power cut. This task therefore runs again every ``SWEEP_INTERVAL`` and books its own
next run, the way the CRL task does; the worker books the first one at every start.
"""

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task

from parabench.tasks import enqueue_once
from parabench.uploads.intake import sweep_orphan_bodies

logger = logging.getLogger(__name__)
SWEEP_INTERVAL = dt.timedelta(minutes=11)  # just over the ten minutes a body must be old


def ensure_sweep_schedule() -> bool:
    """Book the next sweep unless one is already waiting; True when it booked one."""
    return enqueue_once(sweep_uploads.using(run_after=timezone.now() + SWEEP_INTERVAL))


@task()
def sweep_uploads() -> str:
    report = sweep_orphan_bodies()
    ensure_sweep_schedule()
    return (
        f"{report.part_files_removed} part files removed, {len(report.accepted)} accepted, "
        f"{len(report.set_aside)} set aside"
    )
