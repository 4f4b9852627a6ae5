"""What the dashboard may read: a practice's own figures beside its group's published statistics.

The only door from the benchmark to a page. Every answer is built from the practice's own rows
and the stored group statistics, which hold only what may be published (``disclosure.py``): the
quantiles a group is large enough for, rounded, never a mean. It never carries min, max or any
other practice's value, the exact size of a group (only its band), or a position computed from
anything but the published figures; for a group below MIN_GROUP_SIZE it carries nothing about
the group at all.
"""

import functools
from collections import namedtuple
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

import numpy as np
from django.conf import settings
from django.db import connection
from psycopg.pq import Format

from parabench.benchmark import casemix, disclosure, groups, layout
from parabench.benchmark import catalogue as cat
from parabench.benchmark.kpis import (
    QUARTER_WINDOWS,
    WINDOWS,
    YTD_WINDOWS,
    dashboard_window,
    with_growth,
)
from parabench.benchmark.models import GroupStatistics, ReferenceRates, WindowValues
from parabench.benchmark.stats import QUANTILES, STAT_FIELDS
from parabench.benchmark.uncertainty import LEVELS, Judgement, judge
from parabench_format.models import FORMAT_1_1

TREND_KPIS = (
    "patients",
    "new_patients",
    "episodes",
    "sessions",
    "revenue",
    "sessions_per_episode",
    "revenue_per_session",
    "no_show_rate",
)
_WIDER = {
    "network": ("region", "national"),
    "region": ("national",),
    "national": (),
    "size": ("national",),
    "region_size": ("region", "size", "national"),
    "profile": ("national",),
}


@dataclass(frozen=True)
class Window:
    code: str
    begin: date
    end: date


@dataclass(frozen=True)
class GroupInfo:
    choice: str  # "national", "region", "network" (also for "without network"): groups.CHOICES
    label: str
    size: tuple[int, int | None] | None  # published band (disclosure.size_band); None: too small
    too_small: bool
    wider: str | None  # the wider group kind that has figures, when this one is too small


@dataclass(frozen=True)
class GroupStats:
    """The published figures of one KPI: the median always, the others only from their group
    size on (``disclosure.minimum_sizes``); there is no mean."""

    size: tuple[int, int | None]  # the band of the number of practices with a value
    median: float
    p25: float | None = None
    p75: float | None = None
    p10: float | None = None
    p90: float | None = None
    # The group's over-dispersion (uncertainty.py): shown only through the funnel's limits.
    tau2: float | None = None

    def published(self) -> dict[str, float]:
        """The quantiles that are published, by name, in QUANTILES order."""
        return {name: getattr(self, name) for name in QUANTILES if getattr(self, name) is not None}


@dataclass(frozen=True)
class KpiFigure:
    code: str
    name: str
    unit: str
    theme: str  # catalogue.THEMES key
    better: str | None
    number_format: str
    explanation: str
    value: float | None
    stats: GroupStats | None
    band: str | None  # where the value lies among the published quantiles ("p25-median", …)
    position: str | None  # "below", "around", "above" the middle (P25–P75, or the median)
    # "better" / "worse" (beyond chance, with a direction), "high" / "low" (beyond chance, no
    # direction), "within" (the normal spread), "size" (a size indicator: never a verdict);
    # None when there is nothing to compare with.
    verdict: str | None
    judgement: Judgement | None = None  # interval, limits and side (uncertainty.py)
    # Beside a crude KPI that has one (``catalogue.INDEX_OF_MEASURE``): its case-mix adjusted
    # index as a figure of its own (value, interval, verdict against the national expectation
    # 1,00), or None with the reason in ``adjusted_missing``: "format" (a 1.0 export has no
    # cells), "stored" (a 1.1 export imported before cells were stored), "reference" (no
    # national reference for a cell it has episodes in, or none yet for the window), "episodes"
    # (no closed episodes). The welcome symbol and the funnel use the index when there is one
    # (docs/statistics.md §9).
    adjusted: "KpiFigure | None" = None
    adjusted_missing: str | None = None


class MixShare(NamedTuple):
    """One category of a mix: its catalogue key (``female.age_0_17``), its label, the practice's
    share and the group's median share, in %."""

    key: str
    label: str
    practice: float | None
    group: float | None


@dataclass(frozen=True)
class MixFigure:
    code: str
    name: str
    theme: str  # catalogue.THEMES key
    explanation: str
    categories: list[MixShare]


@dataclass(frozen=True)
class InsurerFigures:
    """One insurer concern's figures (``catalogue.INSURER_MEASURES``), each a ``KpiFigure``
    whose code is its storage column (``insurer.cz.revenue_per_patient``)."""

    key: str
    label: str
    figures: list[KpiFigure]


@dataclass(frozen=True)
class Dashboard:
    window: Window
    group: GroupInfo
    kpis: list[KpiFigure]
    mixes: list[MixFigure]
    insurers: list[InsurerFigures] = ()


class TrendPoint(NamedTuple):
    # A tuple, not a dataclass: the Trends tab builds hundreds per page.
    label: str
    kind: str  # "quarter" or "year"
    year: int
    window: str
    value: float | None
    group_median: float | None
    growth: float | None  # against the same period one year earlier, %


@dataclass(frozen=True)
class TrendSeries:
    code: str
    name: str
    unit: str
    number_format: str
    better: str | None
    explanation: str
    points: list[TrendPoint]


@dataclass(frozen=True)
class Trends:
    group: GroupInfo
    series: list[TrendSeries]


def catalogue() -> list[cat.KpiDefinition]:
    return list(cat.KPIS)


def mixes() -> list[cat.MixDefinition]:
    return list(cat.MIXES)


def catalogue_insurer_measures() -> list[cat.KpiDefinition]:
    return list(cat.INSURER_MEASURES)


def _plain(values: np.ndarray) -> list[float | None]:
    return [None if v != v else v for v in values.tolist()]  # NaN → None


def _window_of(imp) -> Window:
    quarters = (imp.period_end.month - 1) // 3 + 1
    code = dashboard_window(quarters)
    return Window(code, date(imp.year, 1, 1), imp.period_end)


def windows_of(imp) -> list[Window]:
    """Every window an import carries (its quarters and year-to-date windows up to its period's
    end), quarters first: what a download of all its figures lists."""
    last = (imp.period_end.month - 1) // 3 + 1
    found = []
    for code in WINDOWS:
        first, _dash, final = code.partition("-")
        begin_q, end_q = int(first.removeprefix("Q")), int((final or first).removeprefix("Q"))
        if end_q <= last:
            end = date(imp.year, end_q * 3 % 12 + 1, 1) if end_q < 4 else date(imp.year + 1, 1, 1)
            found.append(Window(code, date(imp.year, begin_q * 3 - 2, 1), end - timedelta(days=1)))
    return found


# The read path of every dashboard page: plain SQL through Django's connection, because building
# the same few ORM queries cost more than running them (docs/dashboard.md, Performance). Table and
# column names come from the models' metadata; every selected column has an alias, and rows come
# back as named tuples by those aliases.
def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _columns(*names: str) -> list[str]:
    return [connection.ops.quote_name(name) for name in names]


@functools.cache
def _row_type(names: tuple[str, ...]) -> type:
    return namedtuple("Row", names)


# A stored row's version on PostgreSQL: its xmin (the transaction that wrote it), which changes
# with every write of the row; read as a number (xid has no cast to bigint but through text).
# The per-process caches of group rows are keyed by (row id, this): ``_kept_figures``, Trends'.
_ROW_VERSION = "xmin::text::bigint"


def _binary_results() -> bool:
    """Whether this connection's cursors may return binary results: on PostgreSQL where Django
    binds parameters server-side (the portal's prepared statements, settings.py); a client-side
    cursor returns text only."""
    return (
        connection.vendor == "postgresql"
        and connection.settings_dict["OPTIONS"].get("server_side_binding") is True
    )


def _select(sql: str, params) -> list:
    """The rows of ``sql`` as named tuples, named by its column aliases."""
    with connection.cursor() as cursor:
        if _binary_results():
            # Results in PostgreSQL's binary format (this cursor only: the same Python values
            # for the integers, texts and blobs these statements read). In text a blob comes as
            # hex, twice its size, written by the server and unescaped by libpq: a Trends page's
            # 48 stored rows were 4.3 of its 29 M instructions in PQunescapeBytea (callgrind,
            # issue 18, session 18).
            cursor.cursor.format = Format.BINARY
        cursor.execute(sql, params)
        row = _row_type(tuple(column[0] for column in cursor.description))
        return [row._make(values) for values in cursor.fetchall()]


class _StatRow(NamedTuple):
    n: int
    stats: bytes | None  # None: no statistics stored, or not read (``kept``)
    statistics_layout: int | None = None  # the names of the rows of ``stats``
    columns_layout: int | None = None  # the names of its columns
    # (row id, xmin) of a row whose statistics are stored but were not read with it: PostgreSQL's
    # dashboard read (``_own_and_group``); ``_group_figures`` reads them when not kept.
    kept: tuple[int, int] | None = None


def _own_values(row) -> dict[str, float | None]:
    """A stored row's values with its growth KPIs beside them, by column name (cat.COLUMNS)."""
    stored = layout.vector(row.own_values, row.own_layout, layout.values_names())
    growth = layout.vector(row.own_growth, row.own_growth_layout, layout.growth_names())
    return dict(zip(cat.COLUMNS, _plain(with_growth(stored, growth)[0]), strict=True))


def _stat_row(year: int, window: str, group) -> _StatRow | None:
    if group is None:
        return None
    year_col, window_col, kind, key, n, stats, statistics, columns = _columns(
        "year", "window", "kind", "key", "n", "stats", "statistics_id", "columns_id"
    )
    rows = _select(
        f"SELECT {n} AS n, {stats} AS stats, {statistics} AS statistics_layout, "  # noqa: S608
        f"{columns} AS columns_layout FROM {_table(GroupStatistics)} "
        f"WHERE {year_col} = %s AND {window_col} = %s AND {kind} = %s AND {key} = %s",
        [year, window, group.kind, group.key],
    )
    if not rows:
        return None
    row = rows[0]
    return _StatRow(row.n, row.stats, row.statistics_layout, row.columns_layout)


def membership_of(imp, choice: str = "size") -> groups.Membership:
    """The practice's groups for this import: its size class from the import's own first
    quarter (a class derived from its own figures, which it may know), the rest from the
    practice's current data. The first quarter is read only when ``choice`` needs it."""
    if choice not in ("size", "region_size"):
        return groups.membership(imp.practice)
    values, values_layout, imp_id, window = _columns("values", "layout_id", "imp_id", "window")
    rows = _select(
        f"SELECT {values} AS first_quarter, {values_layout} AS layout "  # noqa: S608
        f"FROM {_table(WindowValues)} "
        f"WHERE {imp_id} = %s AND {window} = %s",
        [imp.pk, groups.SIZE_WINDOW],
    )
    patients = None
    if rows:
        row = rows[0]
        patients = float(layout.vector(row.first_quarter, row.layout, (groups.SIZE_COLUMN,))[0])
    return groups.membership(imp.practice, groups.size_class(patients))


# The statement's text written once per database and form (with or without a group): building
# it quoted 14 names and joined a dozen f-strings on every page (about 1 % of a theme tab's
# CPU under py-spy, the 20-client mix of bench_dashboard; issue 18, session 17).
@functools.cache
def _own_and_group_statement(vendor: str, with_group: bool) -> str:
    pk, values, growth, imp_id, year, window_col, kind, key, n, stats = _columns(
        "id", "values", "growth", "imp_id", "year", "window", "kind", "key", "n", "stats"
    )
    values_layout, growth_layout, statistics, columns = _columns(
        "layout_id", "growth_layout_id", "statistics_id", "columns_id"
    )
    # One row always (either half may be missing): both hang off a one-row source.
    cells, cells_layout, rates, rates_layout = _columns(
        "cells", "cells_layout_id", "rates", "layout_id"
    )
    select = (
        f"SELECT w.{pk} AS own_id, w.{values} AS own_values, w.{values_layout} AS own_layout, "
        f"w.{growth} AS own_growth, w.{growth_layout} AS own_growth_layout, "
        f"w.{cells} AS own_cells, w.{cells_layout} AS own_cells_layout, "
        f"r.{n} AS rates_n, r.{rates} AS rates, r.{rates_layout} AS rates_layout"
    )
    joins = (
        f"FROM (SELECT 1 AS one) k LEFT JOIN {_table(WindowValues)} w "
        f"ON w.{imp_id} = %s AND w.{window_col} = %s "
        f"LEFT JOIN {_table(ReferenceRates)} r ON r.{year} = %s AND r.{window_col} = %s"
    )
    if with_group:
        # On PostgreSQL the group's row by (id, xmin), its matrix read only by a process that
        # does not keep it decoded (``_kept_figures``); elsewhere the matrix itself.
        kept = (
            f"NULL AS group_stats, CASE WHEN s.{stats} IS NULL THEN NULL ELSE s.{pk} END "
            f"AS group_id, s.{_ROW_VERSION} AS group_version"
            if vendor == "postgresql"
            else f"s.{stats} AS group_stats, NULL AS group_id, NULL AS group_version"
        )
        select += (
            f", s.{n} AS group_n, {kept}, "
            f"s.{statistics} AS group_statistics_layout, s.{columns} AS group_columns_layout"
        )
        joins += (
            f" LEFT JOIN {_table(GroupStatistics)} s ON s.{year} = %s AND s.{window_col} = %s "
            f"AND s.{kind} = %s AND s.{key} = %s"
        )
    return f"{select} {joins}"


def _own_and_group(imp, window: str, group) -> tuple[dict | None, _StatRow | None, "_Adjusted"]:
    """The import's own values by column name (None without a row), the group's statistics and
    the import's case-mix indices (its own cells against the window's national rates), in one
    round trip: the halves of every page."""
    params = [imp.pk, window, imp.year, window]
    if group is not None:
        params += [imp.year, window, group.kind, group.key]
    (row,) = _select(_own_and_group_statement(connection.vendor, group is not None), params)
    own = None if row.own_id is None else _own_values(row)
    adjusted = _adjusted(row, imp.format_version) if own is not None else _NO_INDEX
    stat_row = None
    if group is not None and row.group_n is not None:
        stat_row = _StatRow(
            row.group_n,
            row.group_stats,
            row.group_statistics_layout,
            row.group_columns_layout,
            None if row.group_id is None else (row.group_id, row.group_version),
        )
    return own, stat_row, adjusted


def _min_size() -> int:
    return settings.MIN_GROUP_SIZE


# --- The case-mix adjusted indices (read time: own cells × stored national rates) ---------------


class _Adjusted(NamedTuple):
    """Per measure the practice's index (``casemix.Index``) or why it has none."""

    indexes: dict[str, casemix.Index]
    missing: dict[str, str]
    tau2: dict[str, float]
    practices: int  # the practices the national reference was computed from


def _adjusted(row, format_version: str) -> _Adjusted:
    """The indices of one stored row: its own cells against the stored reference of its
    window. A 1.0 row has no cells ("format"); nor has a 1.1 row stored before the cells were
    kept ("stored": ``manage.py rebuild_kpis`` stores them from the kept export); a window
    without a stored reference (or below k practices with cells) or a cell without a rate gives
    no index for that measure."""
    if row.own_cells is None:
        reason = "stored" if format_version == FORMAT_1_1 else "format"
        return _Adjusted({}, dict.fromkeys(casemix.MEASURES, reason), {}, 0)
    cells = layout.vector(
        row.own_cells, row.own_cells_layout, casemix.CELL_NAMES, casemix.ENCODINGS
    )
    cells = np.nan_to_num(cells).reshape(len(casemix.CELLS), len(casemix.FIELDS))
    if not cells[:, casemix.EPISODES].sum():
        return _Adjusted({}, dict.fromkeys(casemix.MEASURES, "episodes"), {}, 0)
    if row.rates is None or row.rates_n < _min_size():
        return _Adjusted({}, dict.fromkeys(casemix.MEASURES, "reference"), {}, 0)
    vector = layout.vector(row.rates, row.rates_layout, casemix.RATE_NAMES)
    rates, tau2 = casemix.unpack_rates(vector)
    indexes, missing = {}, {}
    for measure in casemix.MEASURES:
        index = casemix.indirect_standardisation(cells, rates[measure], measure)
        if index is None:
            missing[measure] = "reference"
        else:
            indexes[measure] = index
    return _Adjusted(indexes, missing, tau2, int(row.rates_n))


def _index_figure(measure: str, adjusted: _Adjusted) -> KpiFigure:
    """An index as a figure of its own: the national expectation 1,00 stands where a KPI has
    the group's median (``stats.median``), the national τ² of the indices widens its funnel."""
    definition = cat.INDEX_BY_CODE[cat.INDEX_OF_MEASURE[measure]]
    index = adjusted.indexes[measure]
    tau2 = adjusted.tau2.get(measure)
    judgement = casemix.judge_index(index, tau2)
    expected = GroupStats(
        size=disclosure.size_band(adjusted.practices),
        median=1.0,
        tau2=None if tau2 is None or tau2 != tau2 else tau2,
    )
    return KpiFigure(
        code=definition.code,
        name=definition.name,
        unit=definition.unit,
        theme=definition.theme,
        better=definition.better,
        number_format=definition.number_format,
        explanation=definition.explanation,
        value=index.value,
        stats=expected,
        band=None,
        position=None,
        verdict=_verdict(judgement, definition.better),
        judgement=judgement,
    )


_NO_INDEX = _Adjusted({}, {}, {}, 0)  # no row of the import for the window: nothing to say


def _with_index(crude: str, adjusted: _Adjusted) -> dict:
    """The ``adjusted`` and ``adjusted_missing`` fields of the crude KPI ``crude``."""
    measure = next((m for m, code in casemix.CRUDE_KPIS.items() if code == crude), None)
    if measure is None or (measure not in adjusted.indexes and measure not in adjusted.missing):
        return {}
    if measure in adjusted.indexes:
        return {"adjusted": _index_figure(measure, adjusted)}
    return {"adjusted_missing": adjusted.missing.get(measure, "reference")}


# Where each statistic is in a stored matrix read in today's layout (one row per STAT_FIELDS
# entry, one column per cat.COLUMNS entry).
_STAT_ROW = {name: i for i, name in enumerate(STAT_FIELDS)}


class _GroupFigures:
    """The published figures of one stored statistics matrix, by column: each column's
    ``GroupStats`` made when first asked for, then kept with the matrix."""

    def __init__(self, matrix: list[list[float]], min_size: int):
        self._matrix = matrix
        self._min_size = min_size
        self._found: dict[str, GroupStats | None] = {}

    def get(self, column: str) -> GroupStats | None:
        if column not in self._found:
            self._found[column] = _column_stats(self._matrix, column, self._min_size)
        return self._found[column]


def _group_figures(row: _StatRow | None) -> _GroupFigures | None:
    """The group's published figures by column, if they may be served now (k may have been
    raised since)."""
    if _served_size(row) is None:
        return None
    if row.kept is not None:
        return _kept_figures(*row.kept, row.statistics_layout, row.columns_layout, _min_size())
    return _decoded(bytes(row.stats), row.statistics_layout, row.columns_layout, _min_size())


# The decoded matrix of a group's row by (id, xmin) on PostgreSQL, per process: a refresh
# deletes and writes a group's rows anew and any update gives a row a new xmin (as for Trends'
# ``_KEPT_ROWS``), so an entry is never served for another version of its row. Every page sent
# the group's 9 KB matrix from the database as hex text for libpq to unescape and Python to copy
# and hash (``_decoded``'s key), though a process keeps few groups' and every member of a group
# reads the same: PQunescapeBytea alone was 2.5 % of a page's instructions (callgrind, issue 18,
# session 18). A row gone since its (id, xmin) was read (a refresh in between) has no figures.
@functools.lru_cache(maxsize=128)
def _kept_figures(
    row_id: int, version: int, statistics_layout: int, columns_layout: int, min_size: int
) -> _GroupFigures | None:
    pk, stats = _columns("id", "stats")
    rows = _select(
        f"SELECT {stats} AS stats FROM {_table(GroupStatistics)} WHERE {pk} = %s",  # noqa: S608
        [row_id],
    )
    if not rows or rows[0].stats is None:
        return None
    # Decoded here, not through ``_decoded``'s cache: this entry keeps the figures already, and
    # that cache would hold the same matrix again under its 9 KB bytes as the key.
    return _decoded.__wrapped__(bytes(rows[0].stats), statistics_layout, columns_layout, min_size)


# Decoded once per stored matrix and process, keyed by its content: a refresh that changes the
# group's figures changes the key, so nothing is served stale and nothing needs clearing. The
# national group's matrix is every practice's, a region's every practice of the province; each
# page decoded it again and made a GroupStats per column (Welkom: 117 columns, 0.7 ms of a 9 ms
# page, national data, 2026-11-29). At most 128 matrices of 9 KB (7 statistics × 163 columns).
@functools.lru_cache(maxsize=128)
def _decoded(
    stats: bytes, statistics_layout: int, columns_layout: int, min_size: int
) -> _GroupFigures | None:
    matrix = layout.table(stats, statistics_layout, columns_layout, STAT_FIELDS, cat.COLUMNS)
    return None if matrix is None else _GroupFigures(matrix.tolist(), min_size)


def _column_stats(matrix: list[list[float]], column: str, min_size: int) -> GroupStats | None:
    index = cat.COLUMN_INDEX[column]
    found = {}
    for name, row in _STAT_ROW.items():
        value = matrix[row][index]
        if value == value:  # NaN: not computed for this column
            found[name] = value
    n, median = found.get("n"), found.get("median")
    if n is None or n < min_size or median is None:
        return None
    published = {name: found[name] for name in QUANTILES if name in found}
    return GroupStats(size=disclosure.size_band(int(n)), tau2=found.get("tau2"), **published)


def _servable(year: int, window: str, group: groups.Group | None) -> bool:
    return _served_size(_stat_row(year, window, group)) is not None


def _served_size(row: _StatRow | None) -> int | None:
    """The group's size if its statistics may be served now (k may have been raised since)."""
    if row is None or (row.stats is None and row.kept is None) or row.n < _min_size():
        return None
    return row.n


def _group_info(practice, member, group, n: int | None, year, window, choice) -> GroupInfo:
    """``n``: the group's size if its statistics may be served, else None."""
    too_small = n is None
    wider = None
    if too_small:
        for candidate in _WIDER[choice]:
            if _servable(year, window, member.group(candidate)):
                wider = candidate
                break
    label = groups.choice_label(group, choice, groups.network_name(group, practice))
    return GroupInfo(
        choice=choice,
        label=label,
        size=None if n is None else disclosure.size_band(n),
        too_small=too_small,
        wider=wider,
    )


def _verdict(judgement: Judgement, better: str | None) -> str | None:
    """The verdict only beyond chance: outside the funnel's 95 % limits at the practice's n."""
    if judgement.kind == "none":
        return None
    if judgement.kind == "size":
        return "size"
    if judgement.side is None:
        return None
    if judgement.side == "within":
        return "within"
    if better is None:
        return "high" if judgement.side == "above" else "low"
    good = "above" if better == "higher" else "below"
    return "better" if judgement.side == good else "worse"


def dashboard_for(
    imp,
    group: str,
    theme: str | None = None,
    window: Window | None = None,
    per_insurer: bool = True,
    levels: tuple[float, ...] = LEVELS,
    intervals: bool = True,
) -> Dashboard:
    """The figures of import ``imp`` against ``group`` ("national", "region" or "network");
    with ``theme`` (a catalogue.THEMES key) only that theme's KPIs and mixes; with ``window``
    (one of ``windows_of(imp)``) that window instead of the dashboard's year-to-date one.
    ``per_insurer=False`` leaves out the figures per insurer concern (``insurers``), which the
    Welkom tab does not show: judging them was a fifth of its time. ``levels`` and
    ``intervals``: for a page without the KPIs' cards, judgements with only the limits and
    intervals it shows (``uncertainty.judge``)."""
    if group not in groups.CHOICES:
        raise ValueError(f"unknown comparison group: {group!r}")
    practice = imp.practice
    member = membership_of(imp, group)
    chosen = member.group(group)
    window = window or _window_of(imp)
    own_values, stat_row, adjusted = _own_and_group(imp, window.code, chosen)
    own_values = own_values or {}
    info = _group_info(
        practice, member, chosen, _served_size(stat_row), imp.year, window.code, group
    )
    group_figures = None if info.too_small else _group_figures(stat_row)

    def figure(kpi, column: str) -> KpiFigure:
        value = own_values.get(column)
        stats = None if group_figures is None else group_figures.get(column)
        published = {} if stats is None else stats.published()
        judgement = judge(
            column,
            value,
            own_values,
            *((None,) * 4 if stats is None else (stats.median, stats.p25, stats.p75, stats.tau2)),
            levels=levels,
            interval=intervals,
        )
        return KpiFigure(
            code=column,
            name=kpi.name,
            unit=kpi.unit,
            theme=kpi.theme,
            better=kpi.better,
            number_format=kpi.number_format,
            explanation=kpi.explanation,
            value=value,
            stats=stats,
            band=disclosure.band(value, published),
            position=disclosure.side(value, published),
            verdict=None if stats is None else _verdict(judgement, kpi.better),
            judgement=judgement,
            **_with_index(column, adjusted),
        )

    figures = [figure(kpi, kpi.code) for kpi in cat.KPIS if theme in (None, kpi.theme)]
    insurers = []
    if per_insurer and theme in (None, "insurers"):
        insurers = [
            InsurerFigures(
                concern.key,
                concern.label,
                [
                    figure(measure, cat.insurer_column(concern.key, measure.code))
                    for measure in cat.INSURER_MEASURES
                ],
            )
            for concern in cat.INSURER_CONCERNS
        ]

    mix_figures = []
    for mix in cat.MIXES:
        if theme not in (None, mix.theme):
            continue
        categories = []
        for category in mix.categories:
            column = mix.column(category.key)
            stats = None if group_figures is None else group_figures.get(column)
            median = None if stats is None else stats.median
            share = own_values.get(column)
            categories.append(MixShare(category.key, category.label, share, median))
        mix_figures.append(MixFigure(mix.code, mix.name, mix.theme, mix.explanation, categories))
    return Dashboard(window=window, group=info, kpis=figures, mixes=mix_figures, insurers=insurers)


def headline(imp, codes, group: str = "national") -> dict[str, tuple[float | None, float | None]]:
    """(own value, the group's published median or None) of a few KPIs of the import's dashboard
    window: the header figures of every page, without the verdicts and the rest of the tab."""
    member = membership_of(imp, group)
    chosen = member.group(group)
    window = _window_of(imp)
    own_values, stat_row, _indices = _own_and_group(imp, window.code, chosen)
    figures = _group_figures(stat_row)
    found = {}
    for code in codes:
        value = None if own_values is None else own_values[code]
        stats = None if figures is None else figures.get(code)
        found[code] = (value, None if stats is None else stats.median)
    return found


def _medians(years, windows, group, codes) -> tuple[dict, dict]:
    """The group's median of each KPI in ``codes`` per (year, window), by code — None where that
    KPI's n is below the minimum size — and the group's served size per (year, window); a
    (year, window) whose group is too small is absent from both.

    Reads only the n row and the median row of each stored statistics matrix written in the
    current layouts (``substr`` on the blob, one row of float64s each), not all rows: a practice
    with ten years of imports has fifty of them behind one Trends page. A matrix in another
    layout (written before the catalogue changed) is read whole and mapped by name. On
    PostgreSQL the two rows of a matrix are kept per process (``_kept_rows``).
    """
    year, window_col, n, stats, kind, key, statistics, columns = _columns(
        "year", "window", "n", "stats", "kind", "key", "statistics_id", "columns_id"
    )
    years, windows = list(years), list(windows)
    postgres = connection.vendor == "postgresql"
    version = _ROW_VERSION if postgres else "NULL"
    sql = (
        f"SELECT id, {version} AS version, {year} AS year, {window_col} AS window_code, "  # noqa: S608
        f"{n} AS n, {statistics} AS rows_layout, {columns} AS columns_layout "
        f"FROM {_table(GroupStatistics)} WHERE {kind} = %s AND {key} = %s "
        f"AND {year} IN ({', '.join(['%s'] * len(years))}) "
        f"AND {window_col} IN ({', '.join(['%s'] * len(windows))}) AND {stats} IS NOT NULL"
    )
    minimum = _min_size()
    rows = [
        row for row in _select(sql, [group.kind, group.key, *years, *windows]) if row.n >= minimum
    ]
    found, sizes = {}, {}
    codes = tuple(codes)
    todo = []
    for row in rows:
        medians = _KEPT_MEDIANS.get((row.id, row.version, codes, minimum)) if postgres else None
        if medians is None:
            todo.append(row)
        else:
            sizes[(row.year, row.window_code)] = row.n
            found[(row.year, row.window_code)] = medians
    if not todo:
        return found, sizes
    names = layout.column_names()
    current_layouts = (layout.layout_id(layout.statistic_names()), layout.layout_id(names))
    kept = _kept_rows(todo) if postgres else {}
    missing = [row.id for row in todo if (row.id, row.version) not in kept]
    read = _matrix_rows(missing, current_layouts, names)
    position = {name: i for i, name in enumerate(names)}
    indexes = [position[code] for code in codes]
    for row in todo:
        counts_values = kept.get((row.id, row.version)) or read.get(row.id)
        if counts_values is None:
            continue
        counts, values = counts_values
        if counts is None:  # an older layout: the whole matrix, mapped by name
            counts, values = layout.table(
                values, row.rows_layout, row.columns_layout, ("n", "median"), tuple(codes)
            )
        else:
            counts, values = counts[indexes], values[indexes]
        if postgres and row.id in read:  # read: exactly the rows not kept yet
            _remember(row, read[row.id])
        sizes[(row.year, row.window_code)] = row.n
        medians = {
            code: float(v) if c >= minimum else None
            for code, c, v in zip(codes, counts, values, strict=True)
        }
        if postgres:
            _remember_medians((row.id, row.version, codes, minimum), medians)
        found[(row.year, row.window_code)] = medians
    return found, sizes


def _matrix_rows(ids, current_layouts, names) -> dict:
    """id → (the n row, the median row) of these statistics rows as arrays of every column, or
    (None, the whole matrix's bytes) for a row written in an older layout."""
    if not ids:
        return {}
    stats, statistics, columns = _columns("stats", "statistics_id", "columns_id")
    row_bytes = len(names) * np.dtype("<f8").itemsize
    current = f"{statistics} = %s AND {columns} = %s"
    sql = (
        f"SELECT id, CASE WHEN {current} THEN substr({stats}, 1, {row_bytes}) "  # noqa: S608
        f"ELSE {stats} END AS first, "
        f"CASE WHEN {current} THEN substr({stats}, {_STAT_ROW['median'] * row_bytes + 1}, "
        f"{row_bytes}) END AS median_row "
        f"FROM {_table(GroupStatistics)} WHERE id IN ({', '.join(['%s'] * len(ids))})"
    )
    read = {}
    for row in _select(sql, [*current_layouts, *current_layouts, *ids]):
        if row.first is None:
            continue
        if row.median_row is None:
            read[row.id] = (None, bytes(row.first))
        else:
            read[row.id] = (
                np.frombuffer(bytes(row.first), dtype="<f8"),
                np.frombuffer(bytes(row.median_row), dtype="<f8"),
            )
    return read


# The n and median rows of the group statistics matrices Trends has read, per process, by
# (row id, PostgreSQL's xmin): a refresh deletes and writes a group's rows anew and any update
# gives a row a new xmin, so an entry is never served for another version of its row; a row no
# page asks for again just stays until the bound clears them all. The national group's rows are
# every practice's, a region's every practice of the province: their two slices were read from
# the TOAST table on every Trends page (about 1 ms of the database's time for ten years of
# quarters, 58 rows). 4,096 entries of 2.6 KB.
_KEPT_ROWS: dict[tuple[int, int], tuple] = {}
_KEPT_ROWS_MAX = 4096


# And the medians by code made of them, per (row id, xmin, codes, minimum size): a Trends page
# made a dict of floats out of 58 rows' numpy slices every time (a fifth of trends_for's CPU,
# cProfile; 37.4 → 36.2 M instructions a Trends page, bench/page_instructions.py, issue 18,
# session 11). Shared by every page that reads the row: callers only read them.
_KEPT_MEDIANS: dict[tuple, dict] = {}


def _remember_medians(key: tuple, medians: dict) -> None:
    if len(_KEPT_MEDIANS) >= _KEPT_ROWS_MAX:
        _KEPT_MEDIANS.clear()
    _KEPT_MEDIANS[key] = medians


def _kept_rows(rows) -> dict:
    return {
        (row.id, row.version): _KEPT_ROWS[(row.id, row.version)]
        for row in rows
        if (row.id, row.version) in _KEPT_ROWS
    }


def _remember(row, counts_values) -> None:
    if counts_values[0] is None:  # an older layout: mapped by name each time, not kept
        return
    if len(_KEPT_ROWS) >= _KEPT_ROWS_MAX:
        _KEPT_ROWS.clear()
    _KEPT_ROWS[(row.id, row.version)] = counts_values


def trends_for(imp, group: str, codes=TREND_KPIS, quarters_of: str | None = None) -> Trends:
    """Quarters and full years across all the practice's imports, against the group's median.

    The import's own year comes from the import itself (so an older import shows what it sent);
    other years from the practice's counted rows. Growth compares with the same window one year
    earlier of the practice's own figures. With ``quarters_of`` (a code) only that series has
    its quarters, the others their full years: the Trends tab shows one KPI's quarters beside
    every KPI's years, and built about 340 points a page it did not show.
    """
    if group not in groups.CHOICES:
        raise ValueError(f"unknown comparison group: {group!r}")
    practice = imp.practice
    member = membership_of(imp, group)
    chosen = member.group(group)
    windows = (*QUARTER_WINDOWS, "Q1-Q4")
    codes = tuple(codes)
    # Other years: the practice's counted rows; the import's own year: the import's rows.
    year, window_col, values, practice_id, counted, imp_id, values_layout = _columns(
        "year", "window", "values", "practice_id", "counted", "imp_id", "layout_id"
    )
    sql = (
        f"SELECT {year} AS year, {window_col} AS window_code, {values} AS own_values, "  # noqa: S608
        f"{values_layout} AS own_layout FROM {_table(WindowValues)} "
        f"WHERE {practice_id} = %s AND {window_col} IN ({', '.join(['%s'] * len(windows))}) "
        f"AND (({counted} = %s AND {year} <> %s) OR {imp_id} = %s)"
    )
    # Per (year, window): the practice's value of each trend KPI, by code. The rows' vectors
    # decoded as one matrix (``layout.matrix``: one mapping per layout) rather than one by one:
    # a practice with ten years of imports has about 50 rows here.
    rows = _select(sql, [imp.practice_id, *windows, True, imp.year, imp.pk])
    blobs, layouts = [row.own_values for row in rows], [row.own_layout for row in rows]
    values = layout.matrix(blobs, layouts, codes)
    own: dict[tuple[int, str], dict] = {
        (row.year, row.window_code): dict(zip(codes, _plain(vector), strict=True))
        for row, vector in zip(rows, values, strict=True)
    }

    # The group's size for the caption comes from the import's own (year-to-date) window.
    own_window = _window_of(imp)
    medians: dict[tuple[int, str], dict] = {}
    if chosen is not None and own:
        years = {year for year, _ in own} | {imp.year}
        medians, sizes = _medians(years, {*windows, own_window.code}, chosen, codes)
        n = sizes.get((imp.year, own_window.code))
    else:
        n = _served_size(_stat_row(imp.year, own_window.code, chosen))
    info = _group_info(practice, member, chosen, n, imp.year, own_window.code, group)

    # Quarters first, then the full years; each in time order.
    ordered = sorted(own, key=lambda period: (period[1] == "Q1-Q4", *period))
    labels = {
        (year, window): str(year) if window == "Q1-Q4" else f"{year} K{window.removeprefix('Q')}"
        for year, window in ordered
    }
    full_years = [period for period in ordered if period[1] == "Q1-Q4"]
    series = []
    for code in codes:
        kpi = cat.KPI_BY_CODE[code]
        points = []
        for year, window in ordered if quarters_of in (None, code) else full_years:
            value = own[(year, window)][code]
            previous = own.get((year - 1, window), {}).get(code)
            growth = None
            if value is not None and previous is not None and previous > 0:
                growth = (value - previous) / previous * 100.0
            points.append(
                TrendPoint(
                    label=labels[(year, window)],
                    kind="year" if window == "Q1-Q4" else "quarter",
                    year=year,
                    window=window,
                    value=value,
                    group_median=medians.get((year, window), {}).get(code),
                    growth=growth,
                )
            )
        series.append(
            TrendSeries(
                code=kpi.code,
                name=kpi.name,
                unit=kpi.unit,
                number_format=kpi.number_format,
                better=kpi.better,
                explanation=kpi.explanation,
                points=points,
            )
        )
    return Trends(group=info, series=series)


def group_figures(year: int, window: str, group, codes) -> tuple[tuple | None, dict]:
    """The published figures of one group, year and window for the columns ``codes``: (size
    band, {code: GroupStats}) — exactly what a member's dashboard serves, nothing else; (None,
    {}) when the group may not be shown. For pages about a group rather than a practice (the
    network coordinator's)."""
    row = _stat_row(year, window, group)
    n = _served_size(row)
    if n is None:
        return None, {}
    figures = _group_figures(row)
    found = {}
    for code in codes:
        stats = None if figures is None else figures.get(code)
        if stats is not None:
            found[code] = stats
    return disclosure.size_band(n), found


def group_periods(group) -> list[tuple[int, str]]:
    """(year, year-to-date window) of each year the group has servable statistics for, newest
    year first, each with its widest window (a whole year, or the current year so far)."""
    rows = GroupStatistics.objects.filter(
        kind=group.kind, key=group.key, window__in=YTD_WINDOWS, stats__isnull=False
    ).values_list("year", "window", "n")
    widest: dict[int, str] = {}
    for year, window, n in rows:
        if n >= _min_size() and YTD_WINDOWS.index(window) >= YTD_WINDOWS.index(
            widest.get(year, window)
        ):
            widest[year] = window
    return sorted(widest.items(), reverse=True)
