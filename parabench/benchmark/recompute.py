"""Recompute and store the published group statistics (see disclosure.py).

Entry points: ``recompute_practices`` (incremental: only the groups of the practices that sent
something, for their year and the next one, whose growth figures depend on it),
``recompute_changed`` (the statistics refresh after imports: incremental for whatever changed
since the last recompute, full when that is most of the year) and ``recompute_all``
(every year and group; ``manage.py recompute_statistics``). All run the same per-year function,
so "incremental equals full" holds by construction for the groups touched, and is tested.

Reading a year: the national group holds every practice, so every recompute needs all of the
year's rows. Full recomputes read them from WindowValues and leave a packed snapshot behind
(``WindowBlock``, BLOCKS blocks per window by practice id); incremental ones read the snapshot,
check it against the table's row ids and counted flags (no vectors), re-read from the table only
the rows that differ plus every row of the practices being recomputed, and rewrite only the
blocks that changed. Rows change only through imports and recomputes, and every recompute
re-reads the practices it changes, so the snapshot equals the table for every row it serves.

Per year and window the values of the counted rows become one (practices × KPIs) matrix; each
group is a set of row indexes into it, sorted once and published in one vectorised pass
(``disclosure.py``); rows are written in bulk (``bulk.py``: COPY on PostgreSQL) after deleting
the old ones of exactly the same groups.

Growth figures compare a row with the practice's counted row of the same window a year earlier.
They are stored with the row, and refreshed for the importing practice only (its year and the
next), so an incremental recompute reads one year; the full recompute computes them all again
from the previous year in memory and writes back whatever differs.
"""

import hashlib
from collections import defaultdict

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from parabench.benchmark import disclosure, groups, layout
from parabench.benchmark.bulk import bulk_insert
from parabench.benchmark.catalogue import (
    COLUMN_INDEX,
    GROWTH_KPIS,
    STORED_COLUMNS,
)
from parabench.benchmark.kpis import WINDOWS, growth_matrix, pack, with_growth
from parabench.benchmark.models import (
    GroupStatistics,
    WindowBlock,
    WindowValues,
)
from parabench.benchmark.stats import STAT_FIELDS
from parabench.benchmark.uncertainty import group_dispersion
from parabench.uploads.models import Import, oldest_first

_LOCK_BASE = 0x5042_0000  # "PB": advisory lock ids of the benchmark, one per year
_GROWTH_WIDTH = len(GROWTH_KPIS)
_WIDTH = len(STORED_COLUMNS)
_TAU2, _MEDIAN = STAT_FIELDS.index("tau2"), STAT_FIELDS.index("median")
BLOCKS = 64  # snapshot blocks per (year, window): ~160 practices each at national scale
# Beyond this share of a year's rows changed, an incremental refresh is no cheaper than a full one.
CHANGED_SHARE_FOR_FULL = 0.25


def recompute_practices(year: int, practice_ids) -> dict:
    """Refresh what new or changed rows of these practices in ``year`` change, nothing else.

    Marks their counted rows and refreshes their growth figures, then recomputes their groups
    (national, their regions, their networks or "without network") — for that year, and for
    the next year when one of them sent it (its growth figures compare with this year).
    """
    practice_ids = sorted({int(p) for p in practice_ids})
    members = groups.memberships()  # every practice: the national group needs them all
    only = {group for p in practice_ids if p in members for group in members[p].groups()}
    has_next = WindowValues.objects.filter(practice_id__in=practice_ids, year=year + 1).exists()
    years = [year, year + 1] if has_next else [year]
    with transaction.atomic():
        for each in years:
            _lock(each)
        # Every year whose rows of these practices are read is handled whole for them: counted
        # rows chosen, growth refreshed. A refresh of that year may otherwise find them in the
        # snapshot as if done (their growth no longer NULL) and miss them for good.
        for each in years:
            mark_counted(each, practice_ids=practice_ids)
            refresh_growth(each, practice_ids)
        for each in years:
            recompute_year(each, only=only, members=members, fresh=practice_ids)
    return {"years": years, "practices": len(practice_ids)}


def recompute_changed(year: int) -> dict:
    """Refresh ``year`` (and the next one) after a burst of imports: the uploader's unit of work.

    Incremental for the practices whose rows of ``year`` differ from the last recompute's
    snapshot (new imports, removed ones); a full recompute of both years when there is no
    snapshot yet or most of the year changed, since then reading everything is cheaper.
    """
    changed = _changed_practices(year)
    if changed is None:
        years = [year]
        if WindowValues.objects.filter(year=year + 1).exists():
            years.append(year + 1)
        report = recompute_all(years=years)
        return {"years": report["years"], "full": True}
    if not changed:
        return {"years": [], "full": False}
    report = recompute_practices(year, changed)
    return {"years": report["years"], "full": False}


def recompute_all(years=None) -> dict:
    """Full recompute: counted rows, growth and statistics of every group.

    ``years``: only these years (their growth against the year before is refreshed too).
    Returns a small report (years, group statistics written).
    """
    full = years is None
    if full:
        years = sorted(set(WindowValues.objects.values_list("year", flat=True).distinct()))
    report = {"years": [], "groups": 0}
    members = groups.memberships()
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


def mark_counted(year: int, practice_ids=None) -> None:
    """Flag, per practice and window, the export that counts (``uploads.models.oldest_first``:
    the newest export moment among the imported exports covering the window) as counted.

    Imports not (or no longer) imported never count.
    """
    rows = WindowValues.objects.filter(year=year)
    if practice_ids is not None:
        rows = rows.filter(practice_id__in=list(practice_ids))
    # Ordered from least to most preferred: the last row seen per (practice, window) wins.
    ordered = rows.order_by(*oldest_first("imp__"), "pk").values_list(
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


def _counted_vectors(year: int, practice_ids=None) -> dict[str, dict[int, object]]:
    """Counted stored vectors of one year: window → practice → vector."""
    if practice_ids is None:
        found = defaultdict(dict)
        for window, (_, practices, counted, stored, _) in _load(year)[0].items():
            for i in np.flatnonzero(counted):
                found[window][int(practices[i])] = stored[i]
        return found
    rows = WindowValues.objects.filter(year=year, counted=True, practice_id__in=practice_ids)
    found: dict[str, dict[int, object]] = defaultdict(dict)
    names = layout.values_names()
    for practice, window, blob, pk in rows.values_list(
        "practice_id", "window", "values", "layout_id"
    ):
        found[window][practice] = layout.vector(blob, pk, names)
    return found


def refresh_growth(year: int, practice_ids) -> None:
    """Recompute the stored growth figures of these practices' rows of ``year``."""
    practice_ids = list(practice_ids)
    before = _counted_vectors(year - 1, practice_ids)
    names = layout.values_names()
    growth_layout = layout.ensure(layout.growth_names())
    for (
        pk,
        practice,
        window,
        blob,
        values_layout,
        stored,
        stored_layout,
    ) in WindowValues.objects.filter(year=year, practice_id__in=practice_ids).values_list(
        "pk", "practice_id", "window", "values", "layout_id", "growth", "growth_layout_id"
    ):
        previous = before.get(window, {}).get(practice)
        blob = pack(growth_matrix(layout.vector(blob, values_layout, names), previous)[0])
        if stored is None or bytes(stored) != blob or stored_layout != growth_layout:
            WindowValues.objects.filter(pk=pk).update(growth=blob, growth_layout_id=growth_layout)


def _select(columns, where: str, params, model=WindowValues) -> list[tuple]:
    """Plain SQL: at national scale the ORM's per-value converters cost more than the reading.

    On PostgreSQL the rows come in binary format: blobs arrive as bytes instead of hex text
    twice their size that would have to be parsed. Names come from the model's metadata;
    values are parameters.
    """
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    names = ", ".join(q(c) for c in columns)
    sql = f"SELECT {names} FROM {table} WHERE {where} ORDER BY {q('id')}"  # noqa: S608
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Django's cursors bind client-side, which allows text results only.
            import psycopg

            with psycopg.Cursor(connection.connection) as binary:
                binary.execute(sql, params, binary=True)
                return binary.fetchall()
        cursor.execute(sql, params)
        return cursor.fetchall()


def _load(year: int, fresh=None):
    """Every row of ``year``, grouped by window: (ids, practice ids, counted, stored, growth).

    ``fresh`` None: read every vector from the table (full recompute). Otherwise the practices
    being recomputed: the rest comes from the snapshot where it matches the table (see the
    module docstring). Returns (rows by window, blocks to rewrite by window: a set, or None for
    every block).
    """
    q = connection.ops.quote_name
    if fresh is not None:
        snapshot = _read_snapshot(year)
        if snapshot:
            incremental = _load_incremental(year, fresh, snapshot)
            if incremental is not None:
                return incremental
    fetched = _select(ROW_COLUMNS, f"{q('year')} = %s", [year])
    loaded = {}
    if fetched:
        ids, practices, windows, counted, blobs, growths, layouts, growth_layouts = zip(
            *fetched, strict=True
        )
        ids = np.array(ids, dtype=np.int64)
        practices = np.array(practices, dtype=np.int64)
        counted = np.array(counted, dtype=bool)
        windows = np.array(windows)
        for window in np.unique(windows):
            rows = np.flatnonzero(windows == window)
            loaded[str(window)] = (
                ids[rows],
                practices[rows],
                counted[rows],
                _values([blobs[i] for i in rows], [layouts[i] for i in rows]),
                _growth([growths[i] for i in rows], [growth_layouts[i] for i in rows]),
            )
    return loaded, None


# What a recompute reads of a row: the vectors with the layouts that name their numbers.
ROW_COLUMNS = (
    "id",
    "practice_id",
    "window",
    "counted",
    "values",
    "growth",
    "layout_id",
    "growth_layout_id",
)


def _values(blobs, layouts) -> np.ndarray:
    return layout.matrix(blobs, layouts, layout.values_names())


def _growth(blobs, layouts) -> np.ndarray:
    return layout.matrix(blobs, layouts, layout.growth_names())


def _read_snapshot(year: int) -> dict:
    """The snapshot of ``year``: window → (ids, practices, counted, stored, growth)."""
    parts = defaultdict(list)
    q = connection.ops.quote_name
    names = ("window", "layout_id", "growth_layout_id", "ids", "practices", "counted")
    names += ("values", "growth")
    current = (layout.layout_id(layout.values_names()), layout.layout_id(layout.growth_names()))
    for window, values_layout, growth_layout, ids, practices, counted, values, growth in _select(
        names, f"{q('year')} = %s", [year], model=WindowBlock
    ):
        if (values_layout, growth_layout) != current:
            return {}  # the catalogue changed since: rebuild from the table
        ids = np.frombuffer(bytes(ids), dtype="<i8")
        parts[window].append(
            (
                ids,
                np.frombuffer(bytes(practices), dtype="<i8"),
                np.frombuffer(bytes(counted), dtype=np.uint8).astype(bool),
                np.frombuffer(bytes(values), dtype="<f8").reshape(ids.size, _WIDTH),
                np.frombuffer(bytes(growth), dtype="<f8").reshape(ids.size, _GROWTH_WIDTH),
            )
        )
    # In block order: the caller puts the rows in id order once it has added what it re-read.
    return {
        window: tuple(np.concatenate(c) for c in zip(*blocks, strict=True))
        for window, blocks in parts.items()
    }


def _block_checks(year: int) -> dict[tuple[str, int], tuple[int, int, int]]:
    """Per (window, block) of the table: number of rows, sum of ids, sum of counted rows' ids.

    Why that identifies a block's rows: ids only grow, so rows added and removed since the
    snapshot always change the count or the sum; counted flags change only inside recomputes,
    which re-read the practices they change. Read from an index, no vectors.
    """
    q = connection.ops.quote_name
    table = q(WindowValues._meta.db_table)
    sql = (
        f"SELECT {q('window')}, {q('practice_id')} %% {BLOCKS}, COUNT(*), SUM({q('id')}), "  # noqa: S608
        f"SUM(CASE WHEN {q('counted')} THEN {q('id')} ELSE 0 END) FROM {table} "
        f"WHERE {q('year')} = %s GROUP BY 1, 2"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [year])
        return {
            (window, int(block)): (int(n), int(ids), int(counted))
            for window, block, n, ids, counted in cursor.fetchall()
        }


def _snapshot_checks(snapshot) -> dict[tuple[str, int], tuple[int, int, int]]:
    """``_block_checks`` of the snapshot itself."""
    checks = {}
    for window, (ids, practices, counted, _, _) in snapshot.items():
        block_of = practices % BLOCKS
        n = np.bincount(block_of, minlength=BLOCKS)
        sums = np.bincount(block_of, weights=ids, minlength=BLOCKS)
        counted_sums = np.bincount(block_of, weights=ids * counted, minlength=BLOCKS)
        for block in np.flatnonzero(n):
            checks[(window, int(block))] = (
                int(n[block]),
                int(sums[block]),
                int(counted_sums[block]),
            )
    return checks


def _stale_blocks(year: int, snapshot) -> tuple[set[tuple[str, int]], int]:
    """The (window, block) pairs where the table differs from the snapshot, and how many
    pairs the table has."""
    table = _block_checks(year)
    stored = _snapshot_checks(snapshot)
    stale = {key for key in set(table) | set(stored) if table.get(key) != stored.get(key)}
    return stale, len(table)


def _reread(year: int, practices, blocks) -> list[tuple]:
    """Every row of these practices, and every row of these (window, block) pairs."""
    q = connection.ops.quote_name
    parts, params = [], [year]
    practices = [int(p) for p in practices]
    if practices:
        parts.append(f"{q('practice_id')} IN ({', '.join(['%s'] * len(practices))})")
        params += practices
    by_window = defaultdict(list)
    for window, block in sorted(blocks):
        by_window[window].append(block)
    for window, numbers in by_window.items():
        marks = ", ".join(["%s"] * len(numbers))
        parts.append(f"({q('window')} = %s AND {q('practice_id')} %% {BLOCKS} IN ({marks}))")
        params += [window, *numbers]
    if not parts:
        return []
    return _select(ROW_COLUMNS, f"{q('year')} = %s AND ({' OR '.join(parts)})", params)


def _load_incremental(year: int, fresh, snapshot):
    """The snapshot, with stale blocks and the ``fresh`` practices re-read from the table.

    None when so much changed that reading everything is cheaper.
    """
    stale, total = _stale_blocks(year, snapshot)
    if not total or len(stale) > CHANGED_SHARE_FOR_FULL * total:
        return None
    fresh = np.array(sorted(fresh), dtype=np.int64)
    fetched = _reread(year, fresh.tolist(), stale)
    new_rows = defaultdict(list)
    for row in fetched:
        new_rows[row[2]].append(row)
    loaded, dirty = {}, {}
    fresh_blocks = {int(b) for b in np.unique(fresh % BLOCKS)}
    empty = (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, bool))
    for window in set(snapshot) | set(new_rows):
        old = snapshot.get(window)
        if old is None:
            old = (*empty, np.empty((0, _WIDTH)), np.empty((0, _GROWTH_WIDTH)))
        stale_here = np.array(sorted(b for w, b in stale if w == window), dtype=np.int64)
        keep = ~np.isin(old[1], fresh) & ~np.isin(old[1] % BLOCKS, stale_here)
        rows = new_rows.get(window, [])
        if rows:
            ids, practices, _, counted, blobs, growths, layouts, growth_layouts = zip(
                *rows, strict=True
            )
            added = (
                np.array(ids, dtype=np.int64),
                np.array(practices, dtype=np.int64),
                np.array(counted, dtype=bool),
                _values(blobs, layouts),
                _growth(growths, growth_layouts),
            )
        else:
            added = (*empty, np.empty((0, _WIDTH)), np.empty((0, _GROWTH_WIDTH)))
        dirty[window] = fresh_blocks | {int(b) for b in stale_here}
        kept = np.flatnonzero(keep)
        ids = np.concatenate([old[0][kept], added[0]])
        if ids.size == 0:
            continue
        # Id order, as a full read has it (sums and sorts then see the same sequence); one
        # gather per column instead of a concatenation and a reordering.
        order = np.argsort(ids, kind="stable")
        from_old = order < kept.size
        loaded[window] = tuple(
            _gather(o, a, kept, order, from_old) for o, a in zip(old, added, strict=True)
        )
    return loaded, dirty


def _gather(old, added, kept, order, from_old):
    """Rows ``order`` of ``old[kept]`` followed by ``added``, without building that first."""
    out = np.empty((order.size, *old.shape[1:]), dtype=old.dtype)
    out[from_old] = old[kept[order[from_old]]]
    out[~from_old] = added[order[~from_old] - kept.size]
    return out


def _changed_practices(year: int) -> list[int] | None:
    """Practices whose rows of ``year`` differ from the snapshot; None without a usable one."""
    snapshot = _read_snapshot(year)
    if not snapshot:
        return None
    # Rows no recompute has handled yet (their growth is still NULL): an incremental recompute
    # of another practice re-reads whole stale blocks and takes such rows into the snapshot
    # as they are, so comparing with the snapshot alone would miss them for good.
    waiting = set(
        WindowValues.objects.filter(year=year, growth__isnull=True)
        .values_list("practice_id", flat=True)
        .distinct()
    )
    stale, _ = _stale_blocks(year, snapshot)
    if not stale:
        return sorted(waiting)
    q = connection.ops.quote_name
    by_window = defaultdict(list)
    for window, block in sorted(stale):
        by_window[window].append(block)
    parts, params = [], [year]
    for window, numbers in by_window.items():
        marks = ", ".join(["%s"] * len(numbers))
        parts.append(f"({q('window')} = %s AND {q('practice_id')} %% {BLOCKS} IN ({marks}))")
        params += [window, *numbers]
    now = {
        (window, int(row_id), int(practice), bool(counted))
        for row_id, practice, window, counted in _select(
            ("id", "practice_id", "window", "counted"),
            f"{q('year')} = %s AND ({' OR '.join(parts)})",
            params,
        )
    }
    before = set()
    for window, numbers in by_window.items():
        ids, practices, counted = snapshot.get(window, ((), (), ()))[:3]
        for row_id, practice, flag in zip(ids, practices, counted, strict=True):
            if int(practice) % BLOCKS in numbers:
                before.add((window, int(row_id), int(practice), bool(flag)))
    changed = {practice for _, _, practice, _ in now ^ before} | waiting
    practices = {int(p) for parts in snapshot.values() for p in parts[1]}
    practices |= {practice for _, _, practice, _ in now}
    if len(changed) > CHANGED_SHARE_FOR_FULL * len(practices):
        return None
    return sorted(changed)


def _write_snapshot(year: int, loaded, dirty) -> None:
    """Rewrite the snapshot blocks that changed (every block when ``dirty`` is None)."""
    old = WindowBlock.objects.filter(year=year)
    if dirty is not None:
        condition = Q()
        for window, blocks in dirty.items():
            if blocks:
                condition |= Q(window=window, block__in=sorted(blocks))
        if not condition:
            return
        old = old.filter(condition)
    old._raw_delete(old.db)
    values_layout = layout.ensure(layout.values_names())
    growth_layout = layout.ensure(layout.growth_names())
    rows = []
    for window, (ids, practices, counted, stored, growth) in loaded.items():
        wanted = None if dirty is None else dirty.get(window, set())
        block_of = practices % BLOCKS
        for block in np.unique(block_of):
            if wanted is not None and int(block) not in wanted:
                continue
            part = np.flatnonzero(block_of == block)
            rows.append(
                (
                    year,
                    window,
                    int(block),
                    values_layout,
                    growth_layout,
                    ids[part].astype("<i8").tobytes(),
                    practices[part].astype("<i8").tobytes(),
                    counted[part].astype(np.uint8).tobytes(),
                    np.ascontiguousarray(stored[part], dtype="<f8").tobytes(),
                    np.ascontiguousarray(growth[part], dtype="<f8").tobytes(),
                )
            )
    bulk_insert(
        WindowBlock,
        (
            "year",
            "window",
            "block",
            "layout_id",
            "growth_layout_id",
            "ids",
            "practices",
            "counted",
            "values",
            "growth",
        ),
        rows,
    )


def _store_growth(ids, old, new, never) -> None:
    """Write back growth figures that differ from the stored ones (normally none), and those
    of rows no recompute has handled yet (``never``: stored NULL)."""
    changed = ~((old == new) | (np.isnan(old) & np.isnan(new))).all(axis=1)
    changed |= np.isin(ids, never)
    if not changed.any():
        return
    table = connection.ops.quote_name(WindowValues._meta.db_table)
    q = connection.ops.quote_name
    growth_layout = layout.ensure(layout.growth_names())
    sql = (
        f"UPDATE {table} SET {q('growth')} = %s, {q('growth_layout_id')} = %s "  # noqa: S608
        f"WHERE {q('id')} = %s"
    )
    rows = [(pack(new[i]), growth_layout, int(ids[i])) for i in np.flatnonzero(changed)]
    with connection.cursor() as cursor:
        for batch in _batches(rows):
            cursor.executemany(sql, batch)


def recompute_year(year: int, only=None, members=None, growth_from=None, fresh=None) -> dict:
    """Statistics of one year, for every group or only the groups in ``only``.

    ``growth_from`` (window → practice → last year's counted vector) recomputes and stores the
    growth figures of every row first; without it the stored ones are used. ``fresh``: the
    practices whose rows changed (read from the table; the others may come from the snapshot).
    """
    k = settings.MIN_GROUP_SIZE
    now = timezone.now()
    loaded, dirty = _load(year, fresh)
    never = np.empty(0, dtype=np.int64)
    if growth_from is not None:
        never = np.fromiter(
            WindowValues.objects.filter(year=year, growth__isnull=True).values_list(
                "pk", flat=True
            ),
            dtype=np.int64,
        )
    if members is None:
        practices = {int(p) for parts in loaded.values() for p in parts[1]}
        members = groups.memberships(practices)
    members = _sized(members, loaded.get(groups.SIZE_WINDOW))
    if only is not None:
        only = set(only) | _by_kind_groups(year, members)
    stat_rows = []
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
            renewed = growth_matrix(stored, previous)
            _store_growth(ids, growth, renewed, never)
            growth = renewed
            loaded[window] = (ids, practices, counted, stored, growth)
            for i in np.flatnonzero(counted):
                counted_vectors[window][int(practices[i])] = stored[i]
        known = np.isin(practices, np.fromiter(members, dtype=np.int64, count=len(members)))
        values = with_growth(stored, growth)
        stat_rows += _window_statistics(
            year,
            window,
            ids,
            practices,
            counted & known,
            values,
            members,
            only,
            k,
            now,
        )
    _replace(year, only, stat_rows)
    _write_snapshot(year, loaded, dirty)
    return {"groups": len(stat_rows), "counted": counted_vectors}


def _sized(members, first_quarter) -> dict:
    """The memberships with each practice's size class of this year, from its counted
    first-quarter row (``groups.size_class``); practices without one have no class."""
    classes = {}
    if first_quarter is not None:
        _ids, practices, counted, stored, _growth = first_quarter
        column = stored[:, COLUMN_INDEX[groups.SIZE_COLUMN]]
        for i in np.flatnonzero(counted):
            classes[int(practices[i])] = groups.size_class(float(column[i]))
    return {pid: member.sized(classes.get(pid, "")) for pid, member in members.items()}


def _by_kind_groups(year: int, members) -> set:
    """Every peer group by kind of the year, present now or stored before.

    Why all of them in an incremental recompute: a re-sent first quarter can move a practice
    to another size class, and whether a group by kind may be published depends on the size of
    the wider groups it lies in (``_differs_enough``), which every import changes. There are a
    few dozen; each is a comparison and a sort of its own rows.
    """
    present = {g for m in members.values() for g in m.groups() if g.kind in groups.BY_KIND}
    stored = GroupStatistics.objects.filter(year=year, kind__in=groups.BY_KIND)
    return present | {groups.Group(kind, key) for kind, key in stored.values_list("kind", "key")}


def _parent_counts(rows_of, values) -> dict:
    """(practices, values per column) of every wider group a group by kind lies in."""
    counts = {}
    for group in {p for g in rows_of for p in groups.parents(g)}:
        rows = rows_of.get(group)
        if rows is not None:
            counts[group] = (rows.size, np.sum(~np.isnan(values[rows]), axis=0))
    return counts


def _differs_enough(group, n, column_n, parent_counts, k):
    """Whether a group by kind may be published at all, and per column: only when at least k
    practices (values) of each wider group lie outside it — so that a group that is nearly its
    wider group, and the few it leaves out, can never be set against each other."""
    columns = np.ones(column_n.shape, dtype=bool)
    for parent in groups.parents(group):
        total, per_column = parent_counts.get(parent, (n, column_n))
        if total - n < k:
            return False, columns
        columns &= (per_column - column_n) >= k
    return True, columns


def _window_statistics(year, window, ids, practices, counted, values, members, only, k, now):
    """The published statistics of every group (``disclosure.publish``): nothing else is
    computed or stored — no mean, no exact positions, no quantile a group is too small for,
    no group by kind too close to its wider group."""
    member_rows = np.flatnonzero(counted)
    in_rows = [members[int(practices[i])] for i in member_rows]
    split = groups.split(in_rows, only)
    wider = {p for g in split for p in groups.parents(g)}
    rows_of = {g: member_rows[i] for g, i in groups.split(in_rows, wider).items()}
    parent_counts = _parent_counts(rows_of, values)
    floors = disclosure.column_floors()
    out = []
    for group, indexes in split.items():
        n = len(indexes)
        rows = member_rows[indexes]
        columns = None
        if n >= k and group.kind in groups.BY_KIND:
            column_n = np.sum(~np.isnan(values[rows]), axis=0)
            publishable, columns = _differs_enough(group, n, column_n, parent_counts, k)
            if not publishable:
                out.append(_stat_row(year, window, group, n, None, now))
                continue
        if n < k:
            out.append(_stat_row(year, window, group, n, None, now))
            continue
        # Sorting the transposed copy keeps each column contiguous: faster, same values.
        ordered = np.sort(values[rows].T, axis=1).T
        key = _dither_key(year, window, group, ids[rows])
        published = disclosure.publish(ordered, k, floors, key)
        # The funnel's over-dispersion around the published median (uncertainty.py).
        published[_TAU2] = group_dispersion(values[rows], published[_MEDIAN])
        if columns is not None:
            published[1:, ~columns] = np.nan
        out.append(_stat_row(year, window, group, n, published, now))
    return out


def _dither_key(year, window, group, row_ids) -> bytes:
    """What fixes a group's dither: a secret and the rows it is made of (sorted ids), so the same
    rows always publish the same figures and any changed row draws a new dither."""
    secret = hashlib.sha256(f"parabench-dither:{settings.SECRET_KEY}".encode()).digest()
    head = f"{year}|{window}|{group.kind}|{group.key}|".encode()
    return secret + head + np.sort(np.asarray(row_ids, dtype="<i8")).tobytes()


def _stat_row(year, window, group, n, described, now):
    if described is None:
        return (year, window, group.kind, group.key, n, None, None, None, now)
    blob = np.asarray(described, dtype="<f8").tobytes()
    statistics = layout.layout_id(layout.statistic_names())
    columns = layout.layout_id(layout.column_names())
    return (year, window, group.kind, group.key, n, blob, statistics, columns, now)


def _replace(year, only, stat_rows) -> None:
    """Delete the old rows of exactly these groups and write the new ones in bulk.

    No percentile positions are stored (a practice's position is read from the published
    figures, ``disclosure.band``)."""
    stats = GroupStatistics.objects.filter(year=year)
    if only is not None:
        stats = stats.filter(_group_filter(only))
    stats._raw_delete(stats.db)
    for names in (layout.statistic_names(), layout.column_names()):
        layout.ensure(names)
    bulk_insert(
        GroupStatistics,
        (
            "year",
            "window",
            "kind",
            "key",
            "n",
            "stats",
            "statistics_id",
            "columns_id",
            "computed_at",
        ),
        stat_rows,
    )


def _group_filter(only):
    condition = Q()
    for group in only:
        condition |= Q(kind=group.kind, key=group.key)
    return condition
