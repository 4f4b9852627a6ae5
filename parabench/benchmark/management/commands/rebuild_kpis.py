"""Compute every import's KPI rows again from the stored exports, then recompute everything."""

import time

from django.core.management.base import BaseCommand

from parabench.benchmark.ingest import rebuild_all


class Command(BaseCommand):
    help = (
        "Bereken de KPI-waarden van elke ingelezen export opnieuw uit het opgeslagen bestand "
        "(bijvoorbeeld na het toevoegen van een KPI) en herbereken daarna alle statistieken."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        report = rebuild_all(say=lambda line: self.stderr.write(line))
        self.stdout.write(
            f"{report['rebuilt']} imports opnieuw berekend, {len(report['problems'])} niet "
            f"leesbaar; {len(report['recompute']['years'])} jaar herberekend in "
            f"{time.perf_counter() - started:.1f} s."
        )
