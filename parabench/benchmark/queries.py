"""What the dashboard may read: a practice's own figures beside its group's published statistics.

The only door from the benchmark to a page. Every answer is built from the practice's own rows
and the stored group statistics, which hold only what may be published (``disclosure.py``): the
quantiles a group is large enough for, rounded, never a mean. It never carries min, max or any
other practice's value, the exact size of a group (only its band), or a position computed from
anything but the published figures; for a group below MIN_GROUP_SIZE it carries nothing about
the group at all.
"""

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

import numpy as np
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from parabench.benchmark import catalogue as cat
from parabench.benchmark import disclosure, layout
from parabench.benchmark import groups as grouping
from parabench.benchmark.kpis import QUARTER_WINDOWS, WINDOWS, dashboard_window, with_growth
from parabench.benchmark.models import GroupStatistics, WindowValues
from parabench.benchmark.stats import QUANTILES, STAT_FIELDS
from parabench.benchmark.uncertainty import Judgement, judge

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
_WIDER = {"network": ("region", "national"), "region": ("national",), "national": ()}


@dataclass(frozen=True)
class Window:
    code: str
    begin: date
    end: date


@dataclass(frozen=True)
class GroupInfo:
    kind: str  # "national", "region", "network" (also for "without network")
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
    tab: str
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


@dataclass(frozen=True)
class MixFigure:
    code: str
    name: str
    tab: str
    explanation: str
    categories: list[tuple[str, float | None, float | None]]  # label, practice %, group median %


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


def _number(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


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
        begin_q, end_q = int(first[1]), int((final or first)[1])
        if end_q <= last:
            end = date(imp.year, end_q * 3 % 12 + 1, 1) if end_q < 4 else date(imp.year + 1, 1, 1)
            found.append(Window(code, date(imp.year, begin_q * 3 - 2, 1), end - timedelta(days=1)))
    return found


# The read path of every dashboard page: plain SQL through Django's connection, because building
# the same few ORM queries cost more than running them. Table and column names come from the
# models' metadata.
def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _columns(*names: str) -> list[str]:
    return [connection.ops.quote_name(name) for name in names]


def _fetchone(sql: str, params) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


class _StatRow(NamedTuple):
    n: int
    stats: bytes | None
    statistics_layout: int | None = None  # the names of the rows of ``stats``
    columns_layout: int | None = None  # the names of its columns


def _own_vector(values, values_layout, growth, growth_layout) -> np.ndarray:
    """A stored row's values with its growth KPIs beside them (→ COLUMNS), read by name."""
    stored = layout.vector(values, values_layout, layout.values_names())
    growth = layout.vector(growth, growth_layout, layout.growth_names())
    return with_growth(stored, growth)[0]


def _stat_row(year: int, window: str, group) -> _StatRow | None:
    if group is None:
        return None
    year_col, window_col, kind, key, n, stats = _columns(
        "year", "window", "kind", "key", "n", "stats"
    )
    row = _fetchone(
        f"SELECT {n}, {stats} FROM {_table(GroupStatistics)} WHERE {year_col} = %s "  # noqa: S608
        f"AND {window_col} = %s AND {kind} = %s AND {key} = %s",
        [year, window, group.kind, group.key],
    )
    return None if row is None else _StatRow(*row)


def _own_and_group(imp, window: str, group):
    """The import's own row ((values with growth, row id) or None) and the group's statistics,
    in one round trip: the two halves of every page."""
    pk, values, growth, imp_id, year, window_col, kind, key, n, stats = _columns(
        "id", "values", "growth", "imp_id", "year", "window", "kind", "key", "n", "stats"
    )
    values_layout, growth_layout, statistics, columns = _columns(
        "layout_id", "growth_layout_id", "statistics_id", "columns_id"
    )
    # One row always (either half may be missing): both hang off a one-row source.
    select = f"SELECT w.{pk}, w.{values}, w.{values_layout}, w.{growth}, w.{growth_layout}"
    joins = (
        f"FROM (SELECT 1 AS one) k LEFT JOIN {_table(WindowValues)} w "
        f"ON w.{imp_id} = %s AND w.{window_col} = %s"
    )
    params = [imp.pk, window]
    if group is not None:
        select += f", s.{n}, s.{stats}, s.{statistics}, s.{columns}"
        joins += (
            f" LEFT JOIN {_table(GroupStatistics)} s ON s.{year} = %s AND s.{window_col} = %s "
            f"AND s.{kind} = %s AND s.{key} = %s"
        )
        params += [imp.year, window, group.kind, group.key]
    row = _fetchone(f"{select} {joins}", params)
    own = None if row[0] is None else (_own_vector(*row[1:5]), row[0])
    stat_row = None if group is None or row[5] is None else _StatRow(*row[5:])
    return own, stat_row


def _min_size() -> int:
    return settings.MIN_GROUP_SIZE


def _group_matrix(row: _StatRow | None) -> list[list[float]] | None:
    """The stored statistics (one list per STAT_FIELDS entry) if they may be served now (k may
    have been raised since)."""
    if _served_size(row) is None:
        return None
    matrix = layout.table(
        row.stats, row.statistics_layout, row.columns_layout, STAT_FIELDS, cat.COLUMNS
    )
    return None if matrix is None else matrix.tolist()


def _column_stats(matrix: list[list[float]] | None, column: str) -> GroupStats | None:
    if matrix is None:
        return None
    index = cat.COLUMN_INDEX[column]
    if index >= len(matrix[0]):
        return None
    n = matrix[0][index]
    median = matrix[STAT_FIELDS.index("median")][index]
    if n != n or n < _min_size() or median != median:  # NaN: not computed for this column
        return None
    published = {}
    for name in QUANTILES:
        value = matrix[STAT_FIELDS.index(name)][index]
        if value == value:
            published[name] = value
    tau2 = matrix[STAT_FIELDS.index("tau2")][index]
    return GroupStats(
        size=disclosure.size_band(int(n)), tau2=None if tau2 != tau2 else tau2, **published
    )


def _servable(year: int, window: str, group: grouping.Group | None) -> bool:
    return _served_size(_stat_row(year, window, group)) is not None


def _served_size(row: _StatRow | None) -> int | None:
    """The group's size if its statistics may be served now (k may have been raised since)."""
    if row is None or row.stats is None or row.n < _min_size():
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
    label = _("Regio onbekend") if group is None else grouping.label(group, practice)
    return GroupInfo(
        kind=choice,
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
    imp, group: str, tab: str | None = None, window: Window | None = None
) -> Dashboard:
    """The figures of import ``imp`` against ``group`` ("national", "region" or "network");
    with ``tab`` (a catalogue tab) only that tab's KPIs and mixes; with ``window`` (one of
    ``windows_of(imp)``) that window instead of the dashboard's year-to-date one."""
    if group not in grouping.CHOICES:
        raise ValueError(f"unknown comparison group: {group!r}")
    practice = imp.practice
    member = grouping.membership(practice)
    chosen = member.group(group)
    window = window or _window_of(imp)
    own, stat_row = _own_and_group(imp, window.code, chosen)
    vector = None if own is None else _plain(own[0])
    info = _group_info(
        practice, member, chosen, _served_size(stat_row), imp.year, window.code, group
    )
    matrix = None if info.too_small else _group_matrix(stat_row)

    own_values = {} if vector is None else dict(zip(cat.COLUMNS, vector, strict=True))

    def figure(kpi, column: str) -> KpiFigure:
        value = None if vector is None else vector[cat.COLUMN_INDEX[column]]
        stats = _column_stats(matrix, column)
        published = {} if stats is None else stats.published()
        judgement = judge(
            column,
            value,
            own_values,
            *((None,) * 4 if stats is None else (stats.median, stats.p25, stats.p75, stats.tau2)),
        )
        return KpiFigure(
            code=column,
            name=kpi.name,
            unit=kpi.unit,
            tab=kpi.tab,
            better=kpi.better,
            number_format=kpi.number_format,
            explanation=kpi.explanation,
            value=value,
            stats=stats,
            band=disclosure.band(value, published),
            position=disclosure.side(value, published),
            verdict=None if stats is None else _verdict(judgement, kpi.better),
            judgement=judgement,
        )

    figures = [figure(kpi, kpi.code) for kpi in cat.KPIS if tab is None or kpi.tab == tab]
    insurers = []
    if tab is None or tab == "Verzekeraars":
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
        if tab is not None and mix.tab != tab:
            continue
        categories = []
        for category in mix.categories:
            column = mix.column(category.key)
            own_share = None if vector is None else vector[cat.COLUMN_INDEX[column]]
            stats = _column_stats(matrix, column)
            categories.append((category.label, own_share, None if stats is None else stats.median))
        mix_figures.append(MixFigure(mix.code, mix.name, mix.tab, mix.explanation, categories))
    return Dashboard(window=window, group=info, kpis=figures, mixes=mix_figures, insurers=insurers)


def headline(imp, codes, group: str = "national") -> dict[str, tuple[float | None, float | None]]:
    """(own value, the group's published median or None) of a few KPIs of the import's dashboard
    window: the header figures of every page, without the verdicts and the rest of the tab."""
    member = grouping.membership(imp.practice)
    chosen = member.group(group)
    window = _window_of(imp)
    own, stat_row = _own_and_group(imp, window.code, chosen)
    vector = None if own is None else own[0]
    matrix = _group_matrix(stat_row)
    found = {}
    for code in codes:
        value = None if vector is None else _number(vector[cat.COLUMN_INDEX[code]])
        stats = _column_stats(matrix, code)
        found[code] = (value, None if stats is None else stats.median)
    return found


def _medians(years, windows, group, codes):
    """The group's median of each KPI in ``codes`` per (year, window) — None where the group or
    that KPI's n is below the minimum size — and the group's served size per (year, window).

    Reads only the n row and the median row of each stored statistics matrix written in the
    current layouts (``substr`` on the blob, a seventh of it each), not all rows: a practice
    with ten years of imports has fifty of them behind one Trends page. A matrix in another
    layout (written before the catalogue changed) is read whole and mapped by name.
    """
    year, window_col, n, stats, kind, key, statistics, columns = _columns(
        "year", "window", "n", "stats", "kind", "key", "statistics_id", "columns_id"
    )
    names = layout.column_names()
    size = len(names) * 8
    median_row = STAT_FIELDS.index("median")
    current = f"{statistics} = %s AND {columns} = %s"
    current_params = [
        layout.layout_id(layout.statistic_names()),
        layout.layout_id(names),
    ]
    years, windows = list(years), list(windows)
    sql = (
        f"SELECT {year}, {window_col}, {n}, {statistics}, {columns}, "  # noqa: S608
        f"CASE WHEN {current} THEN substr({stats}, 1, {size}) ELSE {stats} END, "
        f"CASE WHEN {current} THEN substr({stats}, {median_row * size + 1}, {size}) END "
        f"FROM {_table(GroupStatistics)} WHERE {kind} = %s AND {key} = %s "
        f"AND {year} IN ({', '.join(['%s'] * len(years))}) "
        f"AND {window_col} IN ({', '.join(['%s'] * len(windows))}) AND {stats} IS NOT NULL"
    )
    params = [*current_params, *current_params, group.kind, group.key, *years, *windows]
    position = {name: i for i, name in enumerate(names)}
    indexes = [position[code] for code in codes]
    minimum = _min_size()
    found, sizes = {}, {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for year, window, n, rows_layout, columns_layout, first, median_blob in cursor.fetchall():
            if n < minimum or first is None:
                continue
            if median_blob is not None:  # current layouts: the two rows themselves
                counts = np.frombuffer(bytes(first), dtype="<f8")[indexes]
                values = np.frombuffer(bytes(median_blob), dtype="<f8")[indexes]
            else:
                table = layout.table(
                    first, rows_layout, columns_layout, ("n", "median"), tuple(codes)
                )
                counts, values = table[0], table[1]
            sizes[(year, window)] = n
            found[(year, window)] = [
                float(v) if c >= minimum else None for c, v in zip(counts, values, strict=True)
            ]
    return found, sizes


def trends_for(imp, group: str, codes=TREND_KPIS) -> Trends:
    """Quarters and full years across all the practice's imports, against the group's median.

    The import's own year comes from the import itself (so an older import shows what it sent);
    other years from the practice's counted rows. Growth compares with the same window one year
    earlier of the practice's own figures.
    """
    if group not in grouping.CHOICES:
        raise ValueError(f"unknown comparison group: {group!r}")
    practice = imp.practice
    member = grouping.membership(practice)
    chosen = member.group(group)
    windows = (*QUARTER_WINDOWS, "Q1-Q4")
    codes = tuple(codes)
    # Other years: the practice's counted rows; the import's own year: the import's rows.
    year, window_col, values, practice_id, counted, imp_id, values_layout = _columns(
        "year", "window", "values", "practice_id", "counted", "imp_id", "layout_id"
    )
    sql = (
        f"SELECT {year}, {window_col}, {values}, {values_layout} "  # noqa: S608
        f"FROM {_table(WindowValues)} "
        f"WHERE {practice_id} = %s AND {window_col} IN ({', '.join(['%s'] * len(windows))}) "
        f"AND (({counted} = %s AND {year} <> %s) OR {imp_id} = %s)"
    )
    own: dict[tuple[int, str], list] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [imp.practice_id, *windows, True, imp.year, imp.pk])
        for row_year, window, blob, pk in cursor.fetchall():
            own[(row_year, window)] = _plain(layout.vector(blob, pk, codes))

    # The group's size for the caption comes from the import's own (year-to-date) window.
    own_window = _window_of(imp)
    medians: dict[tuple[int, str], list] = {}
    if chosen is not None and own:
        years = {year for year, _ in own} | {imp.year}
        medians, sizes = _medians(years, {*windows, own_window.code}, chosen, codes)
        n = sizes.get((imp.year, own_window.code))
    else:
        n = _served_size(_stat_row(imp.year, own_window.code, chosen))
    info = _group_info(practice, member, chosen, n, imp.year, own_window.code, group)

    ordered = sorted(own, key=lambda k: (k[1] == "Q1-Q4", k[0], k[1]))
    labels = {
        key: str(key[0]) if key[1] == "Q1-Q4" else f"{key[0]} K{key[1][1]}" for key in ordered
    }
    nothing = [None] * len(codes)
    series = []
    for column, code in enumerate(codes):
        kpi = cat.KPI_BY_CODE[code]
        points = []
        for year, window in ordered:
            value = own[(year, window)][column]
            before = own.get((year - 1, window))
            previous = None if before is None else before[column]
            growth = None
            if value is not None and previous is not None and previous > 0:
                growth = (value - previous) / previous * 100.0
            points.append(
                TrendPoint(
                    labels[(year, window)],
                    "year" if window == "Q1-Q4" else "quarter",
                    year,
                    window,
                    value,
                    medians.get((year, window), nothing)[column],
                    growth,
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
