"""Recompute and store the published group statistics (see disclosure.py).

Entry points: ``recompute_practices`` (incremental: only the groups of the practices that sent
something, for their year and the next one, whose growth figures depend on it),
``recompute_changed`` (the statistics refresh after imports: incremental for whatever changed
since the last recompute, full when that is most of the year) and ``recompute_all`` (every year
and group; ``manage.py recompute_statistics``). All run the same per-window function, so
"incremental equals full" holds by construction for the groups touched, and is tested.

One window at a time: per year and window the counted rows become one (practices × KPIs) matrix
(~10,000 × 120 numbers, 10 MB at national scale), every group is published from it and the next
window replaces it. So memory stays that of one window whatever the number of years, and the
database is read once per recompute: the national group holds every practice, so every recompute
reads every counted row of its years anyway — a few tenths of a second per year in binary.

Which rows changed since the last recompute needs no copy of the table: a row no recompute has
handled yet has no growth figures (NULL, ``models.WindowValues.growth``), every import stores
such rows, and which row counts changes only with an import; rows removed since show as a
national group whose size no longer matches the counted rows.

Growth figures compare a row with the practice's counted row of the same window a year earlier.
They are stored with the row and refreshed for the importing practice only (its year and the
next), so an incremental recompute reads one year; the full recompute computes them all again
from the previous year's window (kept in memory from the year before) and writes back whatever
differs.
"""

import hashlib
from collections import defaultdict

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from parabench.benchmark import casemix, disclosure, groups, layout
from parabench.benchmark.bulk import bulk_insert
from parabench.benchmark.catalogue import COLUMN_INDEX, GROWTH_KPIS
from parabench.benchmark.kpis import WINDOWS, growth_matrix, pack, with_growth
from parabench.benchmark.models import GroupKind, GroupStatistics, ReferenceRates, WindowValues
from parabench.benchmark.stats import STAT_FIELDS
from parabench.benchmark.uncertainty import group_dispersion
from parabench.flags import update_flag
from parabench.uploads.models import Import, oldest_first

_LOCK_BASE = 0x5042_0000  # "PB": advisory lock ids of the benchmark, one per year
_TAU2, _MEDIAN = STAT_FIELDS.index("tau2"), STAT_FIELDS.index("median")
# The stored columns growth figures are computed from (``kpis.growth_matrix``).
_GROWTH_BASES = np.array([COLUMN_INDEX[kpi.growth_of] for kpi in GROWTH_KPIS], dtype=np.intp)
# Beyond this share of a year's practices changed, an incremental refresh is no cheaper than a
# full one.
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
        for each in years:
            mark_counted(each, practice_ids=practice_ids)
            refresh_growth(each, practice_ids)
        for each in years:
            recompute_year(each, only=only, members=members)
    return {"years": years, "practices": len(practice_ids)}


def recompute_changed(year: int) -> dict:
    """Refresh ``year`` (and the next one) after a burst of imports: the statistics refresh.

    Incremental for the practices with rows no recompute has handled yet or whose counted rows
    are no longer the right ones; a full recompute of both years when most of the year changed
    (reading everything once is then cheaper) or rows were removed since the last recompute.
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
    Returns a small report (years, group statistics rows written).
    """
    full = years is None
    if full:
        years = sorted(set(WindowValues.objects.values_list("year", flat=True).distinct()))
    report = {"years": [], "groups": 0}
    members = groups.memberships()
    previous = None  # (year, window → its counted practices and their growth base columns)
    for year in sorted(years):
        with transaction.atomic():
            _lock(year)
            mark_counted(year)
            if previous is None or previous[0] != year - 1:
                previous = (year - 1, _counted_by_window(year - 1))
            written = recompute_year(year, members=members, growth_from=previous[1])
            previous = (year, written.pop("counted"))
        report["years"].append(year)
        report["groups"] += written["groups"]
    if full:
        # Statistics of years that no longer have any data go too.
        GroupStatistics.objects.exclude(year__in=list(years)).delete()
        ReferenceRates.objects.exclude(year__in=list(years)).delete()
    return report


def _lock(year: int) -> None:
    """Serialise recomputes of one year, so a slower one never overwrites a newer result.

    SQLite needs nothing: its write transactions (IMMEDIATE) already exclude each other.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_BASE + year])


# --- Which rows count ---------------------------------------------------------------------------


def _rows(year: int, practice_ids=None):
    rows = WindowValues.objects.filter(year=year)
    if practice_ids is not None:
        rows = rows.filter(practice_id__in=list(practice_ids))
    return rows


def _counting(year: int, practice_ids=None):
    """Every row of ``year`` (or of these practices) with whether it counts (``counts``): per
    practice and window the row of the imported export that comes last by
    ``uploads.models.oldest_first`` (the newest export moment, then import number) among those
    covering the window; rows of imports not (or no longer) imported never count."""
    newest_first = [order.copy().reverse_ordering() for order in oldest_first("imp__")]
    imported = ExpressionWrapper(Q(imp__status=Import.Status.IMPORTED), output_field=BooleanField())
    return (
        _rows(year, practice_ids)
        .annotate(
            imported=imported,
            rank=Window(
                RowNumber(),
                partition_by=[F("practice_id"), F("window"), F("imported")],
                order_by=[*newest_first, F("pk").desc()],
            ),
        )
        .annotate(counts=ExpressionWrapper(Q(rank=1, imported=True), output_field=BooleanField()))
    )


def mark_counted(year: int, practice_ids=None) -> int:
    """Flag, per practice and window, the row that counts (``_counting``), in one statement that
    writes only the rows whose flag changes (``parabench.flags``). Returns how many it wrote."""
    return update_flag(_counting(year, practice_ids), "counted", "counts")


# --- Reading --------------------------------------------------------------------------------------


def _select(columns, where: str, params) -> list[tuple]:
    """Plain SQL: at national scale the ORM's per-value converters cost more than the reading.

    On PostgreSQL the rows come in binary format: blobs arrive as bytes instead of hex text
    twice their size that would have to be parsed. Names come from the model's metadata;
    values are parameters.
    """
    q = connection.ops.quote_name
    table = q(WindowValues._meta.db_table)
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


# What a recompute reads of a row: the vectors with the layouts that name their numbers.
ROW_COLUMNS = (
    "id",
    "practice_id",
    "counted",
    "values",
    "layout_id",
    "growth",
    "growth_layout_id",
)


def _read_window(year: int, window: str, counted_only: bool):
    """Rows of one window of ``year`` in id order, their vectors read by name (``layout.py``):
    (ids, practices, counted, stored, growth, whether the growth figures must be written — never
    computed, or stored in another layout than today's)."""
    q = connection.ops.quote_name
    where = f"{q('year')} = %s AND {q('window')} = %s"
    if counted_only:
        where += f" AND {q('counted')}"
    fetched = _select(ROW_COLUMNS, where, [year, window])
    if not fetched:
        return None
    ids, practices, counted, blobs, layouts, growths, growth_layouts = zip(*fetched, strict=True)
    today = layout.layout_id(layout.growth_names())
    return (
        np.array(ids, dtype=np.int64),
        np.array(practices, dtype=np.int64),
        np.array(counted, dtype=bool),
        layout.matrix(blobs, layouts, layout.values_names()),
        layout.matrix(growths, growth_layouts, layout.growth_names()),
        np.array([g is None or pk != today for g, pk in zip(growths, growth_layouts, strict=True)]),
    )


def _counted_by_window(year: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """What next year's growth needs of one year: window → (counted practices, the columns
    growth is computed from). Four columns, not a hundred: the year before stays small."""
    found = {}
    for window in WINDOWS:
        rows = _read_window(year, window, counted_only=True)
        if rows is not None:
            found[window] = (rows[1], rows[3][:, _GROWTH_BASES])
    return found


def _counted_vectors(year: int, practice_ids) -> dict[str, dict[int, object]]:
    """Counted stored vectors of these practices in one year: window → practice → vector."""
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
    rows = WindowValues.objects.filter(year=year, practice_id__in=practice_ids)
    for pk, practice, window, blob, values_layout, stored, stored_layout in rows.values_list(
        "pk", "practice_id", "window", "values", "layout_id", "growth", "growth_layout_id"
    ):
        previous = before.get(window, {}).get(practice)
        blob = pack(growth_matrix(layout.vector(blob, values_layout, names), previous)[0])
        if stored is None or bytes(stored) != blob or stored_layout != growth_layout:
            WindowValues.objects.filter(pk=pk).update(growth=blob, growth_layout_id=growth_layout)


def _store_growth(ids, old, new, never) -> None:
    """Write back growth figures that differ from the stored ones (normally none), and those
    of rows no recompute has handled yet or stored in an older layout (``never``)."""
    changed = ~((old == new) | (np.isnan(old) & np.isnan(new))).all(axis=1) | never
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
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


# --- What changed since the last recompute ------------------------------------------------------


def _changed_practices(year: int) -> list[int] | None:
    """Practices whose rows of ``year`` changed since the last recompute; None when a full
    recompute is due (rows removed, or most of the year changed)."""
    if _rows_removed(year):
        return None
    # Every import leaves rows without growth figures, and which row counts changes only with
    # an import (an imported export stays imported): so these are all the practices whose
    # counted rows may have changed. ``mark_counted`` then puts their flags right.
    unhandled = _rows(year).filter(growth__isnull=True).values_list("practice_id", flat=True)
    changed = set(unhandled)
    if not changed:
        return []
    practices = _rows(year).values("practice_id").distinct().count()
    if len(changed) > CHANGED_SHARE_FOR_FULL * practices:
        return None
    return sorted(changed)


def _rows_removed(year: int) -> bool:
    """Whether counted rows disappeared since the last recompute: a window's counted rows no
    longer number what its national group was computed with. (A removed import leaves no row
    to find it by; rows only ever become counted inside a recompute.)"""
    counted = dict(
        _rows(year)
        .filter(counted=True)
        .values_list("window")
        .annotate(n=Count("id"))
        .values_list("window", "n")
    )
    published = dict(
        GroupStatistics.objects.filter(year=year, kind=GroupKind.NATIONAL).values_list(
            "window", "n"
        )
    )
    return any(published.get(window, 0) > n for window, n in counted.items()) or any(
        window not in counted and n for window, n in published.items()
    )


# --- The statistics -----------------------------------------------------------------------------


def recompute_year(year: int, only=None, members=None, growth_from=None) -> dict:
    """Statistics of one year, window by window, for every group or only the groups in ``only``.

    ``growth_from`` (window → last year's counted practices and vectors) recomputes and stores
    the growth figures of every row first; without it the stored ones are used and only the
    counted rows are read. Returns the number of group rows and this year's counted vectors
    (for the next year's growth, when ``growth_from`` was given).
    """
    k = settings.MIN_GROUP_SIZE
    now = timezone.now()
    if members is None:
        members = groups.memberships()
    known = np.fromiter(members, dtype=np.int64, count=len(members))
    stat_rows = []
    counted_vectors = {}
    member_keys = None
    for window in WINDOWS:
        rows = _read_window(year, window, counted_only=growth_from is None)
        if window == groups.SIZE_WINDOW:  # the first window read: the year's size classes
            members = _sized(members, rows)
            if only is not None:
                only = set(only) | _by_kind_groups(year, members)
        if member_keys is None or window == groups.SIZE_WINDOW:
            member_keys = _member_keys(members)
        if rows is None:
            continue
        ids, practices, counted, stored, growth, never = rows
        if growth_from is not None:
            renewed = growth_matrix(stored, _previous(growth_from.get(window), practices, stored))
            _store_growth(ids, growth, renewed, never)
            growth = renewed
            del renewed
            counted_vectors[window] = (practices[counted], stored[counted][:, _GROWTH_BASES])
        use = counted & np.isin(practices, known)
        values = with_growth(stored[use], growth[use])
        # This window's matrices go before the next is read (and before the case-mix cells
        # are): otherwise two windows' worth (~40 MB at national scale) lived at once.
        del rows, stored, growth
        stat_rows += _window_statistics(
            year, window, ids[use], practices[use], values, member_keys, only, k, now
        )
        del values
    _replace(year, only, stat_rows)
    refresh_reference_rates(year, members, k, now)
    return {"groups": len(stat_rows), "counted": counted_vectors}


def _member_keys(members) -> tuple[np.ndarray, dict]:
    """Every practice's group keys per kind (``groups.row_keys``), built once per year and
    picked per window by position: (sorted practice ids, keys aligned with them). Building
    them from the memberships twice per window cost 1.5 s of a 48 s national year (cProfile,
    load 25)."""
    ids = np.array(sorted(members), dtype=np.int64)
    return ids, groups.row_keys([members[int(p)] for p in ids])


# --- The national case-mix reference rates (docs/statistics.md §9) ------------------------------


def refresh_reference_rates(year: int, members, k: int, now) -> int:
    """Compute and store the national reference rates of every window of ``year``.

    Why in every refresh, incremental or full: the rates are national, so any import of the year
    (a 1.1 export, or a 1.0 export that replaces one) may move every window's rates, and with
    them every 1.1 practice's index. The cost is bounded by one window at a time: the counted
    rows' cells (48 × 5 float64 = 1.9 KB per practice; ~19 MB for 10,000 practices) read in one
    query, summed per stratum and stored as one row per window — seven rows per year. Only the
    counted rows of known practices with cells take part (each practice once per window, by the
    one counting rule of ``uploads.models.oldest_first``). Returns the windows written.
    """
    q = connection.ops.quote_name
    where = (
        f"{q('year')} = %s AND {q('window')} = %s AND {q('counted')} AND {q('cells')} IS NOT NULL"
    )
    rate_layout = layout.ensure(casemix.RATE_NAMES)
    rows = []
    for window in WINDOWS:
        fetched = _select(("id", "practice_id", "cells", "cells_layout_id"), where, [year, window])
        fetched = [row for row in fetched if row[1] in members]
        if not fetched:
            continue
        ids, _practices, blobs, layouts = zip(*fetched, strict=True)
        cells = layout.matrix(blobs, layouts, casemix.CELL_NAMES)
        del fetched, blobs  # the rows' bytes, once they are the matrix (~19 MB nationally)
        cells = np.nan_to_num(cells, copy=False)
        cells = cells.reshape(len(ids), len(casemix.CELLS), len(casemix.FIELDS))
        published = casemix.published_rates(
            casemix.reference_rates(cells, k), _rates_key(year, window, ids)
        )
        tau2 = {
            measure: casemix.index_dispersion(cells, published.rates[measure], measure, k)
            for measure in casemix.MEASURES
        }
        blob = np.asarray(casemix.rate_vector(published, tau2), dtype="<f8").tobytes()
        rows.append((year, window, len(ids), blob, rate_layout, now))
    stale = ReferenceRates.objects.filter(year=year)
    stale._raw_delete(stale.db)
    bulk_insert(ReferenceRates, ("year", "window", "n", "rates", "layout_id", "computed_at"), rows)
    return len(rows)


def _rates_key(year, window, row_ids) -> bytes:
    """The dither key of a window's rates: a secret and its rows, as for the group statistics."""
    secret = hashlib.sha256(f"parabench-dither:{settings.SECRET_KEY}".encode()).digest()
    head = f"{year}|{window}|casemix|".encode()
    return secret + head + np.sort(np.asarray(row_ids, dtype="<i8")).tobytes()


def _sized(members, first_quarter) -> dict:
    """The memberships with each practice's size class of this year, from its counted
    first-quarter row (``groups.size_class``); practices without one have no class."""
    classes = {}
    if first_quarter is not None:
        _ids, practices, counted, stored, _growth, _never = first_quarter
        column = stored[:, COLUMN_INDEX[groups.SIZE_COLUMN]]
        for i in np.flatnonzero(counted):
            classes[int(practices[i])] = groups.size_class(float(column[i]))
    # One new Membership per distinct (membership, class), not per practice: dataclasses.replace
    # for every one of 10,000 practices cost 0.2 s of an incremental refresh (measured).
    sized: dict[tuple, groups.Membership] = {}

    def one(member, size):
        found = sized.get((member, size))
        if found is None:
            found = sized[(member, size)] = member.sized(size)
        return found

    return {pid: one(member, classes.get(pid, "")) for pid, member in members.items()}


def _by_kind_groups(year: int, members) -> set:
    """Every peer group by kind of the year, present now or stored before.

    Why all of them in an incremental recompute: a re-sent first quarter can move a practice
    to another size class, and whether a group by kind may be published depends on the size of
    the wider groups it lies in (``_differs_enough``), which every import changes. There are a
    few dozen; each is a comparison and a sort of its own rows.
    """
    # Per distinct membership: every practice's groups() cost 0.4 s at national scale.
    distinct = set(members.values())
    present = {g for m in distinct for g in m.groups() if g.kind in groups.BY_KIND}
    stored = GroupStatistics.objects.filter(year=year, kind__in=groups.BY_KIND)
    return present | {groups.Group(kind, key) for kind, key in stored.values_list("kind", "key")}


def _parent_counts(rows_of, values) -> dict:
    """(practices, values per column) of each of the wider groups ``rows_of`` (group → rows).

    Counts the groups it is given: it counted their parents instead (the national group only),
    so a size group within a province never found its province and was never published."""
    return {
        group: (rows.size, np.sum(~np.isnan(values[rows]), axis=0))
        for group, rows in rows_of.items()
    }


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


def _previous(before, practices, stored):
    """Last year's counted vector of each row's practice, as far as growth needs it (the
    columns growth is computed from; NaN elsewhere and where the practice sent nothing)."""
    previous = np.full(stored.shape, np.nan)
    if before is None or before[0].size == 0:
        return previous
    last_practices, bases = before
    order = np.argsort(last_practices)
    at = np.minimum(np.searchsorted(last_practices, practices, sorter=order), order.size - 1)
    found = last_practices[order[at]] == practices
    previous[np.ix_(found, _GROWTH_BASES)] = bases[order[at[found]]]
    return previous


def _window_statistics(year, window, ids, practices, values, member_keys, only, k, now):
    """The published statistics of every group (``disclosure.publish``): nothing else is
    computed or stored — no mean, no exact positions, no quantile a group is too small for,
    no group by kind too close to its wider group. ``member_keys``: ``_member_keys``."""
    known, all_keys = member_keys
    at = np.searchsorted(known, practices)
    keys = {kind: column[at] for kind, column in all_keys.items()}
    split = groups.split(keys, only)
    wider = {p for g in split for p in groups.parents(g)}
    parent_counts = _parent_counts(groups.split(keys, wider), values)
    floors = disclosure.column_floors()
    out = []
    for group, rows in split.items():
        n = len(rows)
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
