from django.core.management.base import BaseCommand

from parabench.uploads.importer import requeue_stale_imports
from parabench.uploads.intake import sweep_orphan_bodies


class Command(BaseCommand):
    help = (
        "Ruim op na een crash: uploads zonder rij alsnog ontvangen, halve bestanden weg, "
        "onafgemaakte imports zonder wachtende taak opnieuw in de wachtrij."
    )

    def handle(self, *args, **options):
        report = sweep_orphan_bodies()
        self.stdout.write(
            f"{report.part_files_removed} onaf bestand(en) verwijderd, "
            f"{len(report.accepted)} upload(s) zonder rij alsnog ontvangen, "
            f"{len(report.set_aside)} apart gezet."
        )
        for path, reason in report.set_aside:
            self.stdout.write(f"  apart gezet: {path} ({reason})")
        requeued = requeue_stale_imports()
        self.stdout.write(f"{len(requeued)} import(s) opnieuw in de wachtrij.")
