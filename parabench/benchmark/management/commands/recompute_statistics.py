"""Recompute every comparison group's published statistics."""

import time

from django.core.management.base import BaseCommand

from parabench.benchmark.recompute import recompute_all


class Command(BaseCommand):
    help = (
        "Herbereken alle groepsstatistieken en percentielposities (bijvoorbeeld na het "
        "verplaatsen van een praktijk naar een ander netwerk of na het wijzigen van "
        "MIN_GROUP_SIZE)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, action="append", dest="years", help="alleen dit jaar (herhaalbaar)"
        )

    def handle(self, *args, years=None, **options):
        started = time.perf_counter()
        report = recompute_all(years)
        self.stdout.write(
            f"{len(report['years'])} jaar, {report['groups']} groepsstatistieken in "
            f"{time.perf_counter() - started:.1f} s."
        )
