"""Recompute and store group statistics and percentile positions.

Two entry points: ``recompute_after_import`` (incremental: only the importing practice's groups,
for its year and the next one, whose growth figures depend on it) and ``recompute_all`` (every
year and group; ``manage.py recompute_statistics``). Both run the same per-year function, so
"incremental equals full" holds by construction for the groups touched, and is tested.

Per year and window the values of the counted rows become one (practices × KPIs) matrix; each
group is a set of row indexes into it, described in one vectorised pass (``stats.py``); rows are
written in bulk (COPY on PostgreSQL) after deleting the old ones of exactly the same groups.
"""

from collections import defaultdict
from datetime import datetime

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from parabench.benchmark import groups as grouping
from parabench.benchmark.catalogue import COLUMN_INDEX, POSITION_COLUMNS, STORED_COLUMNS
from parabench.benchmark.kpis import WINDOWS, YTD_WINDOWS, full_matrix, unpack
from parabench.benchmark.models import GroupStatistics, Position, WindowValues
from parabench.benchmark.stats import describe_columns, positions, sorted_columns
from parabench.uploads.models import Import

_POSITION_COLUMNS = np.array([COLUMN_INDEX[c] for c in POSITION_COLUMNS], dtype=np.intp)
_LOCK_BASE = 0x5042_0000  # "PB": advisory lock ids of the benchmark, one per year


def recompute_after_import(imp: Import) -> None:
    """After ``imp`` was committed as imported: refresh what it changes, nothing else.

    Marks the counted rows of its practice and year, then recomputes the practice's groups
    (national, its region, its network or "without network") for that year, and for the next
    year when the practice sent it (its growth figures compare with this year).
    """
    practice = imp.practice
    member = grouping.membership(practice)
    only = set(member.groups())
    with transaction.atomic():
        _lock(imp.year)
        mark_counted(imp.year, practice_id=practice.pk)
        recompute_year(imp.year, only=only)
        if WindowValues.objects.filter(practice_id=practice.pk, year=imp.year + 1).exists():
            recompute_year(imp.year + 1, only=only)


def recompute_all(years=None) -> dict:
    """Full recompute: counted rows, statistics and positions of every group (or of ``years``).

    Returns a small report (years, groups, positions written).
    """
    full = years is None
    if full:
        years = sorted(set(WindowValues.objects.values_list("year", flat=True).distinct()))
    report = {"years": [], "groups": 0, "positions": 0}
    members = grouping.memberships()
    for year in years:
        with transaction.atomic():
            _lock(year)
            mark_counted(year)
            written = recompute_year(year, members=members)
        report["years"].append(year)
        report["groups"] += written["groups"]
        report["positions"] += written["positions"]
        if full:
            # Statistics of years that no longer have any data go too.
            GroupStatistics.objects.exclude(year__in=list(years)).delete()
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
    best: dict[tuple[int, str], tuple] = {}
    flags: dict[int, bool] = {}
    for pk, practice, window, counted, status, current, uploaded, imp_id in rows.values_list(
        "pk",
        "practice_id",
        "window",
        "counted",
        "imp__status",
        "imp__is_current",
        "imp__uploaded_at",
        "imp_id",
    ):
        flags[pk] = counted
        if status != Import.Status.IMPORTED:
            continue
        rank = (current, uploaded, imp_id, pk)
        key = (practice, window)
        if key not in best or rank > best[key]:
            best[key] = rank
    chosen = {rank[3] for rank in best.values()}
    on = [pk for pk, counted in flags.items() if pk in chosen and not counted]
    off = [pk for pk, counted in flags.items() if pk not in chosen and counted]
    for batch in _batches(on):
        WindowValues.objects.filter(pk__in=batch).update(counted=True)
    for batch in _batches(off):
        WindowValues.objects.filter(pk__in=batch).update(counted=False)


def _batches(items, size=5000):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _load(year: int):
    """Counted rows of ``year - 1`` and every row of ``year``, unpacked, grouped by window."""
    width = len(STORED_COLUMNS)
    current = defaultdict(list)  # window → [(row id, practice id, counted, vector)]
    previous = defaultdict(dict)  # window → {practice id: vector}
    query = WindowValues.objects.filter(year=year) | WindowValues.objects.filter(
        year=year - 1, counted=True
    )
    for pk, practice, row_year, window, counted, blob in query.values_list(
        "pk", "practice_id", "year", "window", "counted", "values"
    ).iterator(chunk_size=5000):
        vector = unpack(blob, width)
        if row_year == year:
            current[window].append((pk, practice, counted, vector))
        else:
            previous[window][practice] = vector
    return current, previous


def recompute_year(year: int, only=None, members=None) -> dict:
    """Statistics and positions of one year, for every group or only the groups in ``only``."""
    k = settings.MIN_GROUP_SIZE
    now = timezone.now()
    current, previous = _load(year)
    if members is None:
        members = grouping.memberships({row[1] for rows in current.values() for row in rows})
    stat_rows, position_rows = [], []
    for window in WINDOWS:
        rows = current.get(window, [])
        stat_rows += _window_statistics(
            year, window, rows, previous[window], members, only, k, now, position_rows
        )
    _replace(year, only, stat_rows, position_rows)
    return {"groups": len(stat_rows), "positions": len(position_rows)}


def _window_statistics(year, window, rows, previous, members, only, k, now, position_rows):
    counted = [row for row in rows if row[2] and row[1] in members]
    others = [row for row in rows if not row[2] and row[1] in members]
    width = len(STORED_COLUMNS)
    empty = np.full(width, np.nan)
    stored = np.array([row[3] for row in counted]).reshape(len(counted), width)
    before = np.array([previous.get(row[1], empty) for row in counted]).reshape(len(counted), width)
    values = full_matrix(stored, before)
    split = grouping.split([members[row[1]] for row in counted])
    out = []
    for group, indexes in split.items():
        if only is not None and group not in only:
            continue
        n = len(indexes)
        if n < k:
            out.append(_stat_row(year, window, group, n, None, now))
            continue
        described = describe_columns(values[indexes])
        described[:, described[0] < k] = np.nan
        out.append(_stat_row(year, window, group, n, described, now))
        if window in YTD_WINDOWS:
            _positions(
                group,
                indexes,
                counted,
                values,
                others,
                previous,
                members,
                described,
                position_rows,
                year,
            )
    return out


def _positions(
    group, indexes, counted, values, others, previous, members, described, position_rows, year
):
    """Percentile positions of the group's members, and of older imports of its practices."""
    group_values = values[indexes][:, _POSITION_COLUMNS]
    ordered, counts = sorted_columns(group_values)
    hidden = described[0, _POSITION_COLUMNS] != described[0, _POSITION_COLUMNS]  # NaN: too few
    shares = positions(ordered, counts, group_values)
    shares[:, hidden] = np.nan
    for i, index in enumerate(indexes):
        position_rows.append((counted[index][0], year, group, shares[i]))
    extra = [row for row in others if group in members[row[1]].groups()]
    if extra:
        width = len(STORED_COLUMNS)
        empty = np.full(width, np.nan)
        stored = np.array([row[3] for row in extra])
        before = np.array([previous.get(row[1], empty) for row in extra])
        extra_values = full_matrix(stored, before)[:, _POSITION_COLUMNS]
        extra_shares = positions(ordered, counts, extra_values)
        extra_shares[:, hidden] = np.nan
        for row, share in zip(extra, extra_shares, strict=True):
            position_rows.append((row[0], year, group, share))


def _stat_row(year, window, group, n, described, now):
    blob = None if described is None else np.asarray(described, dtype="<f8").tobytes()
    return (year, window, group.kind, group.key, n, blob, now)


def _replace(year, only, stat_rows, position_rows) -> None:
    """Delete the old rows of exactly these groups and write the new ones in bulk."""
    stats = GroupStatistics.objects.filter(year=year)
    old_positions = Position.objects.filter(year=year)
    if only is not None:
        stats = stats.filter(_group_filter(only))
        old_positions = old_positions.filter(_group_filter(only))
    old_positions._raw_delete(old_positions.db)
    stats._raw_delete(stats.db)
    _insert(
        GroupStatistics,
        ("year", "window", "kind", "key", "n", "stats", "computed_at"),
        stat_rows,
    )
    _insert(
        Position,
        ("row_id", "year", "kind", "key", "shares"),
        (
            (row_id, row_year, group.kind, group.key, np.asarray(share, dtype="<f4").tobytes())
            for row_id, row_year, group, share in position_rows
        ),
    )


def _group_filter(only):
    condition = Q()
    for group in only:
        condition |= Q(kind=group.kind, key=group.key)
    return condition


def _insert(model, fields, rows) -> None:
    """Bulk insert plain tuples: COPY on PostgreSQL, executemany elsewhere (no model objects)."""
    table = model._meta.db_table
    columns = [model._meta.get_field(f.removesuffix("_id")).column for f in fields]
    column_list = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            quoted = connection.ops.quote_name(table)
            with cursor.cursor.copy(f"COPY {quoted} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(columns))
        # Table and column names come from the model's metadata, never from input.
        sql = f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})"  # noqa: S608
        batch = []
        for row in rows:
            batch.append(_sqlite_row(row))
            if len(batch) >= 10000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def _sqlite_row(row):
    adapt = connection.ops.adapt_datetimefield_value
    return tuple(adapt(value) if isinstance(value, datetime) else value for value in row)
