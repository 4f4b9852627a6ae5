from django.core.management.base import BaseCommand

from parabench.uploads.importer import requeue_stale_imports


class Command(BaseCommand):
    help = "Zet onafgemaakte imports zonder wachtende taak opnieuw in de wachtrij."

    def handle(self, *args, **options):
        requeued = requeue_stale_imports()
        self.stdout.write(f"{len(requeued)} import(s) opnieuw in de wachtrij.")
