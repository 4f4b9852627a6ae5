"""Store the KPI values of one import: called by the import task inside its transaction.

Why KPI values and not the raw aggregates: every figure a dashboard or a recompute needs is a KPI
of one window, and a window's KPIs depend only on that window's aggregates (the export carries
distinct counts per window). Computing them once at import keeps recomputes to pure statistics.
"""

from parabench.benchmark.kpis import pack, window_vector
from parabench.benchmark.models import WindowValues


def store_export(imp, export) -> None:
    """Store (or replace) the per-window KPI values of ``imp`` from its validated ``export``.

    Idempotent: running it again for the same import replaces that import's rows and leaves no
    others. It does not commit and does not touch statistics: the caller's transaction decides,
    and ``recompute.recompute_after_import`` runs after the commit.
    """
    year = export.period.begin.year
    existing = {row.window: row for row in WindowValues.objects.filter(imp=imp)}
    wanted = {window.id: pack(window_vector(window)) for window in export.windows}
    stale = [row.pk for window, row in existing.items() if window not in wanted]
    if stale:
        WindowValues.objects.filter(pk__in=stale).delete()
    new = []
    for window, blob in wanted.items():
        row = existing.get(window)
        if row is None:
            new.append(
                WindowValues(
                    imp=imp, practice_id=imp.practice_id, year=year, window=window, values=blob
                )
            )
        elif bytes(row.values) != blob or row.year != year:
            WindowValues.objects.filter(pk=row.pk).update(values=blob, year=year)
    WindowValues.objects.bulk_create(new)
