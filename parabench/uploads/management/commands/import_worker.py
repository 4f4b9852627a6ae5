"""``manage.py import_worker``: django-tasks-db's ``db_worker``, after a sweep for lost imports.

A worker that was killed left its imports unfinished with no task waiting; sweeping at every start
means a restarted worker picks them up again. All ``db_worker`` options apply.
"""

from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from parabench.uploads.importer import requeue_stale_imports


class Command(DBWorkerCommand):
    help = "Achtergrondwerker voor imports: eerst verloren imports opnieuw inplannen, dan werken."

    def handle(self, *args, **options):
        requeued = requeue_stale_imports()
        if requeued:
            self.stdout.write(f"{len(requeued)} import(s) opnieuw in de wachtrij.")
        return super().handle(*args, **options)
