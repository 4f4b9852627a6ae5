"""Store the KPI values of imports: called by the import task inside its transaction.

Why KPI values and not the raw aggregates: every figure a dashboard or a recompute needs is a KPI
of one window, and a window's KPIs depend only on that window's aggregates (the export carries
distinct counts per window). Computing them once at import keeps recomputes to pure statistics.

Why many at once: the import worker imports a batch of uploads per transaction, and one query and
one bulk write for the whole batch cost less than the rows' own computation; per export they were
the larger part of an import (``docs/benchmarks-import.md``).
"""

from collections import defaultdict

from parabench.benchmark.bulk import bulk_insert
from parabench.benchmark.kpis import pack, window_vector
from parabench.benchmark.models import WindowValues


def store_export(imp, export) -> None:
    """``store_exports`` of one import."""
    store_exports([(imp, export)])


def store_exports(batch) -> None:
    """Store (or replace) the per-window KPI values of every ``(imp, export)`` of ``batch``.

    Idempotent: running it again for the same imports replaces their rows and leaves no others.
    It does not commit and does not touch statistics: the caller's transaction decides, and the
    statistics refresh runs after the commit. New and replaced rows have no growth figures
    (NULL) until a recompute handled them: that is how the refresh finds them.
    """
    existing = defaultdict(dict)
    rows = WindowValues.objects.filter(imp__in=[imp.pk for imp, _ in batch])
    for row in rows.only("pk", "imp_id", "window", "values", "year"):
        existing[row.imp_id][row.window] = row
    new, stale = [], []
    for imp, export in batch:
        year = export.period.begin.year
        wanted = {window.id: pack(window_vector(window)) for window in export.windows}
        stored = existing.get(imp.pk, {})
        stale += [row.pk for window, row in stored.items() if window not in wanted]
        for window, blob in wanted.items():
            row = stored.get(window)
            if row is None:
                new.append((imp.pk, imp.practice_id, year, window, blob, False))
            elif bytes(row.values) != blob or row.year != year:
                WindowValues.objects.filter(pk=row.pk).update(values=blob, year=year, growth=None)
    if stale:
        WindowValues.objects.filter(pk__in=stale).delete()
    bulk_insert(WindowValues, ("imp_id", "practice_id", "year", "window", "values", "counted"), new)
