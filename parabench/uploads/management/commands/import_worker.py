"""``manage.py import_worker``: django-tasks-db's ``db_worker``, after a sweep for lost imports.

A worker that was killed left its imports unfinished with no task waiting; sweeping at every start
means a restarted worker picks them up again. All ``db_worker`` options apply.

On PostgreSQL the worker's commits are asynchronous (``synchronous_commit = off``): a database
crash may forget the last moments of work, which then simply looks like a killed worker — the
import is "received" or "importing" again and the sweeper queues it once more, because the upload
row and its body were made durable by the uploader before it answered 202. Every import is still
one transaction, so nothing is ever half there. It saves a WAL flush per commit (about a third of
an import's time).
"""

from django.db.backends.signals import connection_created
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from parabench.uploads.importer import requeue_stale_imports


def _asynchronous_commits(sender, connection, **kwargs):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")


class Command(DBWorkerCommand):
    help = "Achtergrondwerker voor imports: eerst verloren imports opnieuw inplannen, dan werken."

    def handle(self, *args, **options):
        connection_created.connect(_asynchronous_commits, dispatch_uid="import_worker_async")
        from django.db import connection

        connection.close()  # the next query opens a connection with the setting
        requeued = requeue_stale_imports()
        if requeued:
            self.stdout.write(f"{len(requeued)} import(s) opnieuw in de wachtrij.")
        return super().handle(*args, **options)
