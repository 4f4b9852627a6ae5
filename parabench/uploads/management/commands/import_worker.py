"""``manage.py import_worker``: django-tasks-db's ``db_worker``, after a sweep for lost work.

A worker that was killed left its imports unfinished with no task waiting, and its statistics
refresh RUNNING for ever; an uploader that was killed (or lost power) between writing a body and
committing its row left a body without a row, or half a body in a ``.part`` file. Sweeping at
every start means a restarted worker picks all of that up again (``requeue_stale_imports``,
``intake.sweep_orphan_bodies``, whatever the other apps connect to
``parabench.tasks.worker_starting``, and from then on every few minutes the ``sweep_uploads``
task). The worker id carries host and process id (``parabench.tasks.worker_id``), so a sweep can
tell a dead worker's task from a busy one. All ``db_worker`` options apply.

The worker's commits may be forgotten by a crash of the database or the machine, which then
simply looks like a killed worker — the import is "received" or "importing" again and the sweeper
queues it once more, because the upload row and its body were made durable by the uploader before
it answered 202. Every import is still one transaction, so nothing is ever half there. Hence on
PostgreSQL ``synchronous_commit = off`` and on SQLite ``synchronous = NORMAL`` for this process
only (the uploader's intake commits stay FULL); it saves a flush per commit (about a third of an
import's time on PostgreSQL).

Without ``--queue-name`` it runs every queue, statistics included, so the embedded default needs one
worker; the production topology runs import workers on ``--queue-name default`` and a statistics
worker of its own (``import_worker --queue-name statistics``, docs/deployment.md).

A locked SQLite database (another process held the write lock longer than the busy timeout, e.g.
on a loaded machine) is waited out and the worker carries on; it never ends the worker.

``--nice N`` lowers the worker's CPU priority by N before it starts (``os.nice``; threads it
starts later inherit it), and its autogroup's too when it leads its own session
(``lower_priority``). The production topology runs its statistics worker at ``--nice 10``:
a national refresh is a background aggregate that may lag a few seconds, while an upload waiting
for the CPU is a practice waiting for its answer (docs/deployment.md, "What breaks first").

``--verbosity 0`` leaves out the routine lines only (a task started, a task succeeded: one line
each per notification, statistics refresh or sweep) and still prints every failed task with its
traceback, and the worker's warnings. ``db_worker``'s own 0 silences everything, failures too.
``make run`` starts the worker so (``parabench/embedded.py``); the default, 1, logs every state.
"""

import logging
import os
import time
from pathlib import Path

from django.db import OperationalError, close_old_connections
from django.db.backends.signals import connection_created
from django_tasks_db.management.commands.db_worker import TASKS_LOGGER
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand
from django_tasks_db.management.commands.db_worker import logger as db_worker_logger

from parabench.tasks import worker_id, worker_starting
from parabench.uploads.importer import requeue_stale_imports
from parabench.uploads.intake import sweep_orphan_bodies
from parabench.uploads.tasks import ensure_sweep_schedule

logger = logging.getLogger(__name__)
MAX_LOCKED_WAIT_SECONDS = 30
# The scheduler's group of this process's session (proc(5), "/proc/pid/autogroup").
AUTOGROUP = Path("/proc/self/autogroup")


def _relaxed_commits(sender, connection, **kwargs):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET synchronous_commit TO off")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous=NORMAL")


def lower_priority(by: int) -> None:
    """``os.nice(by)``, and the same nice for this process's autogroup when it leads one.

    Why: with the kernel's autogroup (``/proc/sys/kernel/sched_autogroup_enabled``, on by default
    in most distributions) the scheduler shares the CPU between sessions first and by nice only
    inside each. The topology's supervisor starts every process in a session of its own, so the
    statistics worker's nice 10 lowered it against nothing: at nice 19 it used as much CPU during
    the topology's load as at nice 10 (6.75 s against 6.4 s), about 0.2 of the 2 cores while its
    national refresh ran, and the uploaders' share fell from 0.86 to 0.74 cores meanwhile
    (bench_topology with a 5-second CPU timeline of every role, 30 November 2026). Only
    a session leader sets its autogroup's nice: in a shell's session that would lower the shell
    and everything else started from it.
    """
    os.nice(by)
    if os.getsid(0) != os.getpid():
        return
    try:
        AUTOGROUP.write_text(f"{os.nice(0)}\n")
    except OSError:  # no autogroup in this kernel: nice alone orders the processes
        return


def is_locked(exc: OperationalError) -> bool:
    return "locked" in str(exc).lower()


class Command(DBWorkerCommand):
    help = "Achtergrondwerker voor imports: eerst verloren werk oppakken, dan werken."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*")
        parser.add_argument(
            "--nice",
            type=int,
            default=0,
            help="lower this worker's CPU priority by N (os.nice), e.g. 10 for the statistics",
        )

    def configure_logging(self, verbosity: int) -> None:
        super().configure_logging(verbosity)
        if verbosity == 0:  # failures and warnings only, never silent about a failed task
            logging.getLogger(TASKS_LOGGER).setLevel(logging.WARNING)
            db_worker_logger.setLevel(logging.WARNING)

    def handle(self, *args, **options):
        if options["nice"]:
            lower_priority(options["nice"])
        connection_created.connect(_relaxed_commits, dispatch_uid="import_worker_relaxed")
        from django.db import connection

        connection.close()  # the next query opens a connection with the setting
        options["worker_id"] = worker_id(options["worker_id"])
        wait = 1.0
        while True:
            try:
                self.sweep(options["queue_name"].split(","))
                return super().handle(*args, **options)
            except OperationalError as exc:
                if not is_locked(exc):
                    raise
                self.stderr.write(f"Database bezet ({exc}); over {wait:.0f} s opnieuw.")
                close_old_connections()
                time.sleep(wait)
                wait = min(wait * 2, MAX_LOCKED_WAIT_SECONDS)

    def sweep(self, queues=("*",)) -> None:
        report = sweep_orphan_bodies()
        if report.accepted or report.set_aside:
            self.stdout.write(
                f"{len(report.accepted)} upload(s) zonder rij alsnog ontvangen, "
                f"{len(report.set_aside)} apart gezet."
            )
        requeued = requeue_stale_imports()
        if requeued:
            self.stdout.write(f"{len(requeued)} import(s) opnieuw in de wachtrij.")
        ensure_sweep_schedule()  # and again every few minutes, for bodies too young just now
        worker_starting.send(sender=self.__class__, queues=list(queues))
