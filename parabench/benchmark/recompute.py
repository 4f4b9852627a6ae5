"""Recompute and store group statistics and percentile positions.

Two entry points: ``recompute_after_import`` (incremental: only the importing practice's groups,
for its year and the next one, whose growth figures depend on it) and ``recompute_all`` (every
year and group; ``manage.py recompute_statistics``). Both run the same per-year function, so
"incremental equals full" holds by construction for the groups touched, and is tested.

Per year and window the values of the counted rows become one (practices × KPIs) matrix; each
group is a set of row indexes into it, sorted once and described in one vectorised pass
(``stats.py``); rows are written in bulk (``bulk.py``: COPY on PostgreSQL) after deleting the old
ones of exactly the same groups.

Growth figures compare a row with the practice's counted row of the same window a year earlier.
They are stored with the row, and refreshed for the importing practice only (its year and the
next), so an incremental recompute reads one year; the full recompute computes them all again
from the previous year in memory and writes back whatever differs.
"""

from collections import defaultdict

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from parabench.benchmark import groups as grouping
from parabench.benchmark.bulk import bulk_insert
from parabench.benchmark.catalogue import COLUMN_INDEX, GROWTH_KPIS, POSITION_COLUMNS
from parabench.benchmark.kpis import (
    WINDOWS,
    YTD_WINDOWS,
    growth_matrix,
    pack,
    unpack,
    unpack_many,
    with_growth,
)
from parabench.benchmark.models import GroupPositions, GroupStatistics, WindowValues
from parabench.benchmark.stats import describe_sorted, positions
from parabench.uploads.models import Import

_POSITION_COLUMNS = np.array([COLUMN_INDEX[c] for c in POSITION_COLUMNS], dtype=np.intp)
_LOCK_BASE = 0x5042_0000  # "PB": advisory lock ids of the benchmark, one per year
_GROWTH_WIDTH = len(GROWTH_KPIS)


def recompute_after_import(imp: Import) -> None:
    """After ``imp`` was committed as imported: refresh what it changes, nothing else.

    Marks the counted rows of its practice and year, refreshes that practice's growth figures,
    then recomputes the practice's groups (national, its region, its network or "without
    network") for that year, and for the next year when the practice sent it (its growth
    figures compare with this year).
    """
    practice = imp.practice
    only = set(grouping.membership(practice).groups())
    has_next = WindowValues.objects.filter(practice_id=practice.pk, year=imp.year + 1).exists()
    years = [imp.year, imp.year + 1] if has_next else [imp.year]
    with transaction.atomic():
        for year in years:
            _lock(year)
        mark_counted(imp.year, practice_id=practice.pk)
        for year in years:
            refresh_growth(year, practice_id=practice.pk)
        for year in years:
            recompute_year(year, only=only)


def recompute_all(years=None) -> dict:
    """Full recompute: counted rows, growth, statistics and positions of every group.

    ``years``: only these years (their growth against the year before is refreshed too).
    Returns a small report (years, group statistics and position rows written).
    """
    full = years is None
    if full:
        years = sorted(set(WindowValues.objects.values_list("year", flat=True).distinct()))
    report = {"years": [], "groups": 0, "positions": 0}
    members = grouping.memberships()
    previous = None  # counted vectors of the year before, by window and practice
    for year in sorted(years):
        with transaction.atomic():
            _lock(year)
            mark_counted(year)
            if previous is None or previous[0] != year - 1:
                previous = (year - 1, _counted_vectors(year - 1))
            written = recompute_year(year, members=members, growth_from=previous[1])
            previous = (year, written.pop("counted"))
        report["years"].append(year)
        report["groups"] += written["groups"]
        report["positions"] += written["positions"]
    if full:
        # Statistics of years that no longer have any data go too.
        GroupStatistics.objects.exclude(year__in=list(years)).delete()
        GroupPositions.objects.exclude(year__in=list(years)).delete()
    return report


def _lock(year: int) -> None:
    """Serialise recomputes of one year, so a slower one never overwrites a newer result.

    SQLite needs nothing: its write transactions (IMMEDIATE) already exclude each other.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_BASE + year])


def mark_counted(year: int, practice_id: int | None = None) -> None:
    """Flag, per practice and window, the newest imported export covering it as the counted one.

    Newest = the import marked current for that practice and year when it covers the window,
    else the latest upload that does. Imports not (or no longer) imported never count.
    """
    rows = WindowValues.objects.filter(year=year)
    if practice_id is not None:
        rows = rows.filter(practice_id=practice_id)
    # Ordered from least to most preferred: the last row seen per (practice, window) wins.
    ordered = rows.order_by("imp__is_current", "imp__uploaded_at", "imp_id", "pk").values_list(
        "pk", "practice_id", "window", "counted", "imp__status"
    )
    chosen: dict[tuple[int, str], int] = {}
    flags: dict[int, bool] = {}
    for pk, practice, window, counted, status in ordered.iterator(chunk_size=10000):
        flags[pk] = counted
        if status == Import.Status.IMPORTED:
            chosen[(practice, window)] = pk
    winners = set(chosen.values())
    on = [pk for pk, counted in flags.items() if pk in winners and not counted]
    off = [pk for pk, counted in flags.items() if pk not in winners and counted]
    for batch in _batches(on):
        WindowValues.objects.filter(pk__in=batch).update(counted=True)
    for batch in _batches(off):
        WindowValues.objects.filter(pk__in=batch).update(counted=False)


def _batches(items, size=5000):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _counted_vectors(year: int, practice_id: int | None = None) -> dict[str, dict[int, object]]:
    """Counted stored vectors of one year: window → practice → vector."""
    if practice_id is None:
        found = defaultdict(dict)
        for window, (_, practices, counted, stored, _) in _load(year).items():
            for i in np.flatnonzero(counted):
                found[window][int(practices[i])] = stored[i]
        return found
    rows = WindowValues.objects.filter(year=year, counted=True)
    if practice_id is not None:
        rows = rows.filter(practice_id=practice_id)
    found: dict[str, dict[int, object]] = defaultdict(dict)
    for practice, window, blob in rows.values_list("practice_id", "window", "values"):
        found[window][practice] = unpack(blob)
    return found


def refresh_growth(year: int, practice_id: int) -> None:
    """Recompute the stored growth figures of one practice's rows of ``year``."""
    before = _counted_vectors(year - 1, practice_id)
    for pk, window, blob, stored in WindowValues.objects.filter(
        year=year, practice_id=practice_id
    ).values_list("pk", "window", "values", "growth"):
        previous = before.get(window, {}).get(practice_id)
        blob = pack(growth_matrix(unpack(blob), previous)[0])
        if stored is None or bytes(stored) != blob:
            WindowValues.objects.filter(pk=pk).update(growth=blob)


def _load(year: int):
    """Every row of ``year``, grouped by window: (ids, practice ids, counted, stored, growth).

    Plain SQL rather than the ORM: at national scale this reads ~70,000 vectors, and the ORM's
    per-value converters cost more than the reading.
    """
    q = connection.ops.quote_name
    table = q(WindowValues._meta.db_table)
    names = ("id", "practice_id", "window", "counted", "values", "growth")
    columns = ", ".join(q(c) for c in names)
    # Names come from the model's metadata; the year is a parameter.
    sql = f"SELECT {columns} FROM {table} WHERE {q('year')} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [year])
        fetched = cursor.fetchall()
    if not fetched:
        return {}
    ids, practices, windows, counted, blobs, growths = zip(*fetched, strict=True)
    ids = np.array(ids, dtype=np.int64)
    practices = np.array(practices, dtype=np.int64)
    counted = np.array(counted, dtype=bool)
    windows = np.array(windows)
    loaded = {}
    for window in np.unique(windows):
        rows = np.flatnonzero(windows == window)
        loaded[str(window)] = (
            ids[rows],
            practices[rows],
            counted[rows],
            unpack_many([blobs[i] for i in rows]),
            unpack_many([growths[i] for i in rows], _GROWTH_WIDTH),
        )
    return loaded


def _store_growth(ids, old, new) -> None:
    """Write back growth figures that differ from the stored ones (normally none)."""
    changed = ~((old == new) | (np.isnan(old) & np.isnan(new))).all(axis=1)
    if not changed.any():
        return
    table = connection.ops.quote_name(WindowValues._meta.db_table)
    q = connection.ops.quote_name
    sql = f"UPDATE {table} SET {q('growth')} = %s WHERE {q('id')} = %s"  # noqa: S608
    rows = [(pack(new[i]), int(ids[i])) for i in np.flatnonzero(changed)]
    with connection.cursor() as cursor:
        for batch in _batches(rows):
            cursor.executemany(sql, batch)


def recompute_year(year: int, only=None, members=None, growth_from=None) -> dict:
    """Statistics and positions of one year, for every group or only the groups in ``only``.

    ``growth_from`` (window → practice → last year's counted vector) recomputes and stores the
    growth figures of every row first; without it the stored ones are used.
    """
    k = settings.MIN_GROUP_SIZE
    now = timezone.now()
    loaded = _load(year)
    if members is None:
        practices = {int(p) for parts in loaded.values() for p in parts[1]}
        members = grouping.memberships(practices)
    stat_rows, position_rows = [], []
    counted_vectors = defaultdict(dict)
    for window in WINDOWS:
        if window not in loaded:
            continue
        ids, practices, counted, stored, growth = loaded[window]
        if growth_from is not None:
            before = growth_from.get(window, {})
            empty = np.full(stored.shape[1], np.nan)
            previous = np.array([before.get(int(p), empty) for p in practices]).reshape(
                stored.shape
            )
            fresh = growth_matrix(stored, previous)
            _store_growth(ids, growth, fresh)
            growth = fresh
        for i in np.flatnonzero(counted):
            counted_vectors[window][int(practices[i])] = stored[i]
        known = np.array([int(p) in members for p in practices], dtype=bool)
        values = with_growth(stored, growth)
        stat_rows += _window_statistics(
            year,
            window,
            ids,
            practices,
            counted & known,
            ~counted & known,
            values,
            members,
            only,
            k,
            now,
            position_rows,
        )
    _replace(year, only, stat_rows, position_rows)
    return {"groups": len(stat_rows), "positions": len(position_rows), "counted": counted_vectors}


def _window_statistics(
    year, window, ids, practices, counted, others, values, members, only, k, now, position_rows
):
    member_rows = np.flatnonzero(counted)
    other_rows = np.flatnonzero(others)
    split = grouping.split([members[int(practices[i])] for i in member_rows], only)
    out = []
    for group, indexes in split.items():
        n = len(indexes)
        if n < k:
            out.append(_stat_row(year, window, group, n, None, now))
            continue
        rows = member_rows[indexes]
        ordered = np.sort(values[rows], axis=0)
        described = describe_sorted(ordered)
        counts = described[0].copy()
        described[:, counts < k] = np.nan
        out.append(_stat_row(year, window, group, n, described, now))
        if window not in YTD_WINDOWS:
            continue
        # Percentile positions of the members, and of older imports of the same practices.
        extra = [i for i in other_rows if group in members[int(practices[i])].groups()]
        placed = np.concatenate([rows, np.array(extra, dtype=np.intp)])
        shares = positions(
            ordered[:, _POSITION_COLUMNS],
            counts[_POSITION_COLUMNS],
            values[placed][:, _POSITION_COLUMNS],
        )
        shares[:, np.isnan(described[0, _POSITION_COLUMNS])] = np.nan  # too few values
        order = np.argsort(ids[placed])
        position_rows.append(
            (
                year,
                window,
                group.kind,
                group.key,
                ids[placed][order].astype("<i8").tobytes(),
                shares[order].astype("<f4").tobytes(),
            )
        )
    return out


def _stat_row(year, window, group, n, described, now):
    blob = None if described is None else np.asarray(described, dtype="<f8").tobytes()
    return (year, window, group.kind, group.key, n, blob, now)


def _replace(year, only, stat_rows, position_rows) -> None:
    """Delete the old rows of exactly these groups and write the new ones in bulk."""
    stats = GroupStatistics.objects.filter(year=year)
    old_positions = GroupPositions.objects.filter(year=year)
    if only is not None:
        stats = stats.filter(_group_filter(only))
        old_positions = old_positions.filter(_group_filter(only))
    old_positions._raw_delete(old_positions.db)
    stats._raw_delete(stats.db)
    bulk_insert(
        GroupStatistics,
        ("year", "window", "kind", "key", "n", "stats", "computed_at"),
        stat_rows,
    )
    bulk_insert(GroupPositions, ("year", "window", "kind", "key", "rows", "shares"), position_rows)


def _group_filter(only):
    condition = Q()
    for group in only:
        condition |= Q(kind=group.kind, key=group.key)
    return condition
