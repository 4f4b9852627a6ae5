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

import functools
import hashlib
import mmap
import sys
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass
from operator import itemgetter
from typing import NamedTuple

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Max, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from parabench.benchmark import casemix, disclosure, groups, layout
from parabench.benchmark.bulk import bulk_insert
from parabench.benchmark.catalogue import COLUMN_INDEX, GROWTH_KPIS
from parabench.benchmark.kpis import WINDOWS, growth_matrix, pack, with_growth
from parabench.benchmark.models import GroupKind, GroupStatistics, ReferenceRates, WindowValues
from parabench.benchmark.stats import QUANTILES, STAT_FIELDS, hd_window, transposed
from parabench.benchmark.uncertainty import group_dispersion
from parabench.flags import update_flag
from parabench.tasks import HeldSetting, kept_heap, paused_cycle_collector
from parabench.uploads.models import Import, oldest_first

_LOCK_BASE = 0x5042_0000  # "PB": advisory lock ids of the benchmark, one per year
_TAU2, _MEDIAN = STAT_FIELDS.index("tau2"), STAT_FIELDS.index("median")
_SIZE = COLUMN_INDEX[groups.SIZE_COLUMN]  # the stored column that fixes a practice's size class
# The stored columns growth figures are computed from (``kpis.growth_matrix``).
_GROWTH_BASES = np.array([COLUMN_INDEX[kpi.growth_of] for kpi in GROWTH_KPIS], dtype=np.intp)
# Beyond this share of a year's practices changed, an incremental refresh is no cheaper than a
# full one.
CHANGED_SHARE_FOR_FULL = 0.25


@paused_cycle_collector()
@kept_heap()
def recompute_practices(year: int, practice_ids) -> dict:
    """Refresh what new or changed rows of these practices in ``year`` change, nothing else.

    Marks their counted rows and refreshes their growth figures, then recomputes their groups
    (national, their regions, their networks or "without network") — for that year, and for
    the next year when one of them sent it (its growth figures compare with this year). When
    counted rows of other practices turn out to be gone since the last recompute (an import
    removed), every group may have changed: a full recompute of the year and the next one.
    """
    practice_ids = sorted({int(p) for p in practice_ids})
    members = groups.memberships()  # every practice: the national group needs them all
    only = {group for p in practice_ids if p in members for group in members[p].groups()}
    has_next = WindowValues.objects.filter(practice_id__in=practice_ids, year=year + 1).exists()
    years = [year, year + 1] if has_next else [year]
    # The statistics worker's cells of the year (``CellsCache``): only in a transaction of its
    # own, whose rows are all committed versions or its own (what makes the cache right).
    cache = None if connection.in_atomic_block else CELLS_CACHE.of_year(year)
    try:
        with transaction.atomic():
            for each in years:
                _lock(each)
            # What the last recompute saw of these practices: their size classes and their
            # counted rows (flags change only in a recompute).
            before = {each: _changed_state(each, practice_ids, members) for each in years}
            for each in years:
                mark_counted(each, practice_ids=practice_ids)
                # The year's own rows compare with the year before, which this refresh left
                # alone: only the new rows need figures. The next year's compare with this one,
                # whose counted rows may just have changed: all of them. (A burst of re-sent
                # exports left 100 practices with 511 rows each, all read for every refresh.)
                refresh_growth(each, practice_ids, unhandled_only=each == year)
            for each in years:
                sizes, rows_before, renewed = before[each]
                rows_after = _counted_rows(each, practice_ids, members)
                changed = Changed(
                    practice_ids,
                    sizes,
                    _cells_windows(rows_before, rows_after, renewed),
                    _expected_counts(each, rows_before, rows_after),
                )
                recompute_year(
                    each,
                    only=only,
                    members=members,
                    changed=changed,
                    cache=cache if each == year else None,
                )
    except RowsRemoved:
        report = recompute_all(years=_full_years(year))
        return {"years": report["years"], "practices": len(practice_ids), "full": True}
    return {"years": years, "practices": len(practice_ids), "full": False}


class RowsRemoved(Exception):
    """Counted rows of practices an incremental recompute did not change are gone since the
    last recompute: it would publish groups that still hold them."""


@dataclass(frozen=True)
class Changed:
    """What an incremental recompute of a year knows of its changed practices: who they are,
    their size classes as the last recompute saw them (practice → class, "" for none), the
    windows whose counted rows with case-mix cells changed (their reference rates must be
    computed again; no other window's can have moved), and how many counted rows each window
    must hold now if no other practice's counted row went since (``_expected_counts``)."""

    practices: list[int]
    sizes_before: dict[int, str]
    rates_windows: set[str]
    expected_counts: dict[str, int]


# A changed practice's counted row: (window, row id, whether it has case-mix cells).
CountedRow = tuple[str, int, bool]


def _counted_rows(year: int, practice_ids, members) -> set[CountedRow]:
    """The counted rows of these practices (those still practices: ``members``)."""
    rows = _rows(year, [p for p in practice_ids if p in members]).filter(counted=True)
    return {
        (window, pk, has_cells)
        for window, pk, has_cells in rows.annotate(
            has_cells=ExpressionWrapper(Q(cells__isnull=False), output_field=BooleanField())
        ).values_list("window", "pk", "has_cells")
    }


def _changed_state(
    year: int, practice_ids, members
) -> tuple[dict[int, str], set[CountedRow], set[int]]:
    """Before ``mark_counted``: the practices' size classes (``_size_classes`` of their counted
    first quarter), their counted rows, and their rows with cells no recompute has handled
    (stored or replaced since: ``ingest.store_rows`` writes no growth figures)."""
    first_quarters = _read_window(year, groups.SIZE_WINDOW, practice_ids=list(practice_ids))
    renewed = _rows(year, practice_ids).filter(growth__isnull=True, cells__isnull=False)
    return (
        _size_classes(first_quarters),
        _counted_rows(year, practice_ids, members),
        set(renewed.values_list("pk", flat=True)),
    )


def _cells_windows(before: set[CountedRow], after: set[CountedRow], renewed: set[int]) -> set[str]:
    """The windows whose counted rows with cells differ for the changed practices, or whose
    counted rows' cells may have (``renewed``: rows with cells stored or replaced since the
    last recompute).

    Why this is all that can move a window's reference rates: they are computed from every
    counted row with cells of the window (``_window_rates``), a row's cells change only when
    ``ingest.store_rows`` replaces them (the row then has no growth figures until a recompute
    handled it; it kept its id, so comparing the counted rows alone missed it), and an
    incremental recompute changes the counted flags of its practices only (rows removed since
    the last recompute make it a full one, ``_expected_counts``)."""
    with_cells = {row for row in before ^ after if row[2]}
    with_cells |= {row for row in after if row[2] and row[1] in renewed}
    return {window for window, _pk, _cells in with_cells}


def _expected_counts(year: int, before: set[CountedRow], after: set[CountedRow]) -> dict[str, int]:
    """Per window the counted rows (of known practices) the window must hold after
    ``mark_counted`` of the changed practices: what its national group held at the last
    recompute, less the changed practices' counted rows then, plus theirs now.

    Why that finds every removed row: flags change only in a recompute, rows added since are
    all changed practices' (they have no growth figures yet), and nothing but removal makes
    a counted row of another practice disappear. ``recompute_year`` compares it with the rows
    it reads anyway; counting the year's counted rows beforehand cost a scan of its heap —
    0.18–0.32 s of PostgreSQL per refresh at national scale (180 MB of rows, 2026-11-30)."""
    published = dict(
        GroupStatistics.objects.filter(year=year, kind=GroupKind.NATIONAL).values_list(
            "window", "n"
        )
    )
    expected = defaultdict(int, published)
    for window, _pk, _cells in before:
        expected[window] -= 1
    for window, _pk, _cells in after:
        expected[window] += 1
    return dict(expected)


def _full_years(year: int) -> list[int]:
    """The years a full refresh of ``year`` recomputes: it and the next one, whose growth
    figures compare with it, when that has rows."""
    if WindowValues.objects.filter(year=year + 1).exists():
        return [year, year + 1]
    return [year]


def recompute_changed(year: int) -> dict:
    """Refresh ``year`` (and the next one) after a burst of imports: the statistics refresh.

    Incremental for the practices with rows no recompute has handled yet or whose counted rows
    are no longer the right ones; a full recompute of both years when most of the year changed
    (reading everything once is then cheaper) or rows were removed since the last recompute.
    """
    changed = _changed_practices(year)
    if changed is None or (not changed and _rows_removed(year)):
        report = recompute_all(years=_full_years(year))
        return {"years": report["years"], "full": True}
    if not changed:
        return {"years": [], "full": False}
    report = recompute_practices(year, changed)
    return {"years": report["years"], "full": report["full"]}


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
        with paused_cycle_collector(), kept_heap(), transaction.atomic():
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
    ``columns`` start with "id": the rows come back in id order (``_fetch``)."""
    return _fetch(_statement(columns, where), params)


def _statement(columns, where: str, expressions=()) -> str:
    """The SELECT of ``columns`` (then ``expressions``, SQL of this module) of the window rows
    ``where`` holds. Names come from the model's metadata; values are parameters."""
    q = connection.ops.quote_name
    table = q(WindowValues._meta.db_table)
    names = ", ".join([q(c) for c in columns] + list(expressions))
    return f"SELECT {names} FROM {table} WHERE {where}"  # noqa: S608


def _fetch(sql: str, params, raw=None) -> list[tuple]:
    """The rows of ``sql`` sorted by their first column (the id).

    On PostgreSQL the rows come in binary format: blobs arrive as bytes instead of hex text
    twice their size that would have to be parsed. ``raw``: the psycopg connection to use, from
    a thread that is not the connection's (``_each_window``); Django's connection otherwise.

    Sorted here, not by ``ORDER BY``: PostgreSQL sorted a window's 10,000 rows with their blobs
    (13 MB) by an external merge on disk past its 4 MB ``work_mem`` — 60 of the 68 ms the query
    took, five to seven times per refresh (EXPLAIN ANALYZE, national world, load 5); sorting
    the fetched tuples by their id costs a few milliseconds.
    """
    if raw is not None or connection.vendor == "postgresql":
        # Django's cursors bind client-side, which allows text results only.
        import psycopg

        if raw is None:
            connection.ensure_connection()
            raw = connection.connection
        with psycopg.Cursor(raw) as binary:
            binary.execute(sql, params, binary=True)
            fetched = binary.fetchall()
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
    fetched.sort(key=itemgetter(0))
    return fetched


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
CELL_COLUMNS = ("cells", "cells_layout_id")


class WindowRows(NamedTuple):
    """A window's rows of one year in id order, their vectors by name (``layout.py``)."""

    ids: np.ndarray
    practices: np.ndarray
    counted: np.ndarray
    stored: np.ndarray
    growth: np.ndarray
    never: np.ndarray  # growth never computed, or stored in another layout than today's
    # With ``cells=True``: which rows have case-mix cells, and their cells (those rows only;
    # field by field, 5 fields × rows × 48 cells: ``casemix.by_field``).
    has_cells: np.ndarray | None = None
    cells: np.ndarray | None = None


def _read_window(
    year: int,
    window: str,
    counted: bool | None = True,
    cells: bool = False,
    practice_ids=None,
    unhandled: bool = False,
):
    """The counted rows of one window of ``year`` (``WindowRows``), or those that do not count
    (``counted=False``), or all (None); only of ``practice_ids`` when given, and only those
    whose growth figures no recompute has written in today's layout (``unhandled``). None
    when there are none.

    ``cells``: the case-mix cells come along in the same query, for the window's reference
    rates. One query instead of a second one over the same rows: 100 ms against 48 + 71 ms a
    national window (values; cells alone; wall, median of 6, PostgreSQL, load 3)."""
    sql, params = _window_query(year, window, counted, cells, practice_ids, unhandled)
    return _window_rows(_fetch(sql, params), cells)


def _window_query(
    year, window, counted=True, cells=False, practice_ids=None, unhandled=False, cache=None
):
    """The statement and parameters of ``_read_window``. ``cache`` (a ``CellsCache``, with
    ``cells``, PostgreSQL): whether a row has cells and its row version, and the cells
    themselves only when the cache holds none of the window."""
    q = connection.ops.quote_name
    where = f"{q('year')} = %s AND {q('window')} = %s"
    params = [year, window]
    if counted is not None:
        where += f" AND {'' if counted else 'NOT '}{q('counted')}"
    if practice_ids is not None:
        where += f" AND {q('practice_id')} IN ({', '.join(['%s'] * len(practice_ids))})"
        params += list(practice_ids)
    if unhandled:
        where += f" AND ({q('growth')} IS NULL OR {q('growth_layout_id')} <> %s)"
        params.append(layout.layout_id(layout.growth_names()))
    if cells and cache is not None:
        return _statement(ROW_COLUMNS, where, cache.expressions()), params
    return _statement(ROW_COLUMNS + (CELL_COLUMNS if cells else ()), where), params


def _window_rows(fetched: list[tuple], cells: bool, cached=None):
    """``WindowRows`` of a window's fetched rows (``_window_query``, in id order); None when
    there are none. ``cached``: the rows were read with a ``CellsCache`` (``_window_query``'s
    ``cache``): (that cache, year, window, the fetched cells it lacked:
    ``CellsCache.fetch_missing``)."""
    if not fetched:
        return None
    columns = list(zip(*fetched, strict=True))
    del fetched
    ids, practices, counted, blobs, layouts, growths, growth_layouts = columns[:7]
    today = layout.layout_id(layout.growth_names())
    rows = WindowRows(
        np.array(ids, dtype=np.int64),
        np.array(practices, dtype=np.int64),
        np.array(counted, dtype=bool),
        layout.matrix(blobs, layouts, layout.values_names()),
        layout.matrix(growths, growth_layouts, layout.growth_names()),
        np.array([g is None or pk != today for g, pk in zip(growths, growth_layouts, strict=True)]),
    )
    if not cells:
        return rows
    if cached is not None:
        cache, year, window, missing = cached
        has_cells = np.array(columns[7], dtype=bool)
        versions = np.array(columns[8], dtype=np.int64)[has_cells]
        del columns, blobs, growths
        matrix = cache.take(year, window, rows.ids[has_cells], versions, missing)
        return rows._replace(has_cells=has_cells, cells=matrix)
    cell_blobs, cell_layouts = columns[7:]
    del columns, blobs, growths
    has_cells = np.array([blob is not None for blob in cell_blobs], dtype=bool)
    kept = np.flatnonzero(has_cells).tolist()
    matrix = _cells_matrix([cell_blobs[i] for i in kept], [cell_layouts[i] for i in kept])
    return rows._replace(has_cells=has_cells, cells=matrix.transpose(2, 0, 1))


def _cells_matrix(blobs, layouts) -> np.ndarray:
    """Stored cells as a (rows × 48 cells × 5 fields) matrix. A name an older layout lacks
    reads as NaN: no episodes there, 0. (Not ``nan_to_num``, which also looks for infinities
    no count can be: 18 ms a window nationally.)"""
    matrix = layout.matrix(blobs, layouts, casemix.CELL_NAMES, casemix.ENCODINGS)
    np.copyto(matrix, 0.0, where=np.isnan(matrix))
    return matrix.reshape(len(blobs), len(casemix.CELLS), len(casemix.FIELDS))


class Missing(NamedTuple):
    """The cells a ``CellsCache`` lacked for a window's rows, as fetched: ids (sorted), row
    versions and cells (5 fields × rows × 48 cells)."""

    ids: np.ndarray
    versions: np.ndarray
    cells: np.ndarray


def _no_cells() -> Missing:
    empty = np.empty(0, dtype=np.int64)
    return Missing(empty, empty, np.empty((len(casemix.FIELDS), 0, len(casemix.CELLS))))


def _read_cells(where: str, params, raw=None) -> Missing:
    """The ids, row versions and cells (``_held_cells``) of the window rows ``where`` holds, in
    id order (``_fetch``; ``raw`` as there). PostgreSQL: the version is ``xmin``."""
    q = connection.ops.quote_name
    columns = ("id", "xmin::text::bigint", q("cells"), q("cells_layout_id"))
    found = _fetch(_statement((), where, columns), params, raw)
    if not found:
        return _no_cells()
    found_ids, found_versions, blobs, layouts = zip(*found, strict=True)
    del found
    return Missing(
        np.array(found_ids, dtype=np.int64),
        np.array(found_versions, dtype=np.int64),
        _held_cells(blobs, layouts),
    )


def _read_window_cells(year: int, window: str, raw=None) -> Missing:
    """Every counted row's cells of a window (``_read_cells``): what a ``CellsCache`` holds of
    it, read whole when it holds none of it — at the worker's start (``CellsCache.warm``) or,
    failing that, in its first refresh of the window (``CellsCache.fetch_missing``)."""
    q = connection.ops.quote_name
    where = f"{q('year')} = %s AND {q('window')} = %s AND {q('counted')}"
    where += f" AND {q('cells')} IS NOT NULL"
    return _read_cells(where, [year, window], raw)


class CellsCache:
    """The statistics worker's case-mix cells of one year, per window: those of the counted rows
    its last incremental refresh read (sorted ids, row versions, cells), so that the next one
    reads from the database only the cells of rows it does not hold.

    Why: every refresh after a format 1.1 import recomputes the reference rates of the windows
    the import covers from every counted row's cells — 19 MB a window nationally, 0.4–0.55 s of
    reading and 0.14 s of parsing per refresh (docs/benchmarks-statistics.md, session 13), to
    find that all but one practice's cells are the ones it read last time. The τ² of the rates
    winsorises every practice's index against the new rates, so the rates need every cell; only
    the reading can go. Measured (bench_statistics --only incremental, 2026-11-30, alternated
    with the code before): refreshes after the first 0.82–1.04 s against 0.88–1.21 s, the
    process's CPU 0.83–1.01 s against 0.89–1.18 s; peak RSS 276 MB against 250. The statistics
    worker fills it when it starts (``warm_cells``), so that its first refresh too reads only
    the import's rows.

    Why it can never give stale cells: an entry is keyed by the row's id and its version,
    PostgreSQL's ``xmin`` — the transaction that wrote that version of the row. Any change of a
    row (``ingest.store_rows`` replacing its cells) writes a new version with the writer's
    transaction id, and ids are not reused (a sequence; a rolled-back transaction's id never
    comes back), so a (row, version) the cache holds names exactly the contents read with it.
    The one exception is a transaction that changes a row twice: both versions carry its id.
    So the cache serves only a refresh in a transaction of its own (``recompute_practices``):
    every row it sees was written by a committed transaction, which can write no more, or by
    the refresh itself, which never writes cells. What a refresh publishes is the same as if it
    read every cell from the database: the same rows, the same cells in id order; several
    workers, a crash (the cache goes with the process) or the order of uploads change nothing.
    (``xmin`` wraps around after 4 billion transactions; a row would have to be written again by
    the very transaction id that wrote the version held, between two refreshes of its window.)

    Memory: one year's windows, only rows that count now (7 × 9.6 MB at national scale, as
    float32 when exact); another year, or another database, empties it.
    Privacy: it lives in the statistics worker, which answers no request, and serves only the
    national reference rates, computed from every practice's cells as before.
    """

    def __init__(self):
        self.database = None
        self.year = None
        self.windows: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def of_year(self, year: int) -> "CellsCache":
        """This cache for a refresh of ``year`` in this connection's database: emptied when it
        held another year or another database."""
        settings_dict = connection.settings_dict
        database = (settings_dict["HOST"], settings_dict["PORT"], settings_dict["NAME"])
        if (database, year) != (self.database, self.year):
            self.windows.clear()
            self.database, self.year = database, year
        return self

    def expressions(self) -> tuple[str, ...]:
        """What a window's query reads after ``ROW_COLUMNS`` instead of the cells (PostgreSQL):
        whether a row has cells (its null bitmap: the cells are not read) and its version."""
        return (f"{connection.ops.quote_name('cells')} IS NOT NULL", "xmin::text::bigint")

    def _held(self, window: str, ids, versions) -> np.ndarray:
        """Which of these rows (sorted ids and their versions) the cache holds: where, or -1."""
        entry = self.windows.get(window)
        if entry is None or not entry[0].size:
            return np.full(len(ids), -1)
        held_ids, held_versions, _cells = entry
        at = np.minimum(np.searchsorted(held_ids, ids), held_ids.size - 1)
        return np.where((held_ids[at] == ids) & (held_versions[at] == versions), at, -1)

    def fetch_missing(self, raw, year: int, window: str, fetched: list[tuple]) -> Missing:
        """The cells of the rows of ``fetched`` (a window's rows, ``_window_query`` with this
        cache) that have cells the cache lacks, read on ``raw`` (``_fetch``): by id, or all of
        the window's when it holds none of them (the worker's first refresh of the window)."""
        rows = [(row[0], row[8]) for row in fetched if row[7]]
        ids = np.array([pk for pk, _version in rows], dtype=np.int64)
        versions = np.array([version for _pk, version in rows], dtype=np.int64)
        del rows
        needed = ids[self._held(window, ids, versions) < 0]
        if not needed.size:
            return _no_cells()
        if window not in self.windows:
            return _read_window_cells(year, window, raw)
        q = connection.ops.quote_name
        return _read_cells(f"{q('id')} = ANY(%s)", [needed.tolist()], raw)

    def warm(self, year: int) -> int:
        """Hold every counted row's cells of ``year`` (``_read_window_cells``), window by window,
        as a refresh leaves them; returns how many rows. Outside any transaction only: every row
        read is then a committed version (see the class)."""
        if connection.in_atomic_block:
            return 0
        self.of_year(year)
        held = 0
        for window in WINDOWS:
            found = _read_window_cells(year, window)
            if found.ids.size:
                self.windows[window] = found
                held += found.ids.size
        return held

    def take(self, year: int, window: str, ids, versions, missing: Missing) -> np.ndarray:
        """The cells of a window's rows with cells (sorted ``ids`` and their ``versions``, as
        the window's query read them), from the cache and ``missing``; the cache then holds
        exactly these rows of the window: field by field (5 × rows × 48), as held (float32
        where exact; ``casemix.indices`` and ``reference_rates`` widen
        as they go).

        Handed out as held, not as a float64 copy: 19 MB a national window, five per refresh
        with cells, and the index's sums over cells run over contiguous numbers."""
        held = self._held(window, ids, versions)
        entry = self.windows.pop(window, None)
        found = held >= 0
        versions = np.array(versions, dtype=np.int64)
        lacking = ids[~found]
        at = np.minimum(np.searchsorted(missing.ids, lacking), max(missing.ids.size - 1, 0))
        if lacking.size and (missing.ids.size == 0 or not np.array_equal(missing.ids[at], lacking)):
            # Gone between the window's query and the cells' (another transaction's commit):
            # this refresh's view is no longer whole.
            raise RowsRemoved(f"{year} {window}: rows without their cells")
        if not found.any() and at.size == missing.ids.size:
            cells = missing.cells  # the whole window, as read
        else:
            wide = entry is not None and entry[2].dtype == np.float64
            dtype = np.float64 if wide or missing.cells.dtype == np.float64 else np.float32
            cells = _outside_heap((len(casemix.FIELDS), len(ids), len(casemix.CELLS)), dtype)
            _copy_runs(cells, entry[2] if found.any() else None, held, missing.cells, at)
        del entry
        versions[~found] = missing.versions[at]
        if year == self.year:
            self.windows[window] = (np.asarray(ids), versions, cells)
        return cells


# Beyond this many runs ``_copy_runs`` copies by fancy indexing: a loop over thousands of
# slices would cost more than the gather.
_RUNS = 256


def _copy_runs(cells, held_cells, held, missing_cells, at) -> None:
    """Fill ``cells`` (5 × rows × 48) row by row from ``held_cells`` where ``held`` gives a row
    (its position there, else -1) and from ``missing_cells`` (at ``at``, in order) elsewhere:
    ``cells[:, held >= 0] = held_cells[:, held[held >= 0]]`` and the missing rows likewise.

    Copied a run of consecutive rows at a time, not by fancy indexing: between two refreshes a
    window's rows are those held, less the changed practices' old rows, plus their new ones,
    so a handful of slices (plain copies) instead of a gather of 10,000 rows of 48 numbers in
    five fields: 3.7 against 6.4 ms a national window (``take``, best of 30, 2026-11-30)."""
    found = held >= 0
    # Where a run starts: a row held right after the previous row's held row continues a run
    # of held rows, a missing row after a missing one a run of missing rows.
    source = np.where(found, held, -1)
    breaks = np.flatnonzero(
        (found[1:] != found[:-1]) | (found[1:] & (source[1:] != source[:-1] + 1))
    )
    if breaks.size > _RUNS:  # rows held in another order (not from a refresh): at once
        cells[:, found] = held_cells[:, held[found]]
        cells[:, ~found] = missing_cells[:, at]
        return
    starts = np.concatenate(([0], breaks + 1)).tolist()
    stops = starts[1:] + [held.size]
    missing_at = np.cumsum(~found) - 1  # each missing row's place among the missing rows
    for start, stop in zip(starts, stops, strict=True):
        if not stop > start:
            continue
        if found[start]:
            first = int(held[start])
            cells[:, start:stop] = held_cells[:, first : first + stop - start]
        else:
            rows = at[missing_at[start] : missing_at[start] + stop - start]
            cells[:, start:stop] = missing_cells[:, rows]


# Rows parsed at a time for the cache (``_held_cells``): a window's cells parsed at once in the
# reader thread were 19 MB of float64 beside the window the caller works on.
_PARSED_ROWS = 2000


def _held_cells(blobs, layouts) -> np.ndarray:
    """Stored cells as the cache holds them: field by field (5 × rows × 48), as float32 when
    that is exact — whole counts up to 2**24, as cells are: half the memory, the same numbers
    — else as float64; ``_outside_heap``."""
    shape = (len(casemix.FIELDS), len(blobs), len(casemix.CELLS))
    held = _outside_heap(shape, np.float32)
    today = layout.layout_id(casemix.CELL_NAMES)
    for start in range(0, len(blobs), _PARSED_ROWS):
        part = slice(start, start + _PARSED_ROWS)
        if set(layouts[part]) == {today}:
            # As stored: uint32 (``casemix.pack_cells``) without a float64 copy of the part.
            cells = layout.stored(blobs[part], today, casemix.ENCODINGS)
            if cells.dtype != np.uint32:
                np.copyto(cells, 0.0, where=np.isnan(cells))  # as ``_cells_matrix``
        else:
            cells = _cells_matrix(blobs[part], layouts[part])
        cells = cells.reshape(-1, len(casemix.CELLS), len(casemix.FIELDS))
        if held.dtype == np.float32:
            if cells.dtype == np.uint32:
                # Whole counts (``casemix.pack_cells``): exact in float32 up to 2**24.
                narrow = cells if cells.max(initial=0) <= 2**24 else None
            else:
                # Narrowed and compared in the rows' own order, then laid out field by field:
                # 9.3 against 16.5 ms a national window with the mapping below (comparing the
                # strided field-major copy with the cells; best of 7, 2026-11-30).
                narrow = cells.astype(np.float32)
                narrow = narrow if np.array_equal(narrow, cells) else None
            if narrow is not None:
                held[:, part] = narrow.transpose(2, 0, 1)
                continue
            wide = _outside_heap(shape, np.float64)
            wide[:, : part.start] = held[:, : part.start]
            held = wide
        held[:, part] = cells.transpose(2, 0, 1)
    return held


def _outside_heap(shape, dtype) -> np.ndarray:
    """An array in memory of its own (an anonymous ``mmap``), given back to the system as soon
    as it is freed.

    Why: a refresh runs with glibc keeping freed memory in its heap (``kept_heap``), and the
    cache's arrays outlive the refresh that made them: taken from that heap, they sat between
    the refresh's freed temporaries, and the benchmark's worker grew from 267 to 297 MB at its
    second refresh (heap fragmentation). Mapped on their own they cost a page fault per 4 kB
    written once (9.6 MB a window) — unless the kernel maps every page at once
    (``MAP_POPULATE``, private: every array made here is written whole at once): 1.8 against
    4.2 ms to make and fill one window's cells, five such arrays a refresh with cells (best
    of 15, 2026-11-30)."""
    size = max(int(np.prod(shape)) * np.dtype(dtype).itemsize, 1)
    mapped = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | _POPULATE)
    return np.frombuffer(mapped, dtype=dtype, count=int(np.prod(shape))).reshape(shape)


# Linux maps every page of a populated mapping when it is made; elsewhere pages come as written.
_POPULATE = getattr(mmap, "MAP_POPULATE", 0)


# The statistics worker's cells (``CellsCache``): one per process.
CELLS_CACHE = CellsCache()


def _each_window(year: int, cells_windows, before=None, cache=None, meanwhile=None):
    """(window, its counted rows or None) for each window of ``year`` in order, as
    ``_read_window`` (with cells for ``cells_windows``). ``before``: a function of the window to
    run before its rows are read (the full recompute's pass over the rows that do not count).
    ``cache`` (a ``CellsCache``, PostgreSQL): the cells come from it, and only those it lacks
    from the database. ``meanwhile``: a function run once before the first window is handed
    out, while the thread below fetches it (when there is one; it must not use the database).

    Without ``before``, on PostgreSQL: a thread fetches the next window's rows (and any
    window without rows before it) on this transaction's connection while the caller computes
    this one's statistics. The server reads
    and sends a window (30–50 ms, about twice that with cells) in a process of its own and
    psycopg waits without the GIL, so that time overlaps with numpy on the other core instead
    of adding to it. The caller uses the connection only between fetches (psycopg's connection
    lock would make it wait otherwise), and an early exit (``RowsRemoved``) waits for a fetch
    under way before the transaction rolls back. The rows are handed over, not kept here: the
    caller frees a window's matrices as soon as it has its values.
    """
    in_turn = before is not None or connection.vendor != "postgresql"
    if in_turn:
        cache = None
    queries = [
        _window_query(year, window, cells=window in cells_windows, cache=cache)
        for window in WINDOWS
    ]
    if in_turn:
        if meanwhile is not None:
            meanwhile()
        for window, (sql, params) in zip(WINDOWS, queries, strict=True):
            if before is not None:
                before(window)
            yield window, _window_rows(_fetch(sql, params), window in cells_windows)
        return
    connection.ensure_connection()
    raw = connection.connection

    def read_from(at: int) -> list[tuple[list[tuple], list[tuple] | None]]:
        """The fetched rows of the windows from ``at`` on, up to the first that has any, each
        with the cells the cache lacks (``CellsCache.fetch_missing``; None without a cache or
        cells).

        Why not one window per fetch: a window without rows (the quarters still to come of
        the running year) gave the caller no work to overlap the next fetch with, so the next
        window with rows was read while the caller waited — 0.04 s of a national refresh, and
        0.09-0.15 s with cells (Q4 before Q1-Q2; timed per window, 2026-11-30). Empty windows
        hold nothing, so reading past them keeps one window's rows ahead, as before."""
        found = []
        for window, (sql, params) in zip(WINDOWS[at:], queries[at:], strict=True):
            fetched = _fetch(sql, params, raw)
            missing = None
            if cache is not None and window in cells_windows:
                missing = cache.fetch_missing(raw, year, window, fetched)
            found.append((fetched, missing))
            if fetched:
                break
        return found

    with _short_switches(), ThreadPoolExecutor(1, thread_name_prefix="recompute-read") as reader:
        pending, at = reader.submit(read_from, 0), 0
        if meanwhile is not None:
            meanwhile()
        while at < len(WINDOWS):
            fetched = pending.result()
            first, at = at, at + len(fetched)
            rows = [
                _window_rows(
                    each,
                    WINDOWS[i] in cells_windows,
                    None if missing is None else (cache, year, WINDOWS[i], missing),
                )
                for i, (each, missing) in enumerate(fetched, start=first)
            ]
            # The next fetch starts once these windows' fetched rows are gone (the future held
            # them): two windows' fetched rows at once were 60 MB more of the worker's peak.
            del fetched
            pending = reader.submit(read_from, at) if at < len(WINDOWS) else None
            for window in WINDOWS[first:at]:
                yield window, rows.pop(0)


# How long a thread may hold the GIL while another waits for it, during a read-ahead.
_SWITCH_SECONDS = 0.0005
_switch_before: list[float] = []  # the interval from before the first read-ahead under way


def _shorten_switches() -> None:
    _switch_before.append(sys.getswitchinterval())
    sys.setswitchinterval(_SWITCH_SECONDS)


_SHORT_SWITCHES = HeldSetting(
    _shorten_switches, lambda: sys.setswitchinterval(_switch_before.pop())
)


@contextmanager
def _short_switches():
    """Python's switch interval at ``_SWITCH_SECONDS`` instead of 5 ms while any read-ahead of
    this process runs, then as it was (``tasks.HeldSetting``: two refreshes in two threads may
    end in either order).

    Why: while the reader thread turns a window's 10,000 fetched rows into Python objects it
    holds the GIL, and the refresh's own thread, between two numpy calls, waited up to the
    whole interval for it each time. Alternated runs of bench_statistics' incremental rounds
    (2026-12-02, two pairs): the median refresh 0.70 and 0.58 against 0.73 and 0.68 s (format
    1.0), 0.86 and 0.73 against 0.94 and 0.88 s (1.1); the same digest."""
    with _SHORT_SWITCHES.held():
        yield


def _counted_by_window(year: int, practice_ids=None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """What next year's growth needs of one year (of every practice, or of ``practice_ids``):
    window → (counted practices, the columns growth is computed from). Four columns, not a
    hundred: the year before stays small."""
    found = {}
    for window in WINDOWS:
        rows = _read_window(year, window, practice_ids=practice_ids)
        if rows is not None:
            found[window] = (rows.practices, rows.stored[:, _GROWTH_BASES])
    return found


def refresh_growth(year: int, practice_ids, unhandled_only: bool = False) -> None:
    """Recompute the stored growth figures of these practices' rows of ``year``, window by
    window, as the full recompute does (``_renew_growth``). ``unhandled_only``: only the rows
    no recompute has handled yet — enough when the practices' counted rows of the year before
    did not change, for every other row's figures were computed against those.

    Why not row by row: a practice's rows of a year are every export it sent that year, and
    after a burst of re-sent exports (bench_topology: 100 practices, 73 exports each in a minute)
    an incremental refresh rewrote 51,000 rows one UPDATE at a time — 26 s and 311 MB for one
    refresh, with the statistics worker above its 300 MB."""
    practice_ids = list(practice_ids)
    before = _counted_by_window(year - 1, practice_ids)
    for window in WINDOWS:
        rows = _read_window(
            year, window, counted=None, practice_ids=practice_ids, unhandled=unhandled_only
        )
        if rows is not None:
            _renew_growth(rows, before.get(window))


def _renew_growth(rows: WindowRows, before) -> np.ndarray:
    """The growth figures of a window's ``rows`` against ``before`` (last year's counted
    practices of the window and their base columns, ``_counted_by_window``), written back where
    they changed (``_store_growth``)."""
    renewed = growth_matrix(rows.stored, _previous(before, rows.practices, rows.stored))
    _store_growth(rows.ids, rows.growth, renewed, rows.never)
    return renewed


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
    recompute is due because most of the year changed. (Rows removed since are found by the
    incremental recompute itself: ``_expected_counts``.)"""
    # Every import leaves rows without growth figures, and which row counts changes only with
    # an import (an imported export stays imported): so these are all the practices whose
    # counted rows may have changed. ``mark_counted`` then puts their flags right.
    unhandled = _rows(year).filter(growth__isnull=True).values_list("practice_id", flat=True)
    changed = set(unhandled)
    if not changed:
        return []
    published = GroupStatistics.objects.filter(year=year, kind=GroupKind.NATIONAL)
    # The year's practices: those the last recompute counted (the national group of its widest
    # window; every export carries the first quarter) and the changed ones it did not count.
    # Not COUNT(DISTINCT practice_id) of the year's rows: 0.1 s of a national refresh (load 2).
    counted_before = _rows(year, changed).filter(counted=True).values("practice_id").distinct()
    practices = max(published.values_list("n", flat=True), default=0)
    practices += len(changed) - counted_before.count()
    if len(changed) > CHANGED_SHARE_FOR_FULL * practices:
        return None
    return sorted(changed)


def _rows_removed(year: int) -> bool:
    """Whether counted rows disappeared since the last recompute: a window's counted rows no
    longer number what its national group was computed with. Only for a refresh that finds
    nothing new (one queued after an import was removed): with changed practices the
    incremental recompute finds removed rows itself, without this scan of the year's rows
    (``_expected_counts``)."""
    published = dict(
        GroupStatistics.objects.filter(year=year, kind=GroupKind.NATIONAL).values_list(
            "window", "n"
        )
    )
    counted = dict(
        _rows(year)
        .filter(counted=True)
        .values_list("window")
        .annotate(n=Count("id"))
        .values_list("window", "n")
    )
    return any(published.get(window, 0) > n for window, n in counted.items()) or any(
        window not in counted and n for window, n in published.items()
    )


# --- The statistics -----------------------------------------------------------------------------


def recompute_year(
    year: int, only=None, members=None, growth_from=None, changed=None, cache=None
) -> dict:
    """Statistics of one year, window by window, for every group or only the groups in ``only``.

    ``growth_from`` (window → last year's counted practices and vectors) recomputes and stores
    the growth figures of every row first (those that do not count in a pass of their own,
    ``_refresh_uncounted_growth``); without it the stored ones are used. Only the counted rows
    make statistics. ``changed`` (``Changed``, with ``only``): an incremental recompute —
    the groups by kind and the reference rates it may leave alone are left alone; ``cache``
    (with ``changed``): the cells come from this ``CellsCache`` where it has them. Returns the
    number of group rows and this year's counted vectors (for the next year's growth, when
    ``growth_from`` was given).
    """
    k = settings.MIN_GROUP_SIZE
    now = timezone.now()
    if members is None:
        members = groups.memberships()
    known = np.fromiter(members, dtype=np.int64, count=len(members))
    stat_rows = []
    counted_vectors = {}
    member_keys = member_cells = None
    by_kind = None  # (groups by kind to recompute, groups by kind to check) when incremental
    replaced = {}  # window → the groups recomputed in it (incremental)
    # The windows whose national reference rates are computed again (``_window_rates``).
    rates_windows = set(WINDOWS) if changed is None else changed.rates_windows
    rate_rows = []

    def uncounted(window):  # the full recompute's pass over the rows that do not count
        _refresh_uncounted_growth(year, window, growth_from.get(window))

    # The practices' keys but their size classes (known with the first window): built while
    # that window is read, when the caller would otherwise wait for it — 19–24 ms of a
    # national refresh (2026-11-30).
    unsized = []
    # Read before the windows: asked for while the thread below reads them, this query waited
    # for the connection, 20–50 ms of a national refresh (2026-11-30).
    stored = _stored_by_kind(year) if only is not None else set()
    # Read ahead (``_each_window``) unless the full recompute writes growth figures between its
    # reads: its pass over the rows that do not count must not overlap the next window's rows
    # (memory). Closed on every way out, so that no read is under way when the caller's
    # transaction ends (``RowsRemoved``).
    windows = _each_window(
        year,
        rates_windows,
        before=None if growth_from is None else uncounted,
        cache=None if changed is None else cache,
        meanwhile=lambda: unsized.append(_unsized_keys(members)),
    )
    # The incremental refresh's second core: half of each large sort (``_sort_rows``).
    helper = None if changed is None else _sort_helper()
    with closing(windows):
        for window, rows in windows:
            if window == groups.SIZE_WINDOW:  # the first window read: the year's size classes
                classes = _size_classes(rows)
                member_keys = _member_keys(unsized.pop(), classes)
                member_cells = _member_cells(member_keys)
                if only is not None:
                    by_kind = _by_kind_groups(members, classes, member_keys, changed, stored)
            if changed is not None:
                found = (
                    0 if rows is None else int(np.isin(rows.practices[rows.counted], known).sum())
                )
                if found != changed.expected_counts.get(window, 0):
                    raise RowsRemoved(f"{year} {window}: {found} counted rows")
            if rows is None:
                if only is not None:  # nothing counts here (any more): the groups' rows go
                    replaced[window] = set(only) | by_kind[0]
                continue
            ids, practices, counted, stored, growth = (
                rows.ids,
                rows.practices,
                rows.counted,
                rows.stored,
                rows.growth,
            )
            use = counted & np.isin(practices, known)
            if rows.cells is not None:
                rate_rows += _window_rates(year, window, rows, use, k, now)
            if growth_from is not None:
                growth = _renew_growth(rows, growth_from.get(window))
                counted_vectors[window] = (practices, stored[:, _GROWTH_BASES])
            if use.all():  # an incremental recompute reads only counted rows: no copies to take
                values = with_growth(stored, growth)
            else:
                values, ids, practices = (
                    with_growth(stored[use], growth[use]),
                    ids[use],
                    practices[use],
                )
            # This window's matrices (and its cells) go before its statistics are computed,
            # while the next window is fetched: otherwise two windows' worth (~40 MB at
            # national scale, 60 with cells) lived at once.
            del rows, stored, growth
            at = _positions(member_keys, practices)
            keys = _row_keys(member_keys, at)
            present = ~np.isnan(values)
            counts = _cell_counts(member_cells, at, present)
            wanted = only
            if only is not None:
                forced, checked = by_kind
                moved = _may_flip(checked, counts, k, len(changed.practices)) if checked else ()
                wanted = replaced[window] = set(only) | forced | set(moved)
            stat_rows += _window_statistics(
                year, window, ids, values, keys, counts, wanted, k, now, helper
            )
            del values, present
    _replace(year, None if only is None else replaced, stat_rows)
    _store_rates(year, None if changed is None else rates_windows, rate_rows)
    return {"groups": len(stat_rows), "counted": counted_vectors}


def _refresh_uncounted_growth(year: int, window: str, before) -> None:
    """A full recompute's growth figures of the window's rows that do not count (older exports,
    whose own dashboards still show them): ``before`` is last year's counted practices and
    vectors of the window (``_counted_by_window``).

    A pass of their own before the counted rows are read: they take part in no statistic, and
    read together with the counted rows they added their matrices to the window's. A full
    recompute of bench_topology's world after its burst (10,000 practices, 7,300 re-sent
    exports) peaked at 241 MB before this pass (71a7eea), 207 MB after."""
    rows = _read_window(year, window, counted=False)
    if rows is not None:
        _renew_growth(rows, before)


def _unsized_keys(members) -> tuple[np.ndarray, dict]:
    """Every practice's group keys per kind (``groups.row_keys``) but its size class:
    (sorted practice ids, keys aligned with them), for ``_member_keys``."""
    ids = np.array(sorted(members), dtype=np.int64)
    return ids, groups.row_keys([members[int(p)] for p in ids])


def _member_keys(unsized, classes: dict[int, str]) -> tuple[np.ndarray, dict]:
    """Every practice's group keys per kind (``_unsized_keys``) with its size class of the
    year (``classes``, ``_size_classes``), built once per year and picked per window by
    position: (sorted practice ids, keys aligned with them). Building them from the
    memberships twice per window cost 1.5 s of a 48 s national year (cProfile, load 25).

    The size keys are set here, not through a sized Membership per practice: hashing 10,000
    memberships and copying 4,600 distinct ones cost 0.1 s of a national refresh (cProfile)."""
    ids, keys = unsized
    size = np.array([classes.get(p, "") for p in ids.tolist()], dtype=str)
    province = keys[GroupKind.REGION]
    both = (province != "") & (size != "")
    keys[GroupKind.SIZE] = size
    keys[GroupKind.REGION_SIZE] = np.where(both, np.char.add(np.char.add(province, ":"), size), "")
    return ids, keys


def warm_weights() -> int:
    """Compute the Harrell–Davis weights (``stats.hd_window``) of every group size the stored
    statistics of the latest year hold, for each quantile it is computed at; returns how many
    (size, quantile) pairs. The statistics worker runs it when it starts
    (``signals.warm_statistics_weights``).

    Why: a fresh process computed the weights of every size a refresh met first — 1,525
    (n, q) and 0.18 s of the first national refresh after a start (cProfile, 2026-11-30), the
    slowest refresh of the benchmark. A refresh's groups are the stored groups with a few
    values more or less, so most sizes it meets are stored ones. The weights are the same
    however they got into the cache: it is a function of (n, q) alone."""
    year = _latest_year()
    if year is None:
        return 0
    k = settings.MIN_GROUP_SIZE
    minimum = disclosure.minimum_sizes(k)
    stored = GroupStatistics.objects.filter(year=year, stats__isnull=False).values_list(
        "stats", "statistics_id", "columns_id"
    )
    sizes = set()
    for blob, statistics_id, columns_id in stored.iterator(chunk_size=500):
        n = layout.table(blob, statistics_id, columns_id, ("n",), layout.column_names())[0]
        sizes.update(np.unique(n[n >= k]).astype(int).tolist())
    pairs = [(n, q) for n in sorted(sizes) for name, q in QUANTILES.items() if n >= minimum[name]]
    for n, q in pairs:
        hd_window(n, q)
    return len(pairs)


def warm_cells() -> int:
    """Fill the statistics worker's ``CELLS_CACHE`` with the latest year's counted case-mix
    cells (``CellsCache.warm``); returns how many rows. The statistics worker runs it when it
    starts, after ``warm_weights`` (``signals.warm_statistics_weights``); PostgreSQL only (the
    cache serves its reader only), never inside a transaction.

    Why: the first format 1.1 refresh of a process read every counted row's cells of the
    windows the import covers (9.6 MB a national window), the slowest refresh of the benchmark
    (1.23 s against a median of 1.01, docs/benchmarks-statistics.md, session 20); warmed, it
    reads only the import's rows, as the refreshes after it do: its CPU 1.35 and 1.46 s against
    1.54 and 1.55 (bench_statistics' incremental child, alternated with main, load 3-5,
    2026-12-02), for 0.55-0.97 s at the worker's start (50,000 rows)."""
    if connection.vendor != "postgresql":
        return 0
    year = _latest_year()
    return 0 if year is None else CELLS_CACHE.warm(year)


def _latest_year() -> int | None:
    """The latest year with stored statistics: the year the statistics worker refreshes most."""
    return GroupStatistics.objects.aggregate(latest=Max("year"))["latest"]


# --- The national case-mix reference rates (docs/statistics.md §9) ------------------------------


def _window_rates(year: int, window: str, rows: WindowRows, use, k: int, now) -> list[tuple]:
    """The national reference rates of one window (its row of ``ReferenceRates``, or none):
    from the cells of every counted row of a known practice that has cells (``use``: the
    window's counted rows of known practices), each practice once by the one counting rule of
    ``uploads.models.oldest_first``.

    Why in every refresh, incremental or full: the rates are national, so any import of the year
    (a 1.1 export, or a 1.0 export that replaces one) may move every window's rates, and with
    them every 1.1 practice's index. Why only some windows in an incremental one
    (``Changed.rates_windows``): a window whose counted rows with cells are the same rows has
    the same rates; an import of a 1.0 export that replaced a 1.0 export leaves every window
    alone. The cost is one window at a time: its cells (48 × 5 float64 = 1.9 KB per practice;
    ~19 MB for 10,000 practices), read with the window's vectors (``_read_window``), summed per
    stratum and stored as one row per window — seven rows per year.
    """
    taken = use[rows.has_cells]
    if not taken.any():
        return []
    ids = rows.ids[rows.has_cells][taken]
    cells = rows.cells if taken.all() else rows.cells[:, taken]
    published = casemix.published_rates(
        casemix.reference_rates(cells, k), _rates_key(year, window, ids)
    )
    tau2 = {
        measure: casemix.index_dispersion(cells, published.rates[measure], measure, k)
        for measure in casemix.MEASURES
    }
    blob = np.asarray(casemix.rate_vector(published, tau2), dtype="<f8").tobytes()
    return [(year, window, len(ids), blob, layout.layout_id(casemix.RATE_NAMES), now)]


def _store_rates(year: int, windows, rows) -> None:
    """Replace the reference rates of ``windows`` of ``year`` (None: every window) by ``rows``
    (``_window_rates``); a window without rows has no rates any more."""
    if windows is not None and not windows:
        return
    stale = ReferenceRates.objects.filter(year=year)
    if windows is not None:
        stale = stale.filter(window__in=list(windows))
    stale._raw_delete(stale.db)
    if rows:
        layout.ensure(casemix.RATE_NAMES)
    bulk_insert(ReferenceRates, ("year", "window", "n", "rates", "layout_id", "computed_at"), rows)


def _rates_key(year, window, row_ids) -> bytes:
    """The dither key of a window's rates: a secret and its rows, as for the group statistics."""
    secret = hashlib.sha256(f"parabench-dither:{settings.SECRET_KEY}".encode()).digest()
    head = f"{year}|{window}|casemix|".encode()
    return secret + head + np.sort(np.asarray(row_ids, dtype="<i8")).tobytes()


def _size_classes(first_quarter) -> dict[int, str]:
    """Each practice's size class of this year, from its counted first-quarter row
    (``groups.size_class``); practices without one are absent (no class)."""
    if first_quarter is None:
        return {}
    counted = first_quarter.counted
    named = groups.size_classes(first_quarter.stored[counted, _SIZE]).tolist()
    return dict(zip(first_quarter.practices[counted].tolist(), named, strict=True))


def _stored_by_kind(year: int) -> set:
    """The groups by kind the last recompute of ``year`` stored (``_by_kind_groups``)."""
    stored = GroupStatistics.objects.filter(year=year, kind__in=groups.BY_KIND)
    return {groups.Group(kind, key) for kind, key in stored.values_list("kind", "key")}


def _by_kind_groups(members, classes, member_keys, changed, stored: set) -> tuple[set, set]:
    """The peer groups by kind an incremental recompute of ``year`` must recompute, and those
    it must check (``_may_flip``): (groups, groups).

    Must: every group by kind a changed practice lies in now or lay in at the last recompute
    (a re-sent first quarter can move it to another size class): their rows changed. Check:
    every other one present now or stored before — its rows are the same, but whether it may
    be published depends on the counts of the wider groups it lies in (``_differs_enough``),
    which the changed practices' rows move. Without ``changed``: all of them, none to check.
    ``stored``: the groups by kind stored before (``_stored_by_kind``).

    Why not all of them, as before: together they hold every practice twice (by size, and by
    province and size), so recomputing them sorted twice the national group's values per
    window — half of an incremental refresh at national scale (cProfile, 10,000 practices).
    """
    # From every practice's keys (``_member_keys``): the distinct memberships' groups() cost
    # 0.1 s of a national refresh once size classes multiplied them (4,600; cProfile).
    _ids, keys = member_keys
    present = {
        groups.Group(kind, str(key))
        for kind in groups.BY_KIND
        for key in np.unique(keys[kind])
        if key
    }
    every = present | stored
    if changed is None:
        return every, set()
    forced = set()
    for practice in changed.practices:
        member = members.get(practice)
        if member is None:
            continue
        now = member.sized(classes.get(practice, ""))
        old = member.sized(changed.sizes_before.get(practice, ""))
        forced |= {g for m in (now, old) for g in m.groups() if g.kind in groups.BY_KIND}
    return forced, every - forced


def _may_flip(checked, counts, k: int, changed: int) -> list:
    """The groups of ``checked`` (groups by kind whose rows did not change) whose publication
    may have changed: for some wider group, the practices (or a column's values) outside the
    group number within ``changed`` of k (``_differs_enough`` compares them with k).
    ``counts``: the window's ``_cell_counts``.

    Why that bound is exact: each changed practice adds or takes at most one row of a window
    to a wider group, so each count moved by at most ``changed`` since the last recompute; a
    margin of at least k + ``changed`` was at least k before, one below k − ``changed`` was
    below k before — the same decision. Everything else about such a group (its rows, their
    values and ids, hence its dither) is what the last recompute published."""
    parent_counts = _parent_counts(checked, counts)
    found = []
    for group in checked:
        n, column_n = _counts_of(counts, group)
        if n < k:  # published as n alone whatever its wider groups hold (or not there at all)
            continue
        for parent in groups.parents(group):
            total, per_column = parent_counts[parent]
            margins = np.append(per_column - column_n, total - n)
            if np.any((margins >= k - changed) & (margins < k + changed)):
                found.append(group)
                break
    return found


def _parent_counts(of_groups, counts) -> dict:
    """(practices, values per column) of each wider group of the groups ``of_groups``, from the
    window's ``_cell_counts``.

    Counts the wider groups themselves: it counted their parents instead (the national group
    only), so a size group within a province never found its province and was never
    published."""
    wider = {parent for group in of_groups for parent in groups.parents(group)}
    return {parent: _counts_of(counts, parent) for parent in wider}


# The keys a group by kind and its wider groups are made of: practices alike in all of them
# (a "cell") lie in the same such groups, so these groups' counts are sums of cells' counts.
_CELL_KINDS = (GroupKind.REGION, GroupKind.SIZE, GroupKind.PROFILE, GroupKind.REGION_SIZE)


class CellCounts(NamedTuple):
    """A window's rows and defined values per column of each cell (``_cell_counts``)."""

    keys: dict[str, np.ndarray]  # per kind of ``_CELL_KINDS``, each cell's key
    rows: np.ndarray  # rows per cell
    columns: np.ndarray  # cells × columns: defined values


def _member_cells(member_keys) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Each practice's cell (aligned with ``_member_keys``) and, per kind of ``_CELL_KINDS``,
    each cell's key; once per year, as the keys."""
    _ids, keys = member_keys
    codes = [np.unique(keys[kind], return_inverse=True)[1] for kind in _CELL_KINDS[:3]]
    combined = np.ravel_multi_index(codes, [c.max(initial=0) + 1 for c in codes])
    _cells, first, of_member = np.unique(combined, return_index=True, return_inverse=True)
    return of_member, {kind: keys[kind][first] for kind in _CELL_KINDS}


def _cell_counts(member_cells, at, present) -> CellCounts:
    """Rows and defined values per column of each cell among a window's rows (``at``: their
    practices' ``_positions``, ``present``: ``~np.isnan(values)``).

    Why: the groups by kind are published only when they differ enough from their wider groups
    (``_differs_enough``), which counted each group's and each wider group's values on the rows
    of each — every practice four to six times per window, 0.07–0.14 s of a national incremental
    refresh (``_may_flip``, 2026-11-30); counted per cell, each row is counted once and every
    group's counts are sums of a few dozen cells' (integers: the same counts)."""
    of_member, cell_keys = member_cells
    of_row = of_member[at]
    order = np.argsort(of_row, kind="stable")
    ordered = of_row[order]
    starts = np.flatnonzero(np.diff(ordered, prepend=-1))
    cells = len(next(iter(cell_keys.values())))
    rows = np.zeros(cells, dtype=np.int64)
    columns = np.zeros((cells, present.shape[1]), dtype=np.int64)
    if starts.size:
        rows[ordered[starts]] = np.diff(np.append(starts, ordered.size))
        columns[ordered[starts]] = np.add.reduceat(present[order], starts, axis=0, dtype=np.int64)
    return CellCounts(cell_keys, rows, columns)


def _counts_of(counts: CellCounts, group) -> tuple[int, np.ndarray]:
    """(practices, values per column) of a group by kind or a wider group of one, from the
    window's ``_cell_counts``."""
    if group.kind == GroupKind.NATIONAL:
        return int(counts.rows.sum()), counts.columns.sum(axis=0)
    cells = counts.keys[group.kind] == group.key
    return int(counts.rows[cells].sum()), counts.columns[cells].sum(axis=0)


def _of_rows(matrix, rows):
    """The group's rows of a window's matrix; the matrix itself for a group of every row (the
    national one, whose rows are all rows in order): no copy of 10,000 × 160 numbers."""
    return matrix if rows.size == matrix.shape[0] else matrix[rows]


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


def _positions(member_keys, practices) -> np.ndarray:
    """Where each row's practice lies in ``_member_keys`` (and ``_member_cells``): looked up
    once per window for ``_row_keys`` and ``_cell_counts``, which each looked it up again
    (``np.searchsorted``, about 1 ms a national window)."""
    return np.searchsorted(member_keys[0], practices)


def _row_keys(member_keys, at) -> dict[str, np.ndarray]:
    """Each row's group keys per kind (``groups.row_keys``), from ``_member_keys``; ``at``:
    the rows' ``_positions``."""
    return {kind: column[at] for kind, column in member_keys[1].items()}


def _window_statistics(year, window, ids, values, keys, counts, only, k, now, helper=None):
    """The published statistics of every group (``disclosure.publish``): nothing else is
    computed or stored — no mean, no exact positions, no quantile a group is too small for,
    no group by kind too close to its wider group. ``keys``: ``_row_keys``; ``counts``:
    ``_cell_counts``; ``helper``: a thread that sorts half of a large group (``_sort_rows``)."""
    split = groups.split(keys, only)
    parent_counts = _parent_counts(split, counts)
    floors = disclosure.column_floors()
    out = []
    for group, rows in split.items():
        n = len(rows)
        columns = None
        if n >= k and group.kind in groups.BY_KIND:
            _n, column_n = _counts_of(counts, group)
            publishable, columns = _differs_enough(group, n, column_n, parent_counts, k)
            if not publishable:
                out.append(_stat_row(year, window, group, n, None, now))
                continue
        if n < k:
            out.append(_stat_row(year, window, group, n, None, now))
            continue
        group_values = _of_rows(values, rows)
        # Each column sorted as one contiguous row of a transposed copy, in place. Not
        # ``np.sort(group_values.T, axis=1)``: its copy kept the rows' layout, so every column
        # went through a strided buffer — 24 ms against 1.6 + 9 ms (``stats.transposed``,
        # sort) a national window of 10,000 × 160 (best of 10, 2026-11-30). The same sort of
        # the same values; ``describe_sorted`` takes its windows of them by fancy indexing,
        # which gives the same (column-major) copy from either layout: the same products.
        ordered = transposed(group_values)
        _sort_rows(ordered, helper)
        key = _dither_key(year, window, group, ids[rows])
        published = disclosure.publish(ordered.T, k, floors, key)
        del ordered
        # The funnel's over-dispersion around the published median (uncertainty.py).
        published[_TAU2] = group_dispersion(group_values, published[_MEDIAN])
        if columns is not None:
            published[1:, ~columns] = np.nan
        out.append(_stat_row(year, window, group, n, published, now))
    return out


# From this many members on, an incremental refresh sorts a group's columns on two cores.
_SPLIT_SORT = 1000


@functools.cache
def _sort_helper() -> ThreadPoolExecutor:
    """The thread that sorts half of an incremental refresh's large groups (``_sort_rows``):
    one for the life of the process. Why not one per refresh: glibc gives a new thread the heap
    of a thread that ended, so a helper made per refresh took over the heap the last refresh's
    window reader had kept, the next reader took a new one, and the benchmark's statistics
    process grew from 205 to 225–233 MB after its first refresh (2026-12-02)."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="recompute-sort")


def _sort_rows(matrix: np.ndarray, helper=None) -> None:
    """Sort each row of ``matrix`` in place (NaN last); with ``helper`` (a one-thread pool) and
    rows of at least ``_SPLIT_SORT`` values, the first half of the rows in that thread meanwhile.

    Why: numpy sorts in place without the GIL and allocates nothing, so the thread needs no
    memory of its own. The slowest of five refreshes after a 1.1 import: 0.93–0.96 s against
    0.97–1.26 s on one core (bench_statistics' incremental rounds, three alternated runs,
    2026-12-02, Zen 4 on numpy's AVX2 sort, ``parabench.cpu``, both with glibc's
    MALLOC_ARENA_MAX=1; the sorts are then about a tenth of a refresh). Only the incremental
    refresh does so, whose target is the wall time of one refresh; the full recompute stays on
    one core, like the numpy baseline it is measured against. (A window's reference rates in a
    thread of their own as well, tried the same day, made no refresh faster: the threads fought
    over the two cores.)"""
    if helper is None or matrix.shape[1] < _SPLIT_SORT or matrix.shape[0] < 2:
        matrix.sort(axis=1)
        return
    half = matrix.shape[0] // 2
    first = helper.submit(matrix[:half].sort, axis=1)
    try:
        matrix[half:].sort(axis=1)
    finally:
        first.result()


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
    """Delete the old rows of exactly these groups (``only``: window → groups; None: every
    group of the year) and write the new ones in bulk.

    No percentile positions are stored (a practice's position is read from the published
    figures, ``disclosure.band``)."""
    stats = GroupStatistics.objects.filter(year=year)
    if only is not None:
        condition = Q(pk__in=[])
        for window, wanted in only.items():
            if wanted:
                condition |= Q(window=window) & _group_filter(wanted)
        stats = stats.filter(condition)
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
